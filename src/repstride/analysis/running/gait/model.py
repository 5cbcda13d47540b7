"""Gait events as data: one event, one contact, and all contacts of a track with their
derived timings (cadence, contact, flight and stride times)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running.gait.params import FLAG_SLOW_MOTION_SUSPECTED, MIN_CONTACT_FPS

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
View = Literal["side", "back"]
EventKind = Literal["TD", "TO"]


@dataclass(frozen=True)
class GaitEvent:
    """One touch-down or toe-off: found by :func:`detect_gait_events`, or given by a caller
    (the renderer draws events from either; those carry no ``frame`` or ``confidence``).

    Attributes
    ----------
    kind : ``"TD"`` or ``"TO"``
        Touch-down (foot contact) or toe-off.
    side : ``"left"`` or ``"right"`` (after label-swap correction)
    time_s : float
        Sub-frame event time in seconds of real time from the start of the video.
    frame : int, optional
        Track row of the event: TD = first row in contact, TO = last row in contact.
    confidence : float, optional
        0..1: joint visibility around the event times the sharpness of the crossing.
    """

    kind: EventKind
    side: Side
    time_s: float
    frame: int | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Contact:
    """One ground contact of one foot: ``td`` then ``to``."""

    side: Side
    td: GaitEvent
    to: GaitEvent

    @property
    def duration_s(self) -> float:
        return self.to.time_s - self.td.time_s

    @property
    def confidence(self) -> float:
        return min(self.td.confidence or 0.0, self.to.confidence or 0.0)


@dataclass(frozen=True)
class GaitEvents:
    """All contacts found in a track, sorted by touch-down time.

    ``direction`` is +1 when the runner faces / moves towards +x of the image (right), -1
    otherwise (0 for the back view). ``leg_length_px`` is the hip-to-ankle length used as scale.
    ``stance_speed_px_s`` is how fast a foot on the ground moves backwards relative to the pelvis
    (image pixels per second of real time): the running speed in pixels.
    """

    contacts: tuple[Contact, ...]
    fps: float
    view: View
    direction: int
    leg_length_px: float
    stance_speed_px_s: float
    slow_motion_factor: float = 1.0
    label_swaps: int = 0
    flags: tuple[str, ...] = ()
    #: (T,) bool per side: foot in contact, on the track's rows.
    contact_mask: dict[str, NDArray[np.bool_]] = field(default_factory=dict, compare=False)
    #: (T, J, 2) pixels with low-visibility joints blanked and left/right leg swaps undone: use
    #: these (not the raw track) for per-leg angles so they agree with the events' sides.
    points: FloatArray | None = field(default=None, compare=False, repr=False)
    #: (T,) real-time seconds of each row.
    times_s: FloatArray | None = field(default=None, compare=False, repr=False)

    @property
    def low_resolution(self) -> bool:
        """True when the real-time frame rate is below :data:`MIN_CONTACT_FPS`."""
        return self.fps * self.slow_motion_factor < MIN_CONTACT_FPS

    @property
    def slow_motion_suspected(self) -> bool:
        """True when the video looks like undeclared slow motion: its durations are video time
        stretched by an unknown factor, so callers report them as null (with the video-time
        value beside) rather than as real-time figures."""
        return FLAG_SLOW_MOTION_SUSPECTED in self.flags

    @property
    def events(self) -> tuple[GaitEvent, ...]:
        evs = [e for c in self.contacts for e in (c.td, c.to)]
        return tuple(sorted(evs, key=lambda e: e.time_s))

    def contacts_of(self, side: Side) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.side == side)

    def stride_times_s(self) -> FloatArray:
        """TD-to-TD times of the same foot (both feet), seconds."""
        out: list[float] = []
        for side in ("left", "right"):
            tds = [c.td.time_s for c in self.contacts_of(side)]
            out += list(np.diff(tds))
        return np.asarray([s for s in out if 0.3 < s < 3.0 * self.typical_stride_s()], float)

    def typical_stride_s(self) -> float:
        """Median TD-to-TD time of the same foot (seconds), inf when unknown."""
        tds = {s: [c.td.time_s for c in self.contacts_of(s)] for s in ("left", "right")}
        d = [x for s in tds for x in np.diff(tds[s])]
        return float(np.median(d)) if d else math.inf

    def step_times_s(self) -> FloatArray:
        """TD-to-TD times of consecutive contacts of opposite feet, seconds."""
        cs = self.contacts
        st = self.typical_stride_s()
        out = [b.td.time_s - a.td.time_s for a, b in zip(cs, cs[1:]) if a.side != b.side]
        return np.asarray([s for s in out if s < 0.75 * st], float)

    def cadence_spm(self) -> float | None:
        """Steps per minute.

        Every touch-down is given its step number (time since the first one in units of the
        median half stride, rounded) and the step time is the least-squares slope of time
        against step number: it uses the whole clip, and a missed contact leaves a gap in the
        numbering rather than a long step.
        """
        strides = self.stride_times_s()
        if strides.size:
            step = float(np.median(strides)) / 2.0
            tds = np.array(sorted(c.td.time_s for c in self.contacts))
            k = np.round((tds - tds[0]) / step)
            if np.unique(k).size >= 3:
                slope = float(np.polyfit(k, tds, 1)[0])
                if slope > 0 and abs(slope - step) < 0.2 * step:
                    return 60.0 / slope
            return 120.0 / float(np.median(strides))
        steps = self.step_times_s()
        return 60.0 / float(np.median(steps)) if steps.size else None

    def contact_times_s(self) -> FloatArray:
        return np.asarray([c.duration_s for c in self.contacts], float)

    def duty_factor(self) -> float | None:
        """Mean contact time over the median stride time (ratio; None when either is unknown).
        Below 0.5 a run (a flight phase in each step), at or above it a walk."""
        gct, strides = self.contact_times_s(), self.stride_times_s()
        if not (gct.size and strides.size):
            return None
        return float(np.mean(gct)) / float(np.median(strides))

    def flight_times_s(self) -> FloatArray:
        """TO of one foot to the TD of the other foot (negative = double support)."""
        cs = self.contacts
        st = self.typical_stride_s()
        return np.asarray([b.td.time_s - a.to.time_s for a, b in zip(cs, cs[1:])
                           if a.side != b.side and b.td.time_s - a.td.time_s < 0.75 * st], float)

