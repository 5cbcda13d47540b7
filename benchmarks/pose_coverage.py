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
- ``jumps``: frames where the subject's hip centre moves more than 20 % of the frame's long
  side from one frame to the next (an independent check; should be 0);
- ``inv``: fraction of the subject's frames read upside down: the shoulder centre lower on
  screen than the hip centre by more than half the torso length (head more than 30 degrees
  below the horizontal); near 0 for exercise footage, where nobody stands on their hands;
- ``legvis``: mean visibility of hips, knees and ankles over the subject's frames (collapses
  when the body is read upside down);
- ``fps``: whole-stage frames/s for that clip (machine shared, indicative).

``--cache DIR`` keeps what the models found per clip, so the subject logic can be re-evaluated
without running them again.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

from repstride.analysis.track import Joint, PoseTrack
from repstride.media import probe
from repstride.pose.extract import TrackedPeople, track_people

STOCK_CACHE = Path("/work/cache/tracks")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev"


def jumps(track: PoseTrack, max_step: float = 0.2) -> int:
    """Frames where the subject's hip centre moves more than ``max_step`` of the frame's long
    side since the previous frame (consecutive frames only)."""
    hip = (track.xy[:, Joint.LEFT_HIP] + track.xy[:, Joint.RIGHT_HIP]) / 2
    px = hip * [track.width, track.height] / max(track.width, track.height)
    steps = np.linalg.norm(np.diff(px, axis=0), axis=1)
    return int(np.nansum(steps > max_step))


def inverted(track: PoseTrack) -> float | None:
    """Fraction of the subject's frames with the shoulder centre below the hip centre by more
    than half the torso length (pixels, y down)."""
    scale = np.array([track.width, track.height], float)
    sh = (track.xy[:, Joint.LEFT_SHOULDER] + track.xy[:, Joint.RIGHT_SHOULDER]) / 2 * scale
    hip = (track.xy[:, Joint.LEFT_HIP] + track.xy[:, Joint.RIGHT_HIP]) / 2 * scale
    ok = np.isfinite(sh).all(axis=1) & np.isfinite(hip).all(axis=1)
    if not ok.any():
        return None
    torso = np.linalg.norm(sh - hip, axis=1)
    return float((sh[ok, 1] - hip[ok, 1] > 0.5 * torso[ok]).mean())


def leg_visibility(track: PoseTrack) -> float | None:
    legs = [Joint.LEFT_HIP, Joint.RIGHT_HIP, Joint.LEFT_KNEE, Joint.RIGHT_KNEE,
            Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE]
    ok = track.detected
    return float(track.score[ok][:, legs].mean()) if ok.any() else None


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


def _save(tp: TrackedPeople, path: Path) -> None:
    arrays = {f"p{pid}_{k}": a for pid, v in tp.people.items() for k, a in v.items()}
    stats = np.array([tp.stats.get(k) or 0 for k in STAT_KEYS], float)
    np.savez_compressed(path, ts=tp.timestamps_s, idx=tp.frame_index, stats=stats,
                        geom=np.array([tp.fps, tp.width, tp.height], float), **arrays)


def _load(video: Path, path: Path) -> TrackedPeople:
    z = np.load(path)
    people: dict[int, dict[str, np.ndarray]] = {}
    for key in z.files:
        if key.startswith("p"):
            pid, name = key[1:].split("_", 1)
            people.setdefault(int(pid), {})[name] = z[key]
    fps, w, h = z["geom"]
    return TrackedPeople(info=probe(video), people=people, timestamps_s=z["ts"],
                         frame_index=z["idx"], fps=float(fps), width=int(w), height=int(h),
                         stats=dict(zip(STAT_KEYS, z["stats"].tolist())))


STAT_KEYS = ("detector_calls", "landmark_calls", "frames", "stage_fps", "tracker_ids",
             "identity_cuts")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, nargs="?", default=DEFAULT_DATA)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep each clip's tracked people here and reuse them (re-evaluates the "
                         "subject choice without running the models again)")
    args = ap.parse_args()
    with open(args.data / "MANIFEST.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if args.only in r["file"]]
    header = f"{'clip':58s} {'frames':>6s} {'cov':>5s} {'stock':>5s} {'agree':>5s} " \
             f"{'people':>6s} {'cuts':>4s} {'jumps':>5s} {'inv':>5s} {'legvis':>6s} {'fps':>5s}"
    print(header)
    out_rows = []
    for r in rows:
        cached_people = (args.cache / (r["file"].replace("/", "__") + ".npz")
                         if args.cache else None)
        if cached_people is not None and cached_people.is_file():
            tp = _load(args.data / r["file"], cached_people)
        else:
            tp = track_people(args.data / r["file"])
            if cached_people is not None:
                cached_people.parent.mkdir(parents=True, exist_ok=True)
                _save(tp, cached_people)
        res = tp.result()
        fps = float(tp.stats.get("stage_fps") or 0.0)
        tr = res.track
        cached = STOCK_CACHE / (r["file"].replace("/", "__") + ".npz")
        stock = PoseTrack.from_arrays(dict(np.load(cached))) if cached.is_file() else None
        row = {
            "clip": r["file"], "frames": len(tr), "coverage": float(tr.detected.mean()),
            "stock_coverage": float(stock.detected.mean()) if stock is not None else None,
            "agree": agreement(tr, stock) if stock is not None else None,
            "people": len(res.people), "cuts": int(tr.meta.get("identity_cuts", 0)),
            "jumps": jumps(tr), "inverted": inverted(tr), "leg_visibility": leg_visibility(tr),
            "fps": fps,
        }
        out_rows.append(row)

        def f(v: float | None) -> str:
            return "  -  " if v is None else f"{v:5.2f}"
        print(f"{r['file'][-58:]:58s} {row['frames']:6d} {f(row['coverage'])} "
              f"{f(row['stock_coverage'])} {f(row['agree'])} {row['people']:6d} "
              f"{row['cuts']:4d} {row['jumps']:5d} {f(row['inverted'])} "
              f"{f(row['leg_visibility']):>6s} {fps:5.1f}", flush=True)
    cov = np.array([x["coverage"] for x in out_rows])
    inv = [x["inverted"] for x in out_rows if x["inverted"] is not None]
    print(f"clips {len(out_rows)}, mean coverage {cov.mean():.3f}, clips with upside-down frames "
          f"(inv > 0.05) {sum(v > 0.05 for v in inv)}, mean inv {np.mean(inv) if inv else 0:.3f}")
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
