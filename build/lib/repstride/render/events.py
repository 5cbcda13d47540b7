"""Gait events (foot contact / toe-off) as plain data, for drawing and charts.

Render does not depend on the running engineers' result classes: callers pass events as plain
mappings ``{"time_s": 1.23, "kind": "contact" | "toe_off", "side": "left" | "right"}``
(``time_ms`` instead of ``time_s`` is accepted too), :class:`GaitEvent` objects, or any object
with those attributes (the running analysis' ``TD``/``TO`` events work as they are). For the Video
API's sprint result, :func:`events_from_strides` derives them from the strides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from repstride.analysis.results import ActivityResult
from repstride.errors import InvalidInput

Kind = Literal["contact", "toe_off"]
Side = Literal["left", "right"]

_KIND_ALIASES: dict[str, Kind] = {
    "contact": "contact", "foot_strike": "contact", "touch_down": "contact",
    "touchdown": "contact", "initial_contact": "contact", "heel_strike": "contact", "td": "contact",
    "toe_off": "toe_off", "to": "toe_off", "foot_off": "toe_off", "takeoff": "toe_off", "lift_off": "toe_off",
}
_SIDE_ALIASES: dict[str, Side] = {"left": "left", "l": "left", "right": "right", "r": "right"}


@dataclass(frozen=True)
class GaitEvent:
    time_s: float
    kind: Kind
    side: Side


@dataclass(frozen=True)
class Step:
    """One ground contact and the flight after it; times in seconds, durations ``None`` if unknown."""

    side: Side
    contact_s: float
    toe_off_s: float | None
    next_contact_s: float | None

    @property
    def contact_ms(self) -> float | None:
        return None if self.toe_off_s is None else 1000.0 * (self.toe_off_s - self.contact_s)

    @property
    def flight_ms(self) -> float | None:
        if self.toe_off_s is None or self.next_contact_s is None:
            return None
        return 1000.0 * (self.next_contact_s - self.toe_off_s)


def _get(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return None


def parse_events(events: Iterable[Any] | None) -> tuple[GaitEvent, ...]:
    """Normalise events to :class:`GaitEvent`, sorted by time. Raises ``InvalidInput`` on bad ones.

    Accepts mappings or objects with ``time_s``, ``kind`` and ``side`` (``kind`` may also be
    ``TD``/``TO``, ``foot_strike``, ``touch_down``, ...).
    """
    out: list[GaitEvent] = []
    for i, e in enumerate(events or ()):
        if isinstance(e, GaitEvent):
            out.append(e)
            continue
        if not isinstance(e, Mapping):
            # any object with the same attribute names (e.g. the running analysis' own events)
            e = {k: getattr(e, k) for k in ("time_s", "kind", "side") if hasattr(e, k)}
        t = _get(e, "time_s", "t_s")
        if t is None:
            ms = _get(e, "time_ms", "timestamp_ms", "timestampMs")
            t = None if ms is None else float(ms) / 1000.0
        kind = _KIND_ALIASES.get(str(_get(e, "kind", "type", "event") or "").lower())
        side = _SIDE_ALIASES.get(str(_get(e, "side", "foot", "leg") or "").lower())
        if t is None or kind is None or side is None:
            raise InvalidInput(f"gait event {i} needs time_s, kind (contact|toe_off) and side "
                               f"(left|right), got {dict(e)!r}")
        out.append(GaitEvent(time_s=float(t), kind=kind, side=side))
    return tuple(sorted(out, key=lambda ev: ev.time_s))


def events_from_strides(analysis: ActivityResult | None) -> tuple[GaitEvent, ...]:
    """Sprint strides -> events: a stride starts at the swing foot's toe-off and ends at its contact."""
    if analysis is None or analysis.activity != "sprint":
        return ()
    out: list[GaitEvent] = []
    for rep in analysis.reps:
        left = next((a.scalar for a in rep.analyses if a.type == "IS_LEFT_LEG"), None)
        if left is None:
            continue
        side: Side = "left" if left >= 0.5 else "right"
        out.append(GaitEvent(rep.start_ms / 1000.0, "toe_off", side))
        out.append(GaitEvent(rep.end_ms / 1000.0, "contact", side))
    return tuple(sorted(out, key=lambda ev: ev.time_s))


def stance_intervals(events: Iterable[GaitEvent]) -> list[tuple[Side, float, float]]:
    """``(side, contact_s, toe_off_s)`` for every contact followed by a toe-off of the same foot.

    Unpaired events at the ends of the clip are left out rather than guessed.
    """
    out: list[tuple[Side, float, float]] = []
    for side in ("left", "right"):
        evs = [e for e in events if e.side == side]
        for e, nxt in zip(evs, evs[1:]):
            if e.kind == "contact" and nxt.kind == "toe_off":
                out.append((side, e.time_s, nxt.time_s))  # type: ignore[arg-type]
    return sorted(out, key=lambda s: s[1])


def steps(events: Iterable[GaitEvent]) -> list[Step]:
    """Each contact (either foot) with its toe-off and the next contact of the other foot."""
    evs = sorted(events, key=lambda e: e.time_s)
    out: list[Step] = []
    for i, e in enumerate(evs):
        if e.kind != "contact":
            continue
        later = evs[i + 1:]
        toe = next((x for x in later if x.side == e.side), None)
        toe_s = toe.time_s if toe is not None and toe.kind == "toe_off" else None
        nxt = next((x for x in later if x.kind == "contact" and x.side != e.side), None)
        out.append(Step(side=e.side, contact_s=e.time_s, toe_off_s=toe_s,
                        next_contact_s=None if nxt is None else nxt.time_s))
    return out
