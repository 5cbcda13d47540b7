"""Pose tracks of every development clip, cached, and the landmark shift between two caches.

    python benchmarks/dev_tracks.py write DIR [--model full|heavy] [--data ../shared/data/dev]
    python benchmarks/dev_tracks.py compare BEFORE_DIR AFTER_DIR [--data ...]

``write`` runs :func:`repstride.pose.extract_pose` (the subject's raw track, as the pipeline
stores it) on each clip of ``MANIFEST.csv`` and saves ``<file with / -> __>.npz``
(``PoseTrack.to_arrays``), skipping clips already there; the same layout as the shared track
cache, so ``eval_reps.py --cache DIR`` and ``eval_gait.py --tracks DIR`` read it. Run it with
``PYTHONPATH`` pointing at another checkout to get "before" tracks.

``compare`` prints, per clip, the subject's coverage in both, the frames where both found the
subject, and the mean / 95th-percentile shift of the 33 landmarks over those frames in pixels of
the clip, then the mean over clips. A clip whose two tracks follow different people shows as a
large shift (and a differing ``subject`` box).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("REPSTRIDE_DEV_DATA", ROOT.parent / "shared" / "data" / "dev"))


def _clips(data: Path) -> list[str]:
    with open(data / "MANIFEST.csv", newline="") as fh:
        return [row["file"] for row in csv.DictReader(fh)]


def _name(file: str) -> str:
    return file.replace("/", "__") + ".npz"


def write(out: Path, data: Path, model: str | None) -> None:
    from repstride.pose import extract_pose

    out.mkdir(parents=True, exist_ok=True)
    kwargs = {"model": model} if model else {}
    total_frames, total_s = 0, 0.0
    for file in _clips(data):
        dest = out / _name(file)
        if dest.is_file():
            continue
        t0 = time.perf_counter()
        try:
            track = extract_pose(data / file, **kwargs).track
        except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
            print(f"{file[:70]:70s} error {type(exc).__name__}: {exc}", flush=True)
            continue
        dt = time.perf_counter() - t0
        tmp = dest.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **track.to_arrays())
        os.replace(tmp, dest)
        total_frames, total_s = total_frames + len(track), total_s + dt
        print(f"{file[:70]:70s} {len(track):5d} frames {len(track) / dt:6.1f} frames/s "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    if total_s:
        print(f"written: {total_frames} frames, {total_frames / total_s:.1f} frames/s overall")


def compare(before: Path, after: Path, data: Path) -> None:
    from repstride.analysis.track import PoseTrack

    shifts, p95s, cov_diff = [], [], []
    print(f"{'clip':60s} {'cov A':>6s} {'cov B':>6s} {'both':>5s} {'mean px':>8s} {'p95 px':>7s}")
    for file in _clips(data):
        pa, pb = before / _name(file), after / _name(file)
        if not (pa.is_file() and pb.is_file()):
            continue
        a = PoseTrack.from_arrays(dict(np.load(pa)))
        b = PoseTrack.from_arrays(dict(np.load(pb)))
        if len(a) != len(b):
            print(f"{file[:60]:60s} frame counts differ: {len(a)} vs {len(b)}")
            continue
        both = a.detected & b.detected
        scale = np.array([a.width, a.height], float)
        if both.any():
            d = np.linalg.norm((a.xy[both] - b.xy[both]) * scale, axis=-1)
            d = d[np.isfinite(d)]
            mean, p95 = float(d.mean()), float(np.percentile(d, 95))
            shifts.append(mean)
            p95s.append(p95)
        else:
            mean = p95 = float("nan")
        cov_diff.append(abs(float(a.detected.mean()) - float(b.detected.mean())))
        print(f"{file[:60]:60s} {a.detected.mean():6.3f} {b.detected.mean():6.3f} "
              f"{int(both.sum()):5d} {mean:8.3f} {p95:7.2f}")
    if shifts:
        print(f"{len(shifts)} clips: mean landmark shift {np.mean(shifts):.3f} px (clip means: "
              f"median {np.median(shifts):.3f}, max {np.max(shifts):.3f}); mean p95 "
              f"{np.mean(p95s):.2f} px; mean |coverage change| {np.mean(cov_diff):.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("--model", default=None, help="landmark model (default: the library's)")
    w.add_argument("--data", type=Path, default=DEFAULT_DATA)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    if not (args.data / "MANIFEST.csv").is_file():
        sys.exit(f"no development clips at {args.data}")
    if args.cmd == "write":
        write(args.out, args.data, args.model)
    else:
        compare(args.before, args.after, args.data)


if __name__ == "__main__":
    main()
