"""Main-subject choice on the development clips: every tracked person's score and who is chosen.

    python benchmarks/subject_choice.py PEOPLE_DIR [--data ../shared/data/dev] [--only TEXT]

For each clip of ``MANIFEST.csv`` (or those whose path contains ``--only``), the pose stage's
people (:func:`repstride.pose.track_people`: everyone tracked, after the identity-jump cuts) are
loaded from ``PEOPLE_DIR/<file with / -> __>.npz``, or computed and saved there when missing
(the slow part: a full pose run per clip; later runs only re-score). Printed per clip: each
candidate's frames present, median torso length (pixels), clarity (mean in-frame landmark
visibility of the body joints), activity (spread of the filtered joint paths, torso lengths),
motion, and the prominence (:func:`repstride.pose.subject.prominence_parts`) with the chosen
person marked ``*``, and beside it the prominence computed without visibilities and without the
path filter ("plain"); then the clips where the two choose differently.
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
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dev"
_KEYS = ("boxes", "xy", "score")


def _clips(data: Path, only: str | None) -> list[str]:
    with open(data / "MANIFEST.csv", newline="") as fh:
        files = [row["file"] for row in csv.DictReader(fh)]
    return [f for f in files if only is None or only in f]


def _load_or_track(path: Path, video: Path) -> dict[str, object]:
    if path.is_file():
        z = np.load(path)
        ids = [int(i) for i in z["ids"]]
        people = {pid: {k: z[f"{k}_{pid}"] for k in _KEYS} for pid in ids}
        return {"people": people, "width": int(z["width"]), "height": int(z["height"]),
                "fps": float(z["fps"])}
    from repstride.pose import track_people

    t0 = time.perf_counter()
    tracked = track_people(video)
    arrays: dict[str, np.ndarray] = {
        "ids": np.array(sorted(tracked.people), np.int64), "width": np.array(tracked.width),
        "height": np.array(tracked.height), "fps": np.array(tracked.fps)}
    for pid, v in tracked.people.items():
        for k in _KEYS:
            arrays[f"{k}_{pid}"] = v[k]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    print(f"  (tracked in {time.perf_counter() - t0:.0f} s, load {os.getloadavg()[0]:.2f})",
          flush=True)
    return {"people": {p: {k: v[k] for k in _KEYS} for p, v in tracked.people.items()},
            "width": tracked.width, "height": tracked.height, "fps": tracked.fps}


def main() -> None:
    from repstride.pose.subject import choose_main, prominence, prominence_parts

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("people_dir", type=Path)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    if not (args.data / "MANIFEST.csv").is_file():
        sys.exit(f"no development clips at {args.data}")
    changed = []
    for file in _clips(args.data, args.only):
        print(file, flush=True)
        try:
            c = _load_or_track(args.people_dir / (file.replace("/", "__") + ".npz"),
                               args.data / file)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
            print(f"  error {type(exc).__name__}: {exc}")
            continue
        people, w, h, fps = c["people"], c["width"], c["height"], c["fps"]
        xy = {p: v["xy"] for p, v in people.items()}
        vis = {p: v["score"] for p, v in people.items()}
        new = choose_main(xy, width=w, height=h, scores=vis, fps=fps)
        old = choose_main(xy, width=w, height=h)
        parts = {p: prominence_parts(xy[p], vis[p], width=w, height=h, fps=fps) for p in people}
        for pid in sorted(people, key=lambda p: -parts[p]["score"])[:6]:
            q = parts[pid]
            mark = "*" if pid == new else " "
            print(f" {mark} id {pid:3d} frames {q['frames']:5d} torso {q['torso_px']:6.1f}px"
                  f" clarity {q['clarity']:.2f} activity {q['activity']:6.2f}"
                  f" motion {q['motion']:.2f} prominence {q['score']:.4f}"
                  f"  plain {prominence(xy[pid], width=w, height=h):.4f}"
                  f"{'  (plain choice)' if pid == old and old != new else ''}")
        if len(people) > 6:
            print(f"   ... {len(people) - 6} more")
        if new != old:
            changed.append(file)
    print(f"choice differs from the plain prominence on {len(changed)} clip(s):")
    for f in changed:
        print(f"  {f}")


if __name__ == "__main__":
    main()
