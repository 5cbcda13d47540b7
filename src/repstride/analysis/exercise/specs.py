"""Declarative specs of the 16 exercise activities: rep signal, direction, thresholds, analyses.

Signals are named :class:`~repstride.analysis.exercise.features.Features` entries. ``{a}`` in an
analysis signal is replaced by the rep's active side (``left``/``right``) and ``{p}`` by the other
(passive) side for one-limb activities. Every analysis type is documented in docs/analyses.md.

Just over 400 lines on purpose: one table of every activity (an exercise is one spec), read
side by side; splitting it would scatter the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Literal

from repstride.analysis.exercise.cues import Cues, soft
from repstride.analysis.exercise.view import Plane

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
    #: anatomical plane the number lives in (``sagittal``, ``frontal``, ``3d``; see
    #: :mod:`repstride.analysis.exercise.view`): from a view that cannot observe it the value is
    #: null with reason ``not_observable_from_view``
    plane: Plane = "3d"


@dataclass(frozen=True)
class ActivitySpec:
    """How one activity's reps are found and judged."""

    name: str
    #: the Video API domain the activity belongs to (``weightlifting``, ``calisthenics``...)
    domain: str
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
    #: recognition rule: the clip's :class:`~repstride.analysis.exercise.cues.Cues` -> score
    #: (0 = every cue fits, negative = misfit); ``None``: never recognised, only analysed
    #: when the caller names it
    recognize: Callable[[Cues], float] | None = None


#: The plane of each analysis type (documented in docs/analyses.md). Flexion angles, forward
#: lean, body line and bar path are sagittal; knee cave and grip width frontal; heights,
#: elbow angles (the arm works across the image in every usual view of its activities) and
#: times view-independent.
PLANES: dict[str, Plane] = {
    **{t: "sagittal" for t in (
        "HIP_KNEE_ANGLE_DEGREES", "KNEE_ANGLE_DEGREES", "TRUNK_LEAN_DEGREES",
        "LOCKOUT_KNEE_ANGLE_DEGREES", "LOCKOUT_HIP_ANGLE_DEGREES", "BAR_PATH_SINUOSITY_PERCENTAGE",
        "BODY_LINE_DEGREES", "TRUNK_ANGLE_AT_TOP_DEGREES", "HIP_ANGLE_DEGREES",
        "FRONT_KNEE_ANGLE_DEGREES", "BACK_KNEE_ANGLE_DEGREES", "SUPPORT_KNEE_ANGLE_DEGREES",
        "SHOULDER_ANGLE_DEGREES")},
    **{t: "frontal" for t in ("KNEE_VALGUS_DEGREES", "GRIP_WIDTH_RATIO")},
}


def _a(type_: str, signal: str, reduce: Reduce, good_min: float | None = None,
       good_max: float | None = None) -> AnalysisSpec:
    return AnalysisSpec(type_, signal, reduce, good_min, good_max, PLANES.get(type_, "3d"))


DURATION = _a("REP_DURATION_MS", "", "duration")
TEMPO = _a("ECCENTRIC_CONCENTRIC_RATIO", "", "ecc_con")
BAR_PATH = _a("BAR_PATH_SINUOSITY_PERCENTAGE", "", "sinuosity", good_max=15.0)
#: Olympic lifts: the bar's path is an S by design (pull, catch, jerk); reported, not judged
BAR_PATH_OLY = _a("BAR_PATH_SINUOSITY_PERCENTAGE", "", "sinuosity")
#: Knee cave: the worse knee at the deepest point, frontal plane (deg, + = knee inside
#: the hip-ankle line); good up to 10 deg (see docs/analyses.md for the source)
VALGUS = _a("KNEE_VALGUS_DEGREES", "knee_valgus", "at_mid", good_max=10.0)
LEGS = ("HIP", "KNEE", "ANKLE")
ARMS = ("SHOULDER", "ELBOW", "WRIST")

# --- recognition rules (see exercise/cues.py; documented in docs/analyses.md) -----------------


def _squat_base(c: Cues) -> float:
    return (c.up + soft(c["knee_range"], lo=45, width=12) + c.legs_together + c.no_travel
            + 0.5 * c.not_overhead + max(-1.5, soft(c["trunk_top"], hi=65, width=8))
            # a squat moves the body, not the hands along it: hands sweeping more than a torso
            # length past the shoulders most of the clip lift something (snatch, clean, swing)
            + soft(c["wrist_sh_iqr"], hi=1.1, width=0.2, missing=0.0)
            # ... nor swinging them from between the legs to the head (a kettlebell swing)
            + soft(c["wrist_hip_range"], hi=1.5, width=0.2, missing=0.0)
            # the hips sink towards the planted feet (a jump lifts both together)
            + soft(c["hip_ankle_range"], lo=0.5, width=0.1, missing=0.0))


