"""JSON of the gait events and the view check, shared by the Video API's sprint
(``repstride.gaitEvents``) and the Running Analysis API (``gait_events``, ``info.view``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from repstride.analysis.running.gait import GaitEvent, GaitEvents
from repstride.analysis.running.view import ViewCheck
from repstride.wire.tree import to_json


class GaitEventOut(BaseModel):
    type: str
    side: str
    timestampMs: int
    frame: int | None
    confidence: float | None


class GaitEventsOut(BaseModel):
    events: list[GaitEventOut]
    lowResolution: bool
    flags: list[str]


@to_json.register
def gait_event_json(e: GaitEvent) -> dict[str, Any]:
    return {"type": e.kind, "side": e.side, "timestampMs": round(e.time_s * 1000.0),
            "frame": e.frame,
            "confidence": None if e.confidence is None else round(e.confidence, 3)}


@to_json.register
def gait_events_json(ev: GaitEvents) -> dict[str, Any]:
    return {"events": [gait_event_json(e) for e in ev.events],
            "lowResolution": ev.low_resolution, "flags": list(ev.flags)}


@to_json.register
def view_check_json(v: ViewCheck) -> dict[str, Any]:
    return {"hip_width_leg_lengths": round(v.hip_width, 3), "facing": v.facing,
            "facing_cue": v.facing_cue}


__all__ = ["GaitEventOut", "GaitEventsOut", "gait_event_json", "gait_events_json",
           "view_check_json"]
