"""Recognition cues: the vocabulary each activity's recognition rule is written in.

A rule (``ActivitySpec.recognize``) maps a clip's :class:`Cues` to a score: 0 when every cue is
inside the range the activity expects, negative (soft, quadratic) outside. Cues are clip-level
statistics computed by :func:`repstride.analysis.recognition.clip_stats` (angles in degrees,
heights in torso lengths, shares in 0..1); a statistic the clip cannot support is NaN (unknown).

:func:`soft` turns one statistic into a penalty; the properties of :class:`Cues` are the terms
several activities share (upright, lying, legs still, no travel...). Writing a new activity's
rule needs nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def soft(x: float, lo: float | None = None, hi: float | None = None, width: float = 1.0,
         missing: float = -2.0) -> float:
    """0 inside ``[lo, hi]``, ``-((distance) / width) ** 2`` outside, capped at -8.

    An unknown ``x`` (NaN) gives ``missing``: -2 for evidence that *defines* the activity (the
    clip cannot show it), 0 for evidence that only refines it (joints out of frame are no
    evidence against).
    """
    if not math.isfinite(x):
        return missing
    d = 0.0
    if lo is not None and x < lo:
        d = (lo - x) / width
    elif hi is not None and x > hi:
        d = (x - hi) / width
    return -min(8.0, d * d)


@dataclass(frozen=True)
class Cues:
    """Clip statistics by name (``cues["knee_range"]``) plus the shared terms below.

    A missing name reads as NaN (unknown), so a rule may use a statistic a clip lacks.
    """

    stats: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return float(self.stats.get(name, float("nan")))

    @property
    def up(self) -> float:
        """Trunk upright most of the time (within 35 deg of the up direction)."""
        return soft(self["trunk_med"], hi=35, width=12)

    @property
    def flat(self) -> float:
        """Trunk roughly horizontal most of the time (lying, plank)."""
        return soft(self["trunk_med"], lo=55, width=12)

    @property
    def still_legs_if_seen(self) -> float:
        """Knees and hips move little; legs out of frame are no evidence against."""
        return (soft(self["knee_range"], hi=30, width=12, missing=0.0)
                + soft(self["hip_range"], hi=35, width=12, missing=0.0))

    @property
    def no_travel(self) -> float:
        """The hips stay in place (travel under 0.8 body heights)."""
        return soft(self["travel"], hi=0.8, width=0.4)

    @property
    def legs_together(self) -> float:
        """Both legs do the same thing (no alternation)."""
        return (soft(self["knee_alternation"], hi=1.0, width=0.3)
                + soft(self["hip_alternation"], hi=0.7, width=0.2))

    @property
    def overhead(self) -> float:
        """Wrists above the shoulders most of the time."""
        return (soft(self["wrist_sh_hi"], lo=0.7, width=0.25)
                + soft(self["wrist_sh_med"], lo=0.2, width=0.25))

    @property
    def not_overhead(self) -> float:
        """Wrists stay below the shoulders."""
        return soft(self["wrist_sh_hi"], hi=0.5, width=0.3)

    @property
    def barbell(self) -> float:
        """Hands on a bar across the back/front: wrists at shoulder height, wider than them."""
        return (soft(self["wrist_sh_med"], lo=-0.35, hi=0.45, width=0.2)
                + soft(self["wrist_spread_med"], lo=1.45, width=0.15)
                # ... and stays there: a bar on the back or front rack moves with the shoulders
                + soft(self["wrist_sh_iqr"], hi=0.5, width=0.2, missing=0.0))

    @property
    def bar_grip(self) -> float:
        """Both hands on one bar: at least a little wider than the shoulders (a kettlebell or
        dumbbell held in both hands brings them together)."""
        return soft(self["wrist_spread_med"], lo=1.1, width=0.15, missing=0.0)

    @property
    def travelling(self) -> float:
        """The body crosses the ground: the hips travel several body heights."""
        return soft(self["travel"], lo=2.0, width=0.5)

    @property
    def floor_to_overhead(self) -> float:
        """A bar from below the knees to overhead, the hips hinging to get it (Olympic lifts)."""
        return (soft(self["wrist_hip_range"], lo=2.0, width=0.4)
                + soft(self["wrist_sh_hi"], lo=0.7, width=0.3)
                + soft(self["wrist_hip_lo"], hi=-0.3, width=0.25)
                + soft(self["hip_range"], lo=45, width=15))
