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
    view = str(truth.get("view", "side"))
    ev: GaitEvents = detect_gait_events(track, view=view, slow_motion_factor=k)  # type: ignore[arg-type]
    frame_of = {i: int(f) for i, f in enumerate(track.frame_index)}
    marked = truth["events"]
    step_frames = fps * 60.0 / float(truth["cadence_spm"])
    errs: dict[str, list[float]] = {"TD": [], "TO": []}
    side_errs: dict[str, list[float]] = {f"{t}_{s}": [] for t in ("TD", "TO")
                                         for s in ("left", "right")}
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
            side_errs[f"{m['type']}_{m['side']}"].append(frame_of[e.frame] - m["frame"])
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

        if view != "side":
            raise RepstrideError("no side view")
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
        "real_time": bool(truth.get("real_time", True)),
        "marked_events": len(marked), "detected_events": len(ev.events), "matched": matched,
        "side_agreement": side_ok / matched if matched else None,
        "td_err_frames": errs["TD"], "to_err_frames": errs["TO"], "view": view,
        "per_side_mean_abs": {k: (float(np.mean(np.abs(v))) if v else None)
                              for k, v in side_errs.items()},
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
    sprint_path = args.data / "sprint_truth.json"
    sprints = _sprint_section(args.data, args.tracks,
                              json.loads(sprint_path.read_text()) if sprint_path.is_file() else {})
    if args.json:
        print(json.dumps({"clips": results, "sprint": sprints}, indent=1))
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
        print("   per side mean|e| frames: " + ", ".join(
            f"{k} {_fmt(v, 2)}" for k, v in r["per_side_mean_abs"].items()))
        print(f"   cadence: {_fmt(r['cadence'])} vs {_fmt(r['cadence_truth'])} steps/min "
              f"({_fmt(r['cadence_err_pct'], 2)} %)")
        if not r.get("real_time", True):
            print("   slow-motion honesty case: its contact marks (about 10x slow motion, "
                  "contact barely visible) support no contact-time criterion")
        print(f"   contact: {_fmt(r['gct_ms_all'])} ms vs {_fmt(r['gct_truth_ms'])} ms marked; "
              f"error {_fmt(r['gct_err_ms_cont'])} ms (cont), "
              f"{_fmt(r['gct_err_ms_frames_matched'])} ms (frames, {r['matched_contacts']} "
              f"matched contacts)")
        print(f"   flight:  {_fmt(r['flight_ms_all'])} ms vs {_fmt(r['flight_truth_ms'])} ms "
              f"marked; error {_fmt(r['flight_err_ms_cont'])} ms (cont)")
        print(f"   foot strike agreement with marks: {r['strike_agreement']}")
        print(f"   side-view ground_contact_time as the APIs answer it: "
              f"{r['side_view_contact_answer']}")
    print("== sprint starts from blocks (subject: the pose stage's own choice)")
    for r in sprints:
        print(f"   {r['clip']}: {r['steps']} steps after the block exit "
              f"(onset frame {r['onset_frame']}), sides {r['step_sides']}, alternating "
              f"{r['alternating']}, {r['strides']} strides ({r['stride_sides']}), first stride "
              f"start frame {r['first_stride_frame']}; block TO rear/front "
              f"{r['rear_to']}/{r['front_to']}; peak flexion {r['flexion_deg']} extension "
              f"{r['extension_deg']} deg, {r['null_angles']} null"
              + (f"; vs marks: TD err {r['td_err']} TO err {r['to_err']} block TO err "
                 f"{r['block_err']} ({r['marked_steps']} marked steps, side agreement "
                 f"{r['side_agreement']})" if r.get("marked_steps") is not None else ""))
    return 0


#: Block-start clips, analysed as the pipeline would: the pose stage's own choice of subject.
SPRINT_CLIPS = tuple(f"hato72__simple-HRNet/movie1/a{i}.mp4" for i in range(1, 5))


def _angle(rep: Any, name: str) -> float | None:
    return next((a.scalar for a in rep.analyses if a.type == name), None)


def _sprint_section(data: Path, tracks: Path | None, truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps found per block start, alternation, stride angles, and event errors (frames)
    against the marks. The subject is the pose stage's default choice (no hint)."""
    from repstride.analysis.running.sprint import analyze_sprint

    out = []
    for name in SPRINT_CLIPS:
        if not (data / name).is_file():
            continue
        track = load_track(data, name, tracks)
        res = analyze_sprint(track)
        fps = float(track.fps)
        evs = res.info.get("gaitEvents", [])
        fr = [(e["type"], e["side"], round(e["timestampMs"] / 1000.0 * fps)) for e in evs]
        tds = [f for f in fr if f[0] == "TD"]
        bc = res.info.get("blockClearance") or {}

        def frame(ms: int | None) -> int | None:
            return None if ms is None else round(ms / 1000.0 * fps)

        r: dict[str, Any] = {
            "clip": name, "steps": len(tds), "onset_frame": frame(bc.get("movementOnsetMs")),
            "alternating": all(a[1] != b[1] for a, b in zip(tds, tds[1:])),
            "strides": len(res.reps),
            "first_stride_frame": frame(res.reps[0].start_ms) if res.reps else None,
            "rear_to": frame(bc.get("rearFootToeOffMs")),
            "front_to": frame(bc.get("frontFootToeOffMs")),
            "stride_sides": "".join("L" if rep.analyses[0].scalar == 1.0 else "R"
                                    for rep in res.reps),
            "flexion_deg": [_angle(rep, "STRIDE_PEAK_FLEXION_ANGLE") for rep in res.reps],
            "extension_deg": [_angle(rep, "STRIDE_PEAK_EXTENSION_ANGLE") for rep in res.reps],
            "null_angles": len(res.info.get("nullAngles", [])),
            "step_sides": "".join(t[1][0].upper() for t in tds),
        }
        t = truth.get(name)
        if t is not None:
            marks = [m for m in t["events"] if not m.get("block")]
            errs: dict[str, list[int]] = {"TD": [], "TO": []}
            agree = n = 0
            for m in marks:
                c = [f for f in fr if f[0] == m["type"] and abs(f[2] - m["frame"]) <= 3]
                if c:
                    best = min(c, key=lambda f: abs(f[2] - m["frame"]))
                    errs[m["type"]].append(best[2] - m["frame"])
                    n += 1
                    agree += int(best[1] == m["side"])
            block = {m["side"]: m["frame"] for m in t["events"] if m.get("block")}
            first_side = next((m["side"] for m in marks if m["type"] == "TD"), None)
            rear_m = block.get(first_side) if first_side else None
            front_m = next((f for s_, f in block.items() if s_ != first_side), None)
            r.update({
                "marked_steps": sum(1 for m in marks if m["type"] == "TD"),
                "td_err": errs["TD"], "to_err": errs["TO"],
                "block_err": {"rear": None if r["rear_to"] is None or rear_m is None
                              else r["rear_to"] - rear_m,
                              "front": None if r["front_to"] is None or front_m is None
                              else r["front_to"] - front_m},
                "side_agreement": f"{agree}/{n}",
            })
        out.append(r)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
