"""Subject coverage and identity checks of the pose stage over the development clips.

    python benchmarks/pose_coverage.py [DATA_DIR] [--only SUBSTRING] [--out rows.csv]

One row per clip of ``DATA_DIR/MANIFEST.csv`` (default ``../shared/data/dev``):

- ``cov``: fraction of frames where the subject was found;
- ``stock``: the same for the stock single-person MediaPipe graph, when a cached track exists
  in ``/work/cache/tracks`` (dev only; blank otherwise);
- ``agree``: fraction of frames found by both where our subject's hip centre lies inside the
  stock track's box (low = the two follow different people);
- ``people``: person ids after cutting at identity jumps; ``cuts``: identity jumps the cutter
  found in the tracker's ids (each became a new id, never part of the subject's track);
- ``jumps``: frames where the subject's box centre moves more than 8 % of the frame in one
  frame (an independent check; should be 0);
- ``fps``: whole-stage frames/s for that clip (machine shared, indicative).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

from repstride.analysis.track import Joint, PoseTrack
from repstride.pose.extract import track_people

STOCK_CACHE = Path("/work/cache/tracks")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"


def jumps(track: PoseTrack, max_step: float = 0.08) -> int:
    c = (track.bbox[:, :2] + track.bbox[:, 2:]) / 2 * [track.width / track.height, 1.0]
    ok = np.flatnonzero(track.detected)
    if ok.size < 2:
        return 0
    steps = np.linalg.norm(np.diff(c[ok], axis=0), axis=1) / np.diff(ok)
    return int((steps > max_step).sum())


def agreement(ours: PoseTrack, stock: PoseTrack) -> float | None:
    n = min(len(ours), len(stock))
    hip = (ours.xy[:n, Joint.LEFT_HIP] + ours.xy[:n, Joint.RIGHT_HIP]) / 2
    both = ours.detected[:n] & stock.detected[:n]
    if not both.any():
        return None
    b = stock.bbox[:n]
    inside = ((b[:, 0] <= hip[:, 0]) & (hip[:, 0] <= b[:, 2]) & (b[:, 1] <= hip[:, 1])
              & (hip[:, 1] <= b[:, 3]))
    return float(inside[both].mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, nargs="?", default=DEFAULT_DATA)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    with open(args.data / "MANIFEST.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if args.only in r["file"]]
    header = f"{'clip':58s} {'frames':>6s} {'cov':>5s} {'stock':>5s} {'agree':>5s} " \
             f"{'people':>6s} {'cuts':>4s} {'jumps':>5s} {'fps':>5s}"
    print(header)
    out_rows = []
    for r in rows:
        t0 = time.perf_counter()
        res = track_people(args.data / r["file"]).result()
        fps = len(res.track) / (time.perf_counter() - t0)
        tr = res.track
        cached = STOCK_CACHE / (r["file"].replace("/", "__") + ".npz")
        stock = PoseTrack.from_arrays(dict(np.load(cached))) if cached.is_file() else None
        row = {
            "clip": r["file"], "frames": len(tr), "coverage": float(tr.detected.mean()),
            "stock_coverage": float(stock.detected.mean()) if stock is not None else None,
            "agree": agreement(tr, stock) if stock is not None else None,
            "people": len(res.people), "cuts": tr.meta.get("identity_cuts", 0),
            "jumps": jumps(tr), "fps": fps,
        }
        out_rows.append(row)

        def f(v: float | None) -> str:
            return "  -  " if v is None else f"{v:5.2f}"
        print(f"{r['file'][-58:]:58s} {row['frames']:6d} {f(row['coverage'])} "
              f"{f(row['stock_coverage'])} {f(row['agree'])} {row['people']:6d} "
              f"{row['cuts']:4d} {row['jumps']:5d} {fps:5.1f}", flush=True)
    cov = np.array([x["coverage"] for x in out_rows])
    print(f"clips {len(out_rows)}, mean coverage {cov.mean():.3f}, clips with jumps "
          f"{sum(x['jumps'] > 0 for x in out_rows)}, total jumps {sum(x['jumps'] for x in out_rows)},"
          f" load average {os.getloadavg()[0]:.2f}")
    if args.out:
        with open(args.out, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(out_rows[0]))
            w.writeheader()
            w.writerows(out_rows)


if __name__ == "__main__":
    main()
