"""Rep-count and activity-recognition accuracy on the development clips with ground truth.

Usage::

    python benchmarks/eval_reps.py [--data ../shared/data/dev] [--cache DIR] [--only SUBSTR]

For every clip in ``MANIFEST.csv`` the pose track is taken from ``--cache`` (``<file with / -> __>
.npz``, written by this script when missing) or computed with :func:`repstride.pipeline.analyze_video`.
The analysis runs twice: as the official example client does (no activity given: recognised) and
with the true activity given. One row per clip, then totals.

How clips count (documented in docs/analyses.md, "Accuracy"):

- rep metrics use clips whose ``our_activity`` is one of the 16 exercise activities and whose
  ``true_reps`` is a number. A prediction equal to ``true_reps`` *or* ``alt_reps`` (another count
  that is also right) is exact; OBO allows one off either; MAE is ``min |pred - count| / true``.
- ``other`` clips (movements outside the catalogue) are printed and summarised separately: no
  activity among the 17 is right for them, so they are not in the activity accuracy.
- ``running`` clips count as correctly recognised when the activity is ``sprint``; ``walking``
  clips are printed only. ``unknown`` counts are printed only.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from repstride.analysis import PoseTrack, analyze_activity  # noqa: E402
from repstride.analysis.exercise import SPECS  # noqa: E402
from repstride.errors import RepstrideError  # noqa: E402


def _track(data: Path, row: dict[str, str], cache: Path | None) -> PoseTrack:
    name = row["file"].replace("/", "__") + ".npz"
    if cache is not None and (cache / name).is_file():
        return PoseTrack.from_arrays(dict(np.load(cache / name)))
    from repstride.pipeline import analyze_video

    track = analyze_video(data / row["file"]).pose.track
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache / name, **track.to_arrays())
    return track


def _count(track: PoseTrack, activity: str | None) -> tuple[str, str, float | None]:
    """(count or status, activity, confidence) of one analysis run."""
    try:
        res = analyze_activity(track, activity=activity)
    except RepstrideError as exc:
        return f"err:{exc.code}", activity or "?", None
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
        return f"err:{type(exc).__name__}", activity or "?", None
    conf = res.info.get("activityConfidence")
    shown = str(len(res.reps)) if res.status == "Complete" else "FAIL"
    return shown, res.activity or "?", conf


def _int(s: str) -> int | None:
    try:
        return int(s)
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dev")
    ap.add_argument("--cache", type=Path, default=None, help="directory of cached pose tracks")
    ap.add_argument("--only", default=None, help="only clips whose file contains this")
    args = ap.parse_args(argv)
    rows = list(csv.DictReader(open(args.data / "MANIFEST.csv", newline="")))
    if args.only:
        rows = [r for r in rows if args.only in r["file"]]
    hdr = (f"{'clip':34s} {'truth':>5s} {'alt':>3s} {'pred':>4s} {'given':>5s}  "
           f"{'activity':16s} {'recognised':16s} conf")
    print(hdr)
    print("-" * len(hdr))
    rep_rows, other_rows, act_rows = [], [], []
    for row in rows:
        track = _track(args.data, row, args.cache)
        truth_act = row["our_activity"]
        pred, act, conf = _count(track, None)
        given = _count(track, truth_act)[0] if truth_act in SPECS else "-"
        truth, alt = _int(row["true_reps"]), _int(row["alt_reps"])
        name = row["file"].split("/")[-1][:34]
        mark = ""
        if truth is not None and truth_act in SPECS:
            mark = "" if _int(pred) in (truth, alt) else "  <- count"
        if truth_act in SPECS and act != truth_act:
            mark += "  <- activity"
        print(f"{name:34s} {row['true_reps'][:5]:>5s} {row['alt_reps']:>3s} {pred:>4s} {given:>5s}  "
              f"{truth_act:16s} {act:16s} {'' if conf is None else f'{conf:.2f}'}{mark}")
        if truth_act in SPECS or truth_act == "running":
            act_rows.append(act == ("sprint" if truth_act == "running" else truth_act))
        if truth is None:
            continue
        target = rep_rows if truth_act in SPECS else other_rows if truth_act == "other" else None
        if target is None:
            continue
        counts = [c for c in (truth, alt) if c is not None]
        for label, p in (("recognised", pred), ("given", given)):
            if p == "-":
                continue
            p_i = _int(p)
            err = min(abs((p_i if p_i is not None else 0) - c) for c in counts)
            target.append((label, err, truth))
    print()
    for title, data in (("exercise clips", rep_rows), ("'other' clips (outside the catalogue)",
                                                       other_rows)):
        for label in ("recognised", "given"):
            errs = [(e, t) for lab, e, t in data if lab == label]
            if not errs:
                continue
            n = len(errs)
            exact = sum(e == 0 for e, _ in errs) / n
            obo = sum(e <= 1 for e, _ in errs) / n
            mae = float(np.mean([e / max(t, 1) for e, t in errs]))
            print(f"{title}, activity {label:10s}: n={n:2d}  exact={exact:.3f}  OBO={obo:.3f}  "
                  f"MAE={mae:.3f}")
    if act_rows:
        print(f"activity recognition (16 exercises + running->sprint): n={len(act_rows)}  "
              f"accuracy={sum(act_rows) / len(act_rows):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