def _rec_squat(c: Cues) -> float:
    return _squat_base(c) + c.barbell


def _rec_bodyweight_squat(c: Cues) -> float:
    return _squat_base(c) - 2.5 * math.exp(c.barbell)


def _rec_deadlift(c: Cues) -> float:
    return (soft(c["hip_range"], lo=45, width=12) + soft(c["trunk_hi"], lo=40, width=12)
            + soft(c["hip_range"] - c["knee_range"], lo=5, width=15)
            + soft(c["wrist_hip_hi"], hi=0.2, width=0.25)
            + soft(c["elbow_lo"], lo=140, width=15) + c.no_travel + c.legs_together
            + soft(c["trunk_hi"], hi=95, width=10)
            # every rep ends standing tall (a plank or a mountain climber never does)
            + soft(c["trunk_lo"], hi=30, width=10))


def _rec_lunge(c: Cues) -> float:
    return (c.up + soft(c["knee_range"], lo=40, width=12) + c.no_travel * 0.3
            + soft(c["hip_alternation"], lo=0.85, width=0.2)
            + soft(c["knee_alternation"], hi=1.2, width=0.15)
            + soft(c["knee_lo"], hi=120, width=15) + c.not_overhead
            # the front knee stays bent while its hip is most flexed (a kick straightens it)
            + soft(c["knee_at_hip_flex"], hi=115, width=15, missing=0.0))


def _rec_burpee(c: Cues) -> float:
    # standing -> plank (hands on the floor) -> standing
    return (soft(c["trunk_lo"], hi=30, width=12) + soft(c["trunk_top"], lo=70, width=8)
            + soft(c["knee_range"], lo=40, width=15)
            + soft(c["wrist_ankle_lo"], lo=-0.5, hi=0.5, width=0.3) - 0.25
            + c.no_travel)  # on the spot, whatever the variant (jump or step back)


def _rec_sit_up(c: Cues) -> float:
    return (soft(c["trunk_hi"], lo=60, width=12) + soft(c["trunk_lo"], hi=50, width=15)
            + soft(c["trunk_range_sit"], lo=30, width=12)
            + soft(c["knee_med"], hi=130, width=20) + soft(c["hip_lo"], hi=90, width=20)
            + soft(c["hip_ankle_med"], hi=0.35, width=0.25))


def _rec_knee_to_chest(c: Cues) -> float:
    # one thigh at a time pulled up past horizontal with the knee bent, the trunk keeping its
    # orientation:
    # standing (knee raise, high knees); lying, the hands hug the knee to the chest
    hug = soft(c["wrist_sh_med"], lo=-0.5, hi=0.5, width=0.2)
    return (max(c.flat + hug, c.up) + soft(c["hip_side_range"], lo=45, width=15)
            + soft(c["hip_alternation"], lo=0.6, width=0.15)  # one thigh at a time
            + soft(c["hip_side_lo"], hi=100, width=15)
            + soft(c["knee_at_hip_flex"], hi=110, width=15)
            + soft(c["trunk_hi"] - c["trunk_lo"], hi=25, width=12) - 0.5)


def _rec_push_up(c: Cues) -> float:
    return (c.flat + soft(c["elbow_range"], lo=30, width=12)
            + soft(c["trunk_hi"] - c["trunk_lo"], hi=35, width=15)
            + soft(c["wrist_sh_med"], hi=-0.4, width=0.3)
            + soft(c["knee_med"], lo=140, width=20, missing=0.0) + c.no_travel
            # each rep pushes up to (nearly) straight arms (a forearm plank never does)
            + soft(c["elbow_hi"], lo=130, width=10, missing=0.0))


def _rec_bench_press(c: Cues) -> float:
    return (c.flat + soft(c["elbow_range"], lo=30, width=12)
            + soft(c["trunk_hi"] - c["trunk_lo"], hi=25, width=10)
            + max(-1.0, soft(c["hip_side_range"], hi=60, width=20, missing=0.0))
            + soft(c["wrist_sh_med"], lo=0.0, width=0.3)
            + soft(c["knee_med"], hi=150, width=25, missing=0.0) * 0.3
            # the bar is pressed over the chest, not reached along the body to the hips
            + soft(c["wrist_along_med"], lo=-0.65, width=0.15, missing=0.0)
            + c.no_travel)


