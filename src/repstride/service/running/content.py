"""``analysis_content``: the Running Analysis API's results as Ochy shapes them.

One block per aspect of running form, scored from a metric repstride measured (never invented):
side view ``arm``, ``back_cycle``, ``foot``, ``forward_cycle``, ``head``, ``trunk``; back view
``knee_adduction``, ``pelvic_drop``, ``pronation``, each per leg (``left`` / ``right``). Each
block has ``score_number`` (0..1), ``range_good`` / ``range_okay`` (``range_bad`` for one-sided
blocks) in the metric's unit, the measured ``value`` and a coach's ``texts`` (``title``,
``position``, ``recap[]``, ``exercice[]`` -- Ochy's spelling -- in the request's language).

:data:`BLOCKS` is the one table of the mapping metric -> block and of the ranges; thresholds the
analysis already has are imported from it, never copied. :func:`analysis_content` is the one call
the result body makes; it reads the analysis' stored wire body (``repstride.wire.running``'s
``side_view_json`` / ``back_view_json``). Documented in ``docs/running_api.md`` ("analysis_content").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from repstride.analysis.running.back_view import (
    KNEE_VALGUS_DEG, KNEE_VARUS_DEG, PELVIC_DROP_HIGH_DEG, PRONATION_OVER_DEG, PRONATION_UNDER_DEG,
)
from repstride.analysis.running.side_metrics import OVERSTRIDE_BAD_DEG, OVERSTRIDE_GOOD_DEG
from repstride.i18n import translate

Bound = float | None  # None: the range is open on that side

#: Reasons a block has no score (message keys). A measure left out because the client asked for
#: pronation only (``full_body=false``), and a measure with too few usable steps.
REASON_NOT_REQUESTED = "content.reason.not_requested"
REASON_TOO_FEW_STEPS = "reason.too_few_steps"


@dataclass(frozen=True)
class Band:
    """Score of a value: 1 inside ``good``, falling linearly to 0 at ``bad`` (0 beyond it).

    ``good`` and ``bad`` are (low, high) edges; ``None`` leaves that side open (any value that
    way is good). The okay edge is halfway between the good and the bad edge (score 0.5).
    """

    good: tuple[Bound, Bound]
    bad: tuple[Bound, Bound]

    def __post_init__(self) -> None:
        (gl, gh), (bl, bh) = self.good, self.bad
        assert (gl is None) == (bl is None) and (gh is None) == (bh is None), "open sides differ"
        assert gl is None or bl is None or bl < gl, "bad edge must lie below the good edge"
        assert gh is None or bh is None or bh > gh, "bad edge must lie above the good edge"

    @property
    def okay(self) -> tuple[Bound, Bound]:
        (gl, gh), (bl, bh) = self.good, self.bad
        return (None if gl is None or bl is None else (gl + bl) / 2.0,
                None if gh is None or bh is None else (gh + bh) / 2.0)

    def direction(self, v: float) -> str:
        """``good`` inside the good range, else ``low`` / ``high`` (the side it left by)."""
        lo, hi = self.good
        if lo is not None and v < lo:
            return "low"
        if hi is not None and v > hi:
            return "high"
        return "good"

    def score(self, v: float) -> float:
        d = self.direction(v)
        if d == "good":
            return 1.0
        i = 0 if d == "low" else 1
        g, b = self.good[i], self.bad[i]
        assert g is not None and b is not None
        return max(0.0, 1.0 - (v - g) / (b - g))

    def verdict(self, v: float) -> str:
        s = self.score(v)
        return "good" if s >= 1.0 else "okay" if s >= 0.5 else "bad"

    def ranges(self) -> dict[str, list[Bound]]:
        out: dict[str, list[Bound]] = {"range_good": _pair(self.good),
                                       "range_okay": _pair(self.okay)}
        lo, hi = self.okay
        if (lo is None) != (hi is None):  # one-sided: "bad" is one interval
            out["range_bad"] = [hi, None] if lo is None else [None, lo]
        return out


def _pair(p: tuple[Bound, Bound]) -> list[Bound]:
    return [None if v is None else round(v, 2) for v in p]


#: A reader gets the analysis' wire body (and the leg for back-view blocks) and returns the value
#: and, when it is None, the reason key.
Reader = Callable[[Mapping[str, Any], str], tuple[float | None, str | None]]


@dataclass(frozen=True)
class Block:
    metric: str  # where the value comes from in the calculated data (documented)
    unit: str
    band: Band
    read: Reader
    #: Recommended exercises (``exercise.<id>`` keys) per direction out of the good range.
    exercises: Mapping[str, tuple[str, ...]]


def _joint(joint: str, phase: str, sign: float = 1.0) -> Reader:
    def read(wire: Mapping[str, Any], _leg: str) -> tuple[float | None, str | None]:
        v = (wire.get("joint_angles") or {}).get(joint, {}).get(phase)
        return (None, REASON_TOO_FEW_STEPS) if v is None else (sign * float(v), None)
    return read


def _overstride(wire: Mapping[str, Any], _leg: str) -> tuple[float | None, str | None]:
    v = (wire.get("overstride") or {}).get("angle")
    return (None, REASON_TOO_FEW_STEPS) if v is None else (float(v), None)


def _stance_mean(measure: str) -> Reader:
    def read(wire: Mapping[str, Any], leg: str) -> tuple[float | None, str | None]:
        legs = (wire.get("gait_cycle") or {}).get("stance_means") or {}
        m = (legs.get(leg) or {}).get(measure)
        if m is None:  # full_body=false: only pronation was measured
            return None, REASON_NOT_REQUESTED
        if m.get("value") is None:
            return None, m.get("reason") or REASON_TOO_FEW_STEPS
        return float(m["value"]), None
    return read


#: The mapping metric -> block and its ranges (degrees). Side view (joint angles are medians over
#: steps, see docs/running.md):
#:
#: - ``arm``: elbow flexion at mid-stance (0 = straight arm); about 90 deg is the usual cue.
#: - ``back_cycle``: hip extension at toe-off (thigh behind the trunk line, = -hip angle at TO).
#: - ``foot``: overstride, the shank angle at touch-down; the analysis' own score edges.
#: - ``forward_cycle``: knee range of motion over the stride (its swing-phase fold).
#: - ``head``: head ahead of the trunk line at mid-stance (0 = ear, shoulder, hip in line).
#: - ``trunk``: forward trunk lean at mid-stance.
#:
#: Back view, per leg: the stance means of knee adduction (+ varus, - valgus), pelvic drop
#: (+ swing-side hip lower) and the pronation proxy (+ eversion), with the analysis' advice
#: thresholds as the good edges. Ranges not taken from the analysis are repstride's coaching
#: conventions, not validated cut-offs.
SIDE_BLOCKS: dict[str, Block] = {
    "arm": Block("joint_angles.elbow.mid_stance", "deg", Band((70.0, 110.0), (40.0, 140.0)),
                 _joint("elbow", "mid_stance"),
                 {"low": ("arm_swing_drill", "band_row"),
                  "high": ("arm_swing_drill", "shoulder_mobility")}),
    "back_cycle": Block("-joint_angles.hip.toe_off", "deg", Band((5.0, 25.0), (-5.0, 40.0)),
                        _joint("hip", "toe_off", sign=-1.0),
                        {"low": ("hip_flexor_stretch", "glute_bridge"),
                         "high": ("butt_kicks", "a_skip")}),
    "foot": Block("overstride.angle", "deg",
                  Band((None, OVERSTRIDE_GOOD_DEG), (None, OVERSTRIDE_BAD_DEG)), _overstride,
                  {"high": ("cadence_drill", "a_skip")}),
    "forward_cycle": Block("joint_angles.knee.range", "deg", Band((80.0, None), (50.0, None)),
                           _joint("knee", "range"), {"low": ("butt_kicks", "high_knees")}),
    "head": Block("joint_angles.head.mid_stance", "deg", Band((-10.0, 20.0), (-30.0, 50.0)),
                  _joint("head", "mid_stance"),
                  {"low": ("chin_tuck",), "high": ("chin_tuck", "thoracic_mobility")}),
    "trunk": Block("joint_angles.trunk.mid_stance", "deg", Band((0.0, 15.0), (-15.0, 30.0)),
                   _joint("trunk", "mid_stance"),
                   {"low": ("wall_lean_drill", "plank"),
                    "high": ("plank", "hip_flexor_stretch")}),
}
#: Back-view bad edges: the good edge moved out by this many degrees (score 0.5 at half of it).
BACK_FALLOFF_DEG = 8.0
BACK_BLOCKS: dict[str, Block] = {
    "knee_adduction": Block(
        "gait_cycle.stance_means.<leg>.knee_adduction", "deg",
        Band((KNEE_VALGUS_DEG, KNEE_VARUS_DEG),
             (KNEE_VALGUS_DEG - BACK_FALLOFF_DEG, KNEE_VARUS_DEG + BACK_FALLOFF_DEG)),
        _stance_mean("knee_adduction"),
        {"low": ("clamshell", "single_leg_squat", "lateral_band_walk"),
         "high": ("single_leg_balance", "single_leg_squat")}),
    "pelvic_drop": Block(
        "gait_cycle.stance_means.<leg>.pelvic_drop", "deg",
        Band((None, PELVIC_DROP_HIGH_DEG), (None, PELVIC_DROP_HIGH_DEG + BACK_FALLOFF_DEG)),
        _stance_mean("pelvic_drop"),
        {"high": ("side_plank", "clamshell", "lateral_band_walk")}),
    "pronation": Block(
        "gait_cycle.stance_means.<leg>.pronation", "deg",
        Band((PRONATION_UNDER_DEG, PRONATION_OVER_DEG),
             (PRONATION_UNDER_DEG - BACK_FALLOFF_DEG, PRONATION_OVER_DEG + BACK_FALLOFF_DEG)),
        _stance_mean("pronation"),
        {"low": ("ankle_mobility", "calf_raise"),
         "high": ("short_foot", "calf_raise", "single_leg_balance")}),
}
BLOCKS: dict[str, dict[str, Block]] = {"side_view": SIDE_BLOCKS, "back_view": BACK_BLOCKS}
LEGS = ("left", "right")
#: Number of recap lines per direction (``content.<block>.<direction>.recap.<n>``).
RECAP_LINES = {"good": 1, "low": 2, "high": 2}


def directions(block: Block) -> tuple[str, ...]:
    """The directions a block can take (``good`` and the sides its good range is closed on)."""
    lo, hi = block.band.good
    return ("good",) + (("low",) if lo is not None else ()) + (("high",) if hi is not None else ())


def message_keys() -> set[str]:
    """Every catalog key :func:`analysis_content` can use (the catalog test checks them)."""
    keys = {REASON_NOT_REQUESTED, REASON_TOO_FEW_STEPS}
    for blocks in BLOCKS.values():
        for name, block in blocks.items():
            keys.add(f"content.{name}.title")
            for d in directions(block):
                keys.add(f"content.{name}.{d}.position")
                keys |= {f"content.{name}.{d}.recap.{i}" for i in range(1, RECAP_LINES[d] + 1)}
            keys |= {f"exercise.{e}" for ex in block.exercises.values() for e in ex}
    keys |= {f"foot_landing.{s}" for s in ("rearfoot", "midfoot", "forefoot")}
    return keys


def content_block(name: str, block: Block, wire: Mapping[str, Any], lang: str,
                  leg: str = "") -> dict[str, Any]:
    """One block in ``lang``: score, ranges, value and texts; score ``None`` with the reason (and
    no position, recap or exercises) when the metric was not measured."""
    value, reason = block.read(wire, leg)
    if value is not None and not math.isfinite(value):
        value, reason = None, REASON_TOO_FEW_STEPS
    out: dict[str, Any] = {"score_number": None, **block.band.ranges(), "value": None,
                           "unit": block.unit, "metric": block.metric, "verdict": None}
    texts: dict[str, Any] = {"title": translate(f"content.{name}.title", lang), "position": None,
                             "recap": [], "exercice": [], "exercice_keys": []}
    if value is None:
        out.update(reason=translate(reason or REASON_TOO_FEW_STEPS, lang),
                   reason_key=reason or REASON_TOO_FEW_STEPS)
    else:
        d = block.band.direction(value)
        exercises = block.exercises.get(d, ())
        out.update(score_number=round(block.band.score(value), 3), value=round(value, 1),
                   verdict=block.band.verdict(value))
        texts.update(
            position=translate(f"content.{name}.{d}.position", lang),
            recap=[translate(f"content.{name}.{d}.recap.{i}", lang)
                   for i in range(1, RECAP_LINES[d] + 1)],
            exercice=[translate(f"exercise.{e}", lang) for e in exercises],
            exercice_keys=list(exercises))
    out["texts"] = texts
    return out


def analysis_content(wire: Mapping[str, Any] | None, analysis_type: str, lang: str
                     ) -> dict[str, Any]:
    """The ``analysis_content`` of an analysis' wire body in ``lang`` (``{}`` for an unknown
    analysis type). Back-view blocks are ``{"left": block, "right": block}``."""
    wire = wire or {}
    blocks = BLOCKS.get(analysis_type, {})
    if analysis_type == "back_view":
        return {name: {leg: content_block(name, b, wire, lang, leg) for leg in LEGS}
                for name, b in blocks.items()}
    out = {name: content_block(name, b, wire, lang) for name, b in blocks.items()}
    if "foot" in out:
        dominant = (wire.get("foot_landing") or {}).get("dominant")
        out["foot"]["foot_strike_pattern"] = dominant
        out["foot"]["texts"]["foot_strike"] = (translate(f"foot_landing.{dominant}", lang)
                                               if dominant else None)
    return out


__all__ = ["BLOCKS", "BACK_BLOCKS", "SIDE_BLOCKS", "Band", "Block", "analysis_content",
           "content_block", "directions", "message_keys"]
