"""Gait-event accuracy on the hand-marked running clips.

Reads ``gait_truth.json`` (touch-down = first frame in contact, toe-off = last frame in contact,
per foot) beside the development clips, runs the pose model on each clip (or loads a cached
track with ``--tracks DIR``: ``<file with / replaced by __>.npz`` from ``PoseTrack.to_arrays``),
detects events with :func:`repstride.analysis.running.detect_gait_events` and prints, per clip:

- per-event errors in frames (detected - marked; matched to the nearest marked event of the same
  type within half a step), the share of marked events found, and left/right agreement;
- cadence (steps/min) against the marked cadence;
- mean contact and flight times against the marked means. Two conventions are printed:
  ``frames``: our events rounded the way the marks are (TD = first contact frame, TO = last
  contact frame), so both sides are (TO - TD) / fps; ``cont``: our sub-frame times against the
  marks widened by half a frame at each end (contact starts somewhere in the frame before the
  first contact frame and ends in the frame after the last one; +1 frame on average).

Slow motion: a clip whose truth says ``real_time: false`` is evaluated in video time (the marks
are in video time) and the detector's ``slow_motion_suspected`` flag is reported; with
``--declare-slow-motion`` the truth's ``slow_motion_factor`` is passed to the detector instead and
the comparison uses the truth's ``real_time_estimates``.

Usage::

    python benchmarks/eval_gait.py [--data ../shared/data/dev] [--tracks DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from repstride.analysis.running.gait import GaitEvents, detect_gait_events  # noqa: E402
from repstride.analysis.track import PoseTrack  # noqa: E402
from repstride.errors import RepstrideError  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dev"


def load_track(data: Path, name: str, tracks: Path | None) -> PoseTrack:
    if tracks is not None:
        p = tracks / (name.replace("/", "__") + ".npz")
        if p.is_file():
            return PoseTrack.from_arrays(dict(np.load(p)))
    from repstride.pose import extract_pose

    return extract_pose(data / name).track


def _truth_contacts(events: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(side, TD frame, TO frame) for each marked TD followed by a TO of the same side."""
    out = []
    for i, e in enumerate(events):
        if e["type"] != "TD":
            continue
        for f in events[i + 1:]:
            if f["side"] == e["side"]:
                if f["type"] == "TO":
                    out.append((e["side"], int(e["frame"]), int(f["frame"])))
                break
    return out