def _rec_chin_up(c: Cues) -> float:
    # hanging pull: the elbows flex, or (elbows poorly seen) the head rises towards the hands
    return (soft(c["trunk_med"], hi=30, width=12) + c.overhead
            + max(soft(c["elbow_range"], lo=40, width=15),
                  soft(c["nose_wrist_range"], lo=0.5, width=0.2))
            + c.still_legs_if_seen * 0.3
            # hanging: the hands hold the bar still while the body rises to them
            + soft(c["hands_still"], hi=1.0, width=0.4, missing=0.0))


def _rec_downward_dog(c: Cues) -> float:
    return (soft(c["trunk_hi"], lo=100, width=15) + soft(c["hip_lo"], hi=110, width=15)
            + soft(c["wrist_sh_med"], hi=-0.3, width=0.3) - 0.5 + c.no_travel
            # the inverted V is made with (nearly) straight legs: a knee driven to the chest
            # (mountain climber) or a plank's set-up keep it bent at the hip's deepest fold
            + soft(c["knee_at_hip_flex"], lo=135, width=15, missing=0.0))


def _rec_clean_and_jerk(c: Cues) -> float:
    # the whole lift, or its jerk alone (a clip that starts with the bar racked on the
    # shoulders): rack -> dip and drive of the knees -> overhead
    jerk = (soft(c["wrist_sh_med"], lo=-0.35, hi=0.45, width=0.2)
            + soft(c["wrist_sh_hi"], lo=0.7, width=0.3) + soft(c["knee_range"], lo=20, width=8)
            # the dip and drive lower and raise the hips over the feet (a seated press: no)
            + soft(c["hip_ankle_range"], lo=0.2, width=0.05, missing=0.0))
    return (max(c.floor_to_overhead, jerk) + soft(c["wrist_spread_hi"], hi=2.2, width=0.4)
            + c.bar_grip + c.no_travel - 0.5)


def _rec_snatch(c: Cues) -> float:
    return (c.floor_to_overhead + soft(c["wrist_spread_hi"], lo=2.2, width=0.4) + c.bar_grip
            + c.no_travel - 0.5)


def _rec_punch(c: Cues) -> float:
    # a punch reaches out with a (nearly) straight arm; pumping arms while jogging do not
    return (c.up + c.still_legs_if_seen * 0.7 + soft(c["arm_ext_range"], lo=0.3, width=0.12)
            + soft(c["arm_reach"], lo=0.85, width=0.05)
            + soft(c["elbow_side_range"], lo=50, width=15) + c.not_overhead + c.no_travel - 0.5
            # the upper arm rises towards horizontal to throw it (a curl keeps it hanging)
            + soft(c["upper_arm_side_range"], lo=40, width=10, missing=0.0)
            + max(-1.0, soft(c["knee_alternation"], hi=1.2, width=0.15, missing=0.0))
            # thrown from a set stance: knees bending in turn, steadily, are running or stepping
            + soft(c["leg_alt_strength"], hi=0.6, width=0.15, missing=0.0))


def _rec_front_kick(c: Cues) -> float:
    return (c.up + soft(c["hip_side_range"], lo=50, width=15)
            + soft(c["hip_alternation"], lo=0.9, width=0.2)
            + soft(c["hip_side_lo"], hi=110, width=15) - 1.0
            # the kick: the knee snaps straight with the thigh up (a knee drive keeps it bent)
            + soft(c["knee_at_hip_flex"], lo=125, width=15))


