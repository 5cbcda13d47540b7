"""Declarative specs of the 16 exercise activities: rep signal, direction, thresholds, analyses.

Signals are named :class:`~repstride.analysis.exercise.features.Features` entries. ``{a}`` in an
analysis signal is replaced by the rep's active side (``left``/``right``) and ``{p}`` by the other
(passive) side for one-limb activities. Every analysis type is documented in docs/analyses.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Reduce = Literal[
    "at_mid",        # value at the deepest/peak frame (median of +-2 frames)
    "min", "max",    # over the rep (start..end)
    "ends_max",      # max around the rep's start and end (+-0.5 s; lockout at the rest position)
    "duration",      # end - start, ms
    "hold",          # time within 10 % of the extreme, ms
    "ecc_con",       # (mid - start) / (end - mid)
    "sinuosity",     # wrists' path length / straight path - 1, percent
]


@dataclass(frozen=True)
class AnalysisSpec:
    """One per-rep analysis: ``type`` on the wire, how it is computed, and its standard."""

    type: str
    signal: str
    reduce: Reduce
    #: ``good`` when ``good_min <= value <= good_max`` (either bound optional); no opinion
    #: when both are ``None``.
    good_min: float | None = None
    good_max: float | None = None


@dataclass(frozen=True)
class ActivitySpec:
    """How one activity's reps are found and judged."""

    name: str
    #: rep signal; for ``per_side`` activities a stem completed with ``_left``/``_right``
    signal: str
    direction: Literal["up", "down"]
    #: minimum range of motion of a counted rep, in the signal's units (degrees or ratio)
    min_rom: float
    analyses: tuple[AnalysisSpec, ...]
    #: joints (side-free names) that must be seen for the analysis to be trusted
    required: tuple[str, ...]
    min_rep_s: float = 0.6
    max_rep_s: float = 30.0
    #: a counted rep moves at least this share of the clip's typical excursion (partial reps
    #: below it are not counted); fatigue makes strength reps shallower, so not too strict
    rel_rom: float = 0.55
    #: one limb at a time (punch, kick, knee to chest): segment each side, merge by time
    per_side: bool = False
    #: other signals showing the same reps ``(name, direction, min_rom)``; per clip the
    #: smoothest of the signals with enough range is segmented (a view can spoil one angle)
    alternates: tuple[tuple[str, Literal["up", "down"], float], ...] = ()
    #: posture at a rep's extreme ``(signal, lo, hi)``: an extreme outside it is set-up motion
    #: (walking in, lying down, getting into position), not a rep
    posture: tuple[tuple[str, float | None, float | None], ...] = ()


def _a(type_: str, signal: str, reduce: Reduce, good_min: float | None = None,
       good_max: float | None = None) -> AnalysisSpec:
    return AnalysisSpec(type_, signal, reduce, good_min, good_max)


DURATION = _a("REP_DURATION_MS", "", "duration")
TEMPO = _a("ECCENTRIC_CONCENTRIC_RATIO", "", "ecc_con")
BAR_PATH = _a("BAR_PATH_SINUOSITY_PERCENTAGE", "", "sinuosity", good_max=15.0)
#: Olympic lifts: the bar's path is an S by design (pull, catch, jerk); reported, not judged
BAR_PATH_OLY = _a("BAR_PATH_SINUOSITY_PERCENTAGE", "", "sinuosity")
LEGS = ("HIP", "KNEE", "ANKLE")
ARMS = ("SHOULDER", "ELBOW", "WRIST")

