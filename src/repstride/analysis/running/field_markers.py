"""Field markers (yard lines, cones) as data, and distance along the track from them.

Detection from video frames lives in :mod:`repstride.vision.field_markers`; this module is pure
geometry so :func:`~repstride.analysis.running.sprint.analyze_sprint` can take markers that were
found elsewhere. Positions are in pixels of the displayed frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

MarkerType = Literal["YARD_LINE", "CONE"]

#: One yard in metres; the seed's lines are 0, 5 and 10 yards.
YARD_M = 0.9144
MIDDLE_YARDS = 5.0
FINISH_YARDS = 10.0


@dataclass(frozen=True)
class FieldMarker:
    """A yard line (segment ``x1,y1 -> x2,y2``) or a cone (box ``x1,y1,x2,y2``), pixels."""

    type: MarkerType
    x1: float
    y1: float
    x2: float
    y2: float
    frame_idx: int
    timestamp_ms: int

    def x_at(self, y: float) -> float:
        """Image x of the marker at image row ``y`` (a cone is a point: its box centre)."""
        if self.type == "CONE" or abs(self.y2 - self.y1) < 1e-6:
            return (self.x1 + self.x2) / 2.0
        f = (y - self.y1) / (self.y2 - self.y1)
        return self.x1 + f * (self.x2 - self.x1)


@dataclass(frozen=True)
class FieldMarkers:
    """The seed's ``fieldMarkers``: 0-yard start, 5-yard middle, 10-yard finish lines, cones."""

    start_line: FieldMarker | None = None
    middle_line: FieldMarker | None = None
    finish_line: FieldMarker | None = None
    cones: tuple[FieldMarker, ...] = ()

    @property
    def empty(self) -> bool:
        return (self.start_line is None and self.middle_line is None
                and self.finish_line is None and not self.cones)

    def references(self) -> list[tuple[FieldMarker, float]]:
        """``(marker, metres from the start)`` pairs usable for distance (at least two)."""
        refs: list[tuple[FieldMarker, float]] = []
        if self.start_line is not None:
            refs.append((self.start_line, 0.0))
        if self.middle_line is not None:
            refs.append((self.middle_line, MIDDLE_YARDS * YARD_M))
        if self.finish_line is not None:
            refs.append((self.finish_line, FINISH_YARDS * YARD_M))
        if len(refs) < 2 and len(self.cones) >= 2:
            # Start and end cones mark 10 yards; the runner meets the start cone first.
            refs = [(self.cones[0], 0.0), (self.cones[-1], FINISH_YARDS * YARD_M)]
        return refs if len(refs) >= 2 else []


def distance_from_markers(x: np.ndarray, y_ground: float, markers: FieldMarkers
                          ) -> np.ndarray | None:
    """Metres from the start line for image x positions ``x`` at ground row ``y_ground``.

    Piecewise-linear between the markers' x at that row (extrapolated beyond them with the
    nearest segment's scale), so perspective along the track is followed marker to marker.
    Negative before the start line. ``None`` when fewer than two markers are usable.
    """
    refs = markers.references()
    if not refs:
        return None
    xs = np.array([m.x_at(y_ground) for m, _ in refs], float)
    ds = np.array([d for _, d in refs], float)
    order = np.argsort(xs)
    xs, ds = xs[order], ds[order]
    if np.any(np.diff(xs) <= 0):
        return None
    x = np.asarray(x, float)
    out = np.interp(x, xs, ds)
    lo_slope = (ds[1] - ds[0]) / (xs[1] - xs[0])
    hi_slope = (ds[-1] - ds[-2]) / (xs[-1] - xs[-2])
    out = np.where(x < xs[0], ds[0] + (x - xs[0]) * lo_slope, out)
    out = np.where(x > xs[-1], ds[-1] + (x - xs[-1]) * hi_slope, out)
    return out