#: In the order of the Video API's catalogue (domain by domain).
SPECS: dict[str, ActivitySpec] = {s.name: s for s in (
    ActivitySpec(
        "bench_press", "weightlifting", "elbow", "down", 25.0, required=ARMS, min_rep_s=0.7,
        posture=(("trunk", 35.0, 140.0),),
        alternates=(("wrist_above_shoulder", "down", 0.25),
                    ("wrist_above_shoulder_image", "down", 0.25)),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=100.0),
            _a("ELBOW_WRIST_ANGLE_DEGREES", "forearm_vertical", "at_mid", good_max=20.0),
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=155.0),
            BAR_PATH, DURATION, TEMPO),
        recognize=_rec_bench_press),
    ActivitySpec(
        "clean_and_jerk", "weightlifting", "wrist_above_hip", "up", 1.0,
        required=ARMS + ("HIP", "KNEE"), min_rep_s=1.5, max_rep_s=40.0,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "at_mid", good_min=160.0),
            _a("OVERHEAD_ARM_ANGLE_DEGREES", "upper_arm_from_up", "at_mid", good_max=30.0),
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "min"),
            _a("GRIP_WIDTH_RATIO", "wrist_spread", "at_mid"),
            BAR_PATH_OLY, DURATION),
        recognize=_rec_clean_and_jerk),
    ActivitySpec(
        "deadlift", "weightlifting", "hip", "up", 40.0, required=LEGS + ("SHOULDER",),
        min_rep_s=0.8,
        alternates=(("shoulder_above_ankle", "up", 0.4),),
        analyses=(
            _a("LOCKOUT_HIP_ANGLE_DEGREES", "hip", "max", good_min=160.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "max", good_min=160.0),
            VALGUS,
            _a("TRUNK_LEAN_DEGREES", "trunk", "max"),
            BAR_PATH, DURATION),
        recognize=_rec_deadlift),
    ActivitySpec(
        "snatch", "weightlifting", "wrist_above_hip", "up", 1.0, required=ARMS + ("HIP", "KNEE"),
        min_rep_s=1.2, max_rep_s=40.0,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "at_mid", good_min=160.0),
            _a("OVERHEAD_ARM_ANGLE_DEGREES", "upper_arm_from_up", "at_mid", good_max=30.0),
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "min"),
            _a("GRIP_WIDTH_RATIO", "wrist_spread", "at_mid"),
            BAR_PATH_OLY, DURATION),
        recognize=_rec_snatch),
    ActivitySpec(
        "squat", "weightlifting", "knee", "down", 40.0, required=LEGS + ("SHOULDER",),
        min_rep_s=0.8,
        posture=(("trunk", None, 75.0),),
        alternates=(("hip", "down", 40.0), ("hip_above_ankle", "down", 0.4)),
        analyses=(
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "at_mid", good_max=10.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "min"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=55.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "ends_max", good_min=160.0),
            VALGUS,
            BAR_PATH, DURATION, TEMPO),
        recognize=_rec_squat),
    ActivitySpec(
        "bodyweight_squat", "calisthenics", "knee", "down", 40.0, required=LEGS, min_rep_s=0.6,
        posture=(("trunk", None, 75.0),),
        alternates=(("hip", "down", 40.0), ("hip_above_ankle", "down", 0.4)),
        analyses=(
            _a("HIP_KNEE_ANGLE_DEGREES", "thigh_pitch", "at_mid", good_max=15.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "min"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=50.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee", "ends_max", good_min=160.0),
            VALGUS,
            DURATION),
        recognize=_rec_bodyweight_squat),
    ActivitySpec(
        "burpee", "calisthenics", "trunk", "up", 45.0, required=("SHOULDER", "HIP", "KNEE"),
        min_rep_s=1.0,
        alternates=(("shoulder_above_ankle", "down", 0.6),),
        analyses=(
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_min=60.0),
            _a("BODY_LINE_DEGREES", "body_line", "at_mid", good_max=25.0),
            _a("LOCKOUT_HIP_ANGLE_DEGREES", "hip", "ends_max", good_min=160.0),
            DURATION),
        recognize=_rec_burpee),
    ActivitySpec(
        "chin_up", "calisthenics", "elbow", "down", 40.0, required=ARMS, min_rep_s=0.7,
        posture=(("wrist_above_shoulder", -0.4, None),),
        alternates=(("nose_above_wrist", "up", 0.4),),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=90.0),
            _a("HANG_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=150.0),
            _a("NOSE_ABOVE_WRIST_RATIO", "nose_above_wrist", "max", good_min=-0.1),
            DURATION),
        recognize=_rec_chin_up),
    ActivitySpec(
        "lunge", "calisthenics", "knee", "down", 35.0, required=LEGS, min_rep_s=0.6,
        posture=(("trunk", None, 60.0),),
        alternates=(("hip_above_ankle", "down", 0.3),),
        analyses=(
            _a("FRONT_KNEE_ANGLE_DEGREES", "knee_min", "at_mid", good_min=65.0, good_max=110.0),
            _a("BACK_KNEE_ANGLE_DEGREES", "knee_max", "at_mid", good_max=130.0),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=25.0),
            VALGUS,
            DURATION),
        recognize=_rec_lunge),
    ActivitySpec(
        "push_up", "calisthenics", "elbow", "down", 30.0, required=ARMS + ("HIP",), min_rep_s=0.5,
        posture=(("trunk", 40.0, 140.0),),
        alternates=(("shoulder_above_wrist", "down", 0.3),),
        analyses=(
            _a("ELBOW_ANGLE_DEGREES", "elbow", "min", good_max=100.0),
            _a("ELBOW_WRIST_ANGLE_DEGREES", "forearm_vertical", "at_mid", good_max=25.0),
            _a("BODY_LINE_DEGREES", "body_line", "max", good_max=20.0),
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow", "ends_max", good_min=155.0),
            DURATION),
        recognize=_rec_push_up),
    ActivitySpec(
        "sit_up", "calisthenics", "trunk", "down", 30.0, required=("SHOULDER", "HIP", "KNEE"),
        min_rep_s=0.6,
        alternates=(("hip", "down", 30.0),),
        analyses=(
            _a("TRUNK_ANGLE_AT_TOP_DEGREES", "trunk", "min", good_max=45.0),
            _a("HIP_ANGLE_DEGREES", "hip", "min"),
            _a("KNEE_ANGLE_DEGREES", "knee", "at_mid", good_min=45.0, good_max=120.0),
            DURATION),
        recognize=_rec_sit_up),
    ActivitySpec(
        "punch", "martial_arts", "arm_extension", "up", 0.25, required=ARMS, min_rep_s=0.25,
        max_rep_s=6.0,
        rel_rom=0.65,
        per_side=True,
        analyses=(
            _a("LOCKOUT_ELBOW_ANGLE_DEGREES", "elbow_{a}", "max", good_min=150.0),
            _a("ARM_EXTENSION_RATIO", "arm_extension_{a}", "max", good_min=0.9),
            _a("WRIST_SHOULDER_HEIGHT_RATIO", "wrist_above_shoulder_{a}", "at_mid",
               good_min=-0.35, good_max=0.35),
            DURATION),
        recognize=_rec_punch),
    ActivitySpec(
        "front_kick", "martial_arts", "hip", "down", 40.0, required=LEGS, min_rep_s=0.4,
        max_rep_s=8.0,
        per_side=True,
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip_{a}", "min", good_max=100.0),
            _a("LOCKOUT_KNEE_ANGLE_DEGREES", "knee_{a}", "max", good_min=150.0),
            _a("SUPPORT_KNEE_ANGLE_DEGREES", "knee_{p}", "at_mid"),
            _a("TRUNK_LEAN_DEGREES", "trunk", "max", good_max=30.0),
            DURATION),
        recognize=_rec_front_kick),
    ActivitySpec(
        # the rep signal is the leg's fold (hip + knee angle): a knee lift bends both, so a
        # low lift (the first after a pause) still clears the thresholds; 60 deg ~ 40 at the
        # hip and 20 at the knee
        "knee_to_chest", "mobility", "leg_fold", "down", 60.0, required=LEGS,
        # a knee lift can be quick (high knees: ~0.35 s up and down), as quick as a kick
        min_rep_s=0.4,
        max_rep_s=30.0,
        per_side=True,
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip_{a}", "min", good_max=60.0),
            _a("KNEE_ANGLE_DEGREES", "knee_{a}", "at_mid"),
            _a("SUPPORT_KNEE_ANGLE_DEGREES", "knee_{p}", "at_mid", good_min=150.0),
            _a("HOLD_DURATION_MS", "hip_{a}", "hold"),
            DURATION),
        recognize=_rec_knee_to_chest),
    ActivitySpec(
        "downward_dog", "yoga", "hip", "down", 35.0, required=LEGS + ARMS, min_rep_s=1.0,
        max_rep_s=120.0,
        # the pose inverts the trunk (hips above the shoulders) whatever it is entered from;
        # from all fours the hip angle hardly changes (tabletop and dog both near 90 deg)
        alternates=(("trunk", "up", 35.0),),
        analyses=(
            _a("HIP_ANGLE_DEGREES", "hip", "at_mid", good_max=100.0),
            _a("KNEE_ANGLE_DEGREES", "knee", "at_mid", good_min=150.0),
            _a("SHOULDER_ANGLE_DEGREES", "shoulder", "at_mid", good_min=150.0),
            _a("HOLD_DURATION_MS", "hip", "hold"),
            DURATION),
        recognize=_rec_downward_dog),
)}