def evaluate(name: str, truth: dict[str, Any], track: PoseTrack, *, declare_slow: bool
             ) -> dict[str, Any]:
    fps = float(truth["fps"])
    k = float(truth.get("slow_motion_factor", 1.0)) if declare_slow else 1.0
    ev: GaitEvents = detect_gait_events(track, view="side", slow_motion_factor=k)
    frame_of = {i: int(f) for i, f in enumerate(track.frame_index)}
    marked = truth["events"]
    step_frames = fps * 60.0 / float(truth["cadence_spm"])
    errs: dict[str, list[float]] = {"TD": [], "TO": []}
    side_ok = 0
    matched = 0
    used: set[int] = set()
    for m in marked:
        cands = [(abs(frame_of[e.frame] - m["frame"]), j, e) for j, e in enumerate(ev.events)
                 if e.kind == m["type"] and j not in used]
        if not cands:
            continue
        dist, j, e = min(cands, key=lambda c: c[0])
        if dist <= step_frames / 2:
            used.add(j)
            matched += 1
            errs[m["type"]].append(frame_of[e.frame] - m["frame"])
            side_ok += int(e.side == m["side"])
    # Contact / flight from our contacts that match a marked contact.
    tc = _truth_contacts(marked)
    ours_frames, ours_cont, marks = [], [], []
    for side, td, to in tc:
        best = None
        for c in ev.contacts:
            if abs(frame_of[c.td.frame] - td) <= step_frames / 2 and \
                    abs(frame_of[c.to.frame] - to) <= step_frames / 2:
                best = c
                break
        if best is not None:
            ours_frames.append((frame_of[best.to.frame] - frame_of[best.td.frame]) / fps * 1000)
            ours_cont.append(best.duration_s * 1000 * k)  # back to video time when declared
            marks.append((to - td) / fps * 1000)
    cad = ev.cadence_spm()
    truth_cad = float(truth["cadence_spm"])
    truth_gct = float(truth.get("mean_gct_ms", math.nan))
    # (a back-view clip's truth has toe-offs read from behind and no flight time)
    truth_flight = float(truth.get("mean_flight_ms", math.nan))
    if declare_slow and "real_time_estimates" in truth:
        rt = truth["real_time_estimates"]
        truth_cad, truth_gct, truth_flight = (float(rt["cadence_spm"]), float(rt["mean_gct_ms"]),
                                              float(rt["mean_flight_ms"]))
        ours_cont = [x / k for x in ours_cont]
    gct_all = float(np.mean(ev.contact_times_s())) * 1000 if ev.contacts else math.nan
    fl = ev.flight_times_s()
    flight_all = float(np.mean(fl)) * 1000 if fl.size else math.nan
    frame_ms = 1000.0 / (fps * k)
    # Foot strike per touch-down (side view) against the marked strike.
    strike_ok = strike_n = 0
    answered: str = "n/a"
    try:
        from repstride.analysis.running.side_view import analyze_side_view

        sv = analyze_side_view(track, slow_motion_factor=k)
        g = sv.metrics["ground_contact_time"]
        answered = f"{g.value:g} ms" if g.value is not None else f"null ({g.reason})"
        for m in marked:
            if m["type"] != "TD" or not m.get("strike"):
                continue
            near = [f for f in sv.foot_landing
                    if abs(round(f.timestamp_ms / 1000.0 * k * fps) - m["frame"]) <= 3]
            if near and near[0].strike is not None:
                strike_n += 1
                strike_ok += int(near[0].strike == m["strike"])
    except RepstrideError:
        pass
    res = {
        "clip": name, "fps": fps, "slow_motion_factor_used": k, "flags": list(ev.flags),
        "marked_events": len(marked), "detected_events": len(ev.events), "matched": matched,
        "side_agreement": side_ok / matched if matched else None,
        "td_err_frames": errs["TD"], "to_err_frames": errs["TO"],
        "td_mean_abs": float(np.mean(np.abs(errs["TD"]))) if errs["TD"] else None,
        "to_mean_abs": float(np.mean(np.abs(errs["TO"]))) if errs["TO"] else None,
        "td_bias": float(np.mean(errs["TD"])) if errs["TD"] else None,
        "to_bias": float(np.mean(errs["TO"])) if errs["TO"] else None,
        "cadence": cad, "cadence_truth": truth_cad,
        "cadence_err_pct": (cad - truth_cad) / truth_cad * 100 if cad else None,
        "gct_ms_all": gct_all, "gct_truth_ms": truth_gct,
        "gct_err_ms_cont": gct_all - (truth_gct + frame_ms) if ev.contacts else None,
        "matched_contacts": len(marks),
        "gct_err_ms_frames_matched": float(np.mean(ours_frames) - np.mean(marks)) if marks else None,
        "flight_ms_all": flight_all, "flight_truth_ms": truth_flight,
        "flight_err_ms_cont": flight_all - (truth_flight - frame_ms) if fl.size else None,
        "strike_agreement": f"{strike_ok}/{strike_n}",
        "side_view_contact_answer": answered,
    }
    return res


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--tracks", type=Path, default=None, help="directory of cached tracks")
    ap.add_argument("--declare-slow-motion", action="store_true",
                    help="pass the truth's slow-motion factor to the detector")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    truth_path = args.data / "gait_truth.json"
    if not truth_path.is_file():
        print(f"no ground truth at {truth_path}", file=sys.stderr)
        return 2
    all_truth = json.loads(truth_path.read_text())
    results = []
    for name, truth in all_truth.items():
        track = load_track(args.data, name, args.tracks)
        results.append(evaluate(name, truth, track, declare_slow=args.declare_slow_motion))
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for r in results:
        print(f"== {r['clip']}  ({r['fps']:.2f} fps, slow-motion factor used "
              f"{r['slow_motion_factor_used']:g}, flags {r['flags'] or '-'})")
        print(f"   events: {r['matched']}/{r['marked_events']} marked matched, "
              f"{r['detected_events']} detected, L/R agreement {_fmt(r['side_agreement'], 2)}")
        print(f"   TD error frames: mean|e| {_fmt(r['td_mean_abs'], 2)} bias "
              f"{_fmt(r['td_bias'], 2)}  {r['td_err_frames']}")
        print(f"   TO error frames: mean|e| {_fmt(r['to_mean_abs'], 2)} bias "
              f"{_fmt(r['to_bias'], 2)}  {r['to_err_frames']}")
        print(f"   cadence: {_fmt(r['cadence'])} vs {_fmt(r['cadence_truth'])} steps/min "
              f"({_fmt(r['cadence_err_pct'], 2)} %)")
        print(f"   contact: {_fmt(r['gct_ms_all'])} ms vs {_fmt(r['gct_truth_ms'])} ms marked; "
              f"error {_fmt(r['gct_err_ms_cont'])} ms (cont), "
              f"{_fmt(r['gct_err_ms_frames_matched'])} ms (frames, {r['matched_contacts']} "
              f"matched contacts)")
        print(f"   flight:  {_fmt(r['flight_ms_all'])} ms vs {_fmt(r['flight_truth_ms'])} ms "
              f"marked; error {_fmt(r['flight_err_ms_cont'])} ms (cont)")
        print(f"   foot strike agreement with marks: {r['strike_agreement']}")
        print(f"   side-view ground_contact_time as the APIs answer it: "
              f"{r['side_view_contact_answer']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
