"""The activity's main joint and its angle over time, for gauges and report charts.

Which joint best shows an activity's movement is a presentation choice (what a coach looks at),
so it lives here rather than in the analysis specs. The angle itself is *not* computed here: it
is the analysis's own signal (:func:`repstride.analysis.exercise.features.compute_features`,
``knee``/``hip``/``elbow``: interior angle in degrees, 180 = straight, world coordinates, both
sides weighted by confidence), so the gauge, the report chart and the JSON/table values (which
reduce the same signal over each rep) show the same numbers. The side is only where the arc is
drawn. When the clip's camera view cannot observe the joint's plane (a knee filmed from the
front), the series is all NaN: no number, as in the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.exercise.features import compute_features
from repstride.analysis.exercise.view import OBSERVABLE, ViewEstimate
from repstride.analysis.track import Joint, PoseTrack


@dataclass(frozen=True)
class MainJoint:
    """Interior angle ``a-b-c`` at ``b``, named for display; joints are the left-side ones."""

    label: str
    a: Joint
    b: Joint
    c: Joint
    #: plane of the joint's flexion (see :mod:`repstride.analysis.exercise.view`)
    plane: str = "sagittal"

    def on_side(self, side: str) -> tuple[Joint, Joint, Joint]:
        if side == "left":
            return self.a, self.b, self.c
        return tuple(Joint[j.name.replace("LEFT_", "RIGHT_")] for j in (self.a, self.b, self.c))  # type: ignore[return-value]


KNEE = MainJoint("knee", Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE)
HIP = MainJoint("hip", Joint.LEFT_SHOULDER, Joint.LEFT_HIP, Joint.LEFT_KNEE)
ELBOW = MainJoint("elbow", Joint.LEFT_SHOULDER, Joint.LEFT_ELBOW, Joint.LEFT_WRIST, "3d")

#: activity -> the joint whose angle best shows the movement.
MAIN_JOINTS: dict[str, MainJoint] = {
    "squat": KNEE, "bodyweight_squat": KNEE, "lunge": KNEE, "clean_and_jerk": KNEE,
    "snatch": KNEE, "sprint": KNEE, "front_kick": KNEE,
    "deadlift": HIP, "sit_up": HIP, "knee_to_chest": HIP, "burpee": HIP, "downward_dog": HIP,
    "bench_press": ELBOW, "push_up": ELBOW, "chin_up": ELBOW, "punch": ELBOW,
}
DEFAULT_MAIN_JOINT = KNEE
"""Used when the activity is unknown (not recognised)."""


@dataclass(frozen=True, eq=False)
class JointAngleSeries:
    """``degrees (T,)`` of ``joint`` on ``side``; NaN where a joint is missing or low-confidence."""

    joint: MainJoint
    side: str
    joints: tuple[Joint, Joint, Joint]
    degrees: NDArray[np.float64]
    #: False when the clip's view cannot observe the joint's plane (``degrees`` is all NaN)
    observable: bool = True


def main_joint(activity: str | None) -> MainJoint:
    return MAIN_JOINTS.get(activity or "", DEFAULT_MAIN_JOINT)


def main_joint_angle(track: PoseTrack, activity: str | None, *, view: str | None = None,
                     min_score: float = 0.3) -> JointAngleSeries:
    """The main joint's angle over the whole track: the analysis signal of that joint.

    NaN where neither side's three joints reach ``min_score``, and everywhere when ``view`` (the
    analysis's ``repstride.view.view``) cannot observe the joint's plane. The side (where the
    arc is drawn) is chosen once per video, the one with the higher mean confidence of its
    three joints, so the arc does not flip between sides from frame to frame.
    """
    mj = main_joint(activity)
    deg = np.array(compute_features(track)[mj.label], dtype=float)
    sides = {}
    for side in ("left", "right"):
        joints = mj.on_side(side)
        score = np.nan_to_num(track.score[:, [int(j) for j in joints]], nan=0.0)
        sides[side] = (float(score.mean()) if score.size else 0.0, joints,
                       (score >= min_score).all(axis=1))
    side = max(sides, key=lambda k: sides[k][0])
    seen = sides["left"][2] | sides["right"][2]
    deg = np.where(seen, deg, np.nan)
    observable = view is None or mj.plane in OBSERVABLE.get(view, {"sagittal", "frontal", "3d"})
    if not observable:
        deg = np.full_like(deg, np.nan)
    return JointAngleSeries(joint=mj, side=side, joints=sides[side][1], degrees=deg,
                            observable=observable)


def analysis_view(analysis) -> str | None:
    """The camera view an :class:`~repstride.analysis.results.ActivityResult` reports, if any."""
    info = getattr(analysis, "info", None) or {}
    view = info.get("view")
    if isinstance(view, ViewEstimate):
        return view.view
    return view.get("view") if isinstance(view, dict) else None