SPECS: dict[str, ActivitySpec] = {s.name: s for s in (
    ActivitySpec(
        "squat", "knee", "down", 40.0, required=LEGS + ("SHOULDER",), min_rep_s=0.8,
        posture=(("trunk", None, 75.0),),
        alternates=(("hip", "down", 40.0), ("hip_above_ankle", "down", 0.4)),
        analyses=(
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "at_mid", good_max=10.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "min"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=55.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "ends_max", good_min=160.0),
            BAR_PATH, DURATION, TEMPO)),
    ActivitySpec(
        "bodyweight_squat", "knee", "down", 40.0, required=LEGS, min_rep_s=0.6,
        posture=(("trunk", None, 75.0),),
        alternates=(("hip", "down", 40.0), ("hip_above_ankle", "down", 0.4)),
        analyses=(
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "at_mid", good_max=15.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "min"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=50.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "ends_max", good_min=160.0),
            DURATION)),
    ActivitySpec(
        "deadlift", "hip", "up", 40.0, required=LEGS + ("SHOULDER",), min_rep_s=0.8,
        alternates=(("shoulder_above_ankle", "up", 0.4),),
        analyses=(
            _a("LOCKOUT_HIP_ANGLE_DEGREES", "hip", "max", good_min=160.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "max", good_min=160.0),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max"),
            BAR_PATH, DURATION)),
    ActivitySpec(
        "bench_press", "elbow", "down", 25.0, required=ARMS, min_rep_s=0.7,
        posture=(("trunk", 35.0, 140.0),),
        alternates=(("wrist_above_shoulder", "down", 0.25),
                    ("wrist_above_shoulder_image", "down", 0.25)),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=100.0),
            _a("ELBOW_WRIST_ANGLE_DEGREES", "forearm_vertical", "at_mid", good_max=20.0),
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=155.0),
            BAR_PATH, DURATION, TEMPO)),
    ActivitySpec(
        "push_up", "elbow", "down", 30.0, required=ARMS + ("HIP",), min_rep_s=0.5,
        posture=(("trunk", 40.0, 140.0),),
        alternates=(("shoulder_above_wrist", "down", 0.3),),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=100.0),
            _a("ELBOW_WRIST_ANGLE_DEGREES", "forearm_vertical", "at_mid", good_max=25.0),
            _a("BODY_LINE_DEGREES", "body_line", "max", good_max=20.0),
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=155.0),
            DURATION)),
    ActivitySpec(
        "chin_up", "elbow", "down", 40.0, required=ARMS, min_rep_s=0.7,
        posture=(("wrist_above_shoulder", -0.4, None),),
        alternates=(("nose_above_wrist", "up", 0.4),),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=90.0),
            _a("HANG_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=150.0),
            _a("NOSE_ABOVE_WRIST_RATIO", "nose_above_wrist", "max", good_min=-0.1),
            DURATION)),
    ActivitySpec(
        "sit_up", "trunk", "down", 30.0, required=("SHOULDER", "HIP", "KNEE"), min_rep_s=0.6,
        alternates=(("hip", "down", 30.0),),
        analyses=(
            _a("TRUNK_ANGLE_AT_TOP_DEGREES", "trunk", "min", good_max=45.0),
            _a("HIP_ANGLE_DEGREES", "hip", "min"),
            _a("KNEE_ANGLE_DEGREES", "knee", "at_mid", good_min=45.0, good_max=120.0),
            DURATION)),
    ActivitySpec(
        "lunge", "knee", "down", 35.0, required=LEGS, min_rep_s=0.6,
        posture=(("trunk", None, 60.0),),
        alternates=(("hip_above_ankle", "down", 0.3),),
        analyses=(
            _a("FRONT_KNEE_ANGLE_DEGREES", "knee_min", "at_mid", good_min=65.0, good_max=110.0),
            _a("BACK_KNEE_ANGLE_DEGREES", "knee_max", "at_mid", good_max=130.0),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=25.0),
            DURATION)),
    ActivitySpec(
        "burpee", "trunk", "up", 45.0, required=("SHOULDER", "HIP", "KNEE"), min_rep_s=1.0,
        alternates=(("shoulder_above_ankle", "down", 0.6),),
        analyses=(
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_min=60.0),
            _a("BODY_LINE_DEGREES", "body_line", "at_mid", good_max=25.0),
            _a("LOCKOUT_HIP_ANGLE_DEGREES", "hip", "ends_max", good_min=160.0),
            DURATION)),
    ActivitySpec(
        "clean_and_jerk", "wrist_above_hip", "up", 1.0, required=ARMS + ("HIP", "KNEE"),
        min_rep_s=1.5, max_rep_s=40.0,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "at_mid", good_min=160.0),
            _a("OVERHEAD_ARM_ANGLE_DEGREES", "upper_arm_from_up", "at_mid", good_max=30.0),
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "min"),
            _a("GRIP_WIDTH_RATIO", "wrist_spread", "at_mid"),
            BAR_PATH_OLY, DURATION)),
    ActivitySpec(
        "snatch", "wrist_above_hip", "up", 1.0, required=ARMS + ("HIP", "KNEE"),
        min_rep_s=1.2, max_rep_s=40.0,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "at_mid", good_min=160.0),
            _a("OVERHEAD_ARM_ANGLE_DEGREES", "upper_arm_from_up", "at_mid", good_max=30.0),
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "min"),
            _a("GRIP_WIDTH_RATIO", "wrist_spread", "at_mid"),
            BAR_PATH_OLY, DURATION)),
    ActivitySpec(
        "punch", "arm_extension", "up", 0.25, required=ARMS, min_rep_s=0.25, max_rep_s=6.0,
        rel_rom=0.65,
        per_side=True,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow_{a}", "max", good_min=150.0),
            _a("ARM_EXTENSION_RATIO", "arm_extension_{a}", "max", good_min=0.9),
            _a("WRIST_SHOULDER_HEIGHT_RATIO", "wrist_above_shoulder_{a}", "at_mid",
               good_min=-0.35, good_max=0.35),
            DURATION)),
    ActivitySpec(
        "front_kick", "hip", "down", 40.0, required=LEGS, min_rep_s=0.4, max_rep_s=8.0,
        per_side=True,
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip_{a}", "min", good_max=100.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee_{a}", "max", good_min=150.0),
            _a("SUPPORT_KNEE_ANGLE_DEGREES", "knee_{p}", "at_mid"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=30.0),
            DURATION)),
    ActivitySpec(
        "knee_to_chest", "hip", "down", 40.0, required=LEGS, min_rep_s=0.8, max_rep_s=30.0,
        per_side=True,
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip_{a}", "min", good_max=60.0),
            _a("KNEE_ANGLE_DEGREES", "knee_{a}", "at_mid"),
            _a("SUPPORT_KNEE_ANGLE_DEGREES", "knee_{p}", "at_mid", good_min=150.0),
            _a("HOLD_DURATION_MS", "hip_{a}", "hold"),
            DURATION)),
    ActivitySpec(
        "downward_dog", "hip", "down", 35.0, required=LEGS + ARMS, min_rep_s=1.0,
        max_rep_s=120.0,
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip", "at_mid", good_max=100.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "at_mid", good_min=150.0),
            _a("SHOULDER_ANGLE_DEGREES", "shoulder", "at_mid", good_min=150.0),
            _a("HOLD_DURATION_MS", "hip", "hold"),
            DURATION)),
)}
