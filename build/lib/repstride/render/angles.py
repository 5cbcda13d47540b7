"""The activity's main joint and its angle over time, for gauges and report charts.

Which joint best shows an activity's movement is a presentation choice (what a coach looks at),
so it lives here rather than in the analysis specs. Angles are interior angles in degrees
measured in aspect-correct image pixels (180 = straight limb), on the better-seen body side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.geometry import track_joint_angle
from repstride.analysis.track import Joint, PoseTrack


@dataclass(frozen=True)
class MainJoint:
    """Interior angle ``a-b-c`` at ``b``, named for display; joints are the left-side ones."""

    label: str
    a: Joint
    b: Joint
    c: Joint

    def on_side(self, side: str) -> tuple[Joint, Joint, Joint]:
        if side == "left":
            return self.a, self.b, self.c
        return tuple(Joint[j.name.replace("LEFT_", "RIGHT_")] for j in (self.a, self.b, self.c))  # type: ignore[return-value]


KNEE = MainJoint("knee", Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE)
HIP = MainJoint("hip", Joint.LEFT_SHOULDER, Joint.LEFT_HIP, Joint.LEFT_KNEE)
ELBOW = MainJoint("elbow", Joint.LEFT_SHOULDER, Joint.LEFT_ELBOW, Joint.LEFT_WRIST)

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


def main_joint(activity: str | None) -> MainJoint:
    return MAIN_JOINTS.get(activity or "", DEFAULT_MAIN_JOINT)


def main_joint_angle(track: PoseTrack, activity: str | None, *,
                     min_score: float = 0.3) -> JointAngleSeries:
    """The main joint's angle over the whole track, on the side the camera sees better.

    The side is chosen once per video (higher mean confidence of its three joints) so the gauge
    does not flip between sides from frame to frame.
    """
    mj = main_joint(activity)
    pts = track.pixels()
    best: JointAngleSeries | None = None
    best_score = -1.0
    for side in ("left", "right"):
        joints = mj.on_side(side)
        cols = [int(j) for j in joints]
        score = track.score[:, cols]
        mean = float(np.nanmean(score)) if score.size else 0.0
        if mean > best_score:
            deg = track_joint_angle(pts, *joints)
            deg = np.where((score >= min_score).all(axis=1), deg, np.nan)
            best = JointAngleSeries(joint=mj, side=side, joints=joints, degrees=deg)
            best_score = mean
    assert best is not None
    return best
