"""The Running Analysis API's calculated data: the converters from the side- and back-view
results (the JSON the service stores as an analysis' ``result``, translated on read, and the
CLI prints). The response models of this dialect are in :mod:`repstride.wire.running_models`.
"""

from __future__ import annotations

from typing import Any

from repstride.analysis.running.back_view import BackStep, BackViewResult, LegSummary
from repstride.analysis.running.side_metrics import (
    FootLanding, JointAngles, Metric, Overstride, RunningStyle,
)
from repstride.analysis.running.side_view import SideViewResult
from repstride.wire.gait import gait_events_json
from repstride.wire.tree import rounded, to_json


@to_json.register
def metric_json(m: Metric) -> dict[str, Any]:
    d: dict[str, Any] = {"value": m.value, "unit": m.unit, "title_key": m.title_key}
    if m.reason is not None:
        d["reason"] = m.reason
    if m.low_resolution:
        d["low_resolution"] = True
    d.update(to_json(m.extra))
    return d


@to_json.register
def overstride_json(o: Overstride) -> dict[str, Any]:
    return {"angle": rounded(o.angle_deg, 1), "unit": "deg", "score": rounded(o.score, 2),
            "title_key": "overstride.title", "advice": o.advice,
            "per_step": [rounded(a, 1) for a in o.per_step_deg]}


@to_json.register
def foot_landing_json(f: FootLanding) -> dict[str, Any]:
    return {"step": f.step, "side": f.side, "timestamp_ms": f.timestamp_ms, "type": f.strike,
            "type_key": f"foot_landing.{f.strike}" if f.strike else None,
            "foot_angle": rounded(f.foot_angle_deg, 1), "confidence": rounded(f.confidence, 2)}


def joint_angles_json(a: JointAngles, joint: str) -> dict[str, Any]:
    return {"touch_down": rounded(a.touch_down, 1), "mid_stance": rounded(a.mid_stance, 1),
            "toe_off": rounded(a.toe_off, 1), "range": rounded(a.range, 1), "unit": "deg",
            "title_key": f"joint.{joint}"}


@to_json.register
def running_style_json(s: RunningStyle) -> dict[str, Any]:
    return {"style": s.style, "confidence": round(s.confidence_pct, 1),
            "title_key": f"style.{s.style}.title",
            "description_key": f"style.{s.style}.description"}


@to_json.register
def side_view_json(r: SideViewResult) -> dict[str, Any]:
    """``calculated_data`` of a side view (before translation)."""
    counts = {k: sum(1 for f in r.foot_landing if f.strike == k)
              for k in ("rearfoot", "midfoot", "forefoot")}
    dominant = max(counts, key=lambda k: counts[k]) if any(counts.values()) else None
    return {
        "total_score": rounded(r.total_score, 2),
        "total_score_key": r.total_score_key,
        "metrics": {k: metric_json(m) for k, m in r.metrics.items()},
        "overstride": overstride_json(r.overstride),
        "foot_landing": {"steps": [foot_landing_json(f) for f in r.foot_landing],
                         "counts": counts, "dominant": dominant},
        "joint_angles": {k: joint_angles_json(v, k) for k, v in r.joint_angles.items()},
        "running_styles": [running_style_json(s) for s in r.running_styles],
        "gait_events": gait_events_json(r.events),
        "flags": list(r.flags),
        "info": to_json(r.info),
    }


@to_json.register
def back_step_json(s: BackStep) -> dict[str, Any]:
    return {"step": s.step, "side": s.side, "touch_down_ms": s.td_ms, "toe_off_ms": s.to_ms,
            "contact_ms": rounded(s.contact_ms, 0),
            **{k: rounded(v, 1) for k, v in s.values.items()},
            "peaks": {k: rounded(v, 1) for k, v in s.peaks.items()},
            "confidence": round(s.confidence, 2)}


@to_json.register
def leg_summary_json(leg: LegSummary) -> dict[str, Any]:
    out: dict[str, Any] = {"n_steps": leg.n_steps, "title_key": f"side.{leg.side}"}
    for k, v in leg.means.items():
        out[k] = {"value": rounded(v, 1), "unit": "deg", "title_key": f"back.{k}",
                  "advice": leg.advice.get(k)}
        if k in leg.reasons:
            out[k]["reason"] = leg.reasons[k]
    return out


@to_json.register
def back_view_json(r: BackViewResult) -> dict[str, Any]:
    """``calculated_data`` of a back view (before translation)."""
    return {
        "gait_cycle": {
            "title_key": "gait_cycle.title",
            "full_body": r.full_body,
            "stance_means": {s: leg_summary_json(leg) for s, leg in r.legs.items()},
            "steps": [back_step_json(s) for s in r.steps],
        },
        "gait_events": gait_events_json(r.events),
        "flags": list(r.flags),
        "info": to_json(r.info),
    }


def running_json(result: SideViewResult | BackViewResult) -> dict[str, Any]:
    """The stored wire body of either view."""
    if not isinstance(result, (SideViewResult, BackViewResult)):
        raise TypeError(f"not a running result: {type(result).__qualname__}")
    return to_json(result)


__all__ = ["back_step_json", "back_view_json", "foot_landing_json", "joint_angles_json",
           "leg_summary_json", "metric_json", "overstride_json", "running_json",
           "running_style_json", "side_view_json"]
