"""Sagittal- and frontal-plane running angles from 2-D image points (degrees).

Side view (``direction`` = +1 when the runner faces +x of the image):

- **hip flexion**: thigh (hip -> knee) against the trunk line continued downwards (shoulder
  midpoint -> hip midpoint); positive when the knee is ahead of the trunk line, negative
  (extension) when behind.
- **knee flexion**: 180 - interior hip-knee-ankle angle (0 = straight).
- **ankle dorsiflexion**: 90 - angle between the shank (ankle -> knee) and the foot (heel ->
  toe); positive = toes towards the shin, negative = plantarflexion.
- **shoulder flexion**: upper arm (shoulder -> elbow) against the trunk line downwards; positive
  forwards.
- **elbow flexion**: 180 - interior shoulder-elbow-wrist angle.
- **trunk lean**: trunk line (hip midpoint -> shoulder midpoint) from vertical; positive when the
  shoulders are ahead of the hips (forward lean), negative when leaning back.
- **head**: neck line (shoulder midpoint -> ear, the mean of the ears seen) against the trunk line
  continued upwards; positive when the head is ahead of the trunk line (0 = ear, shoulder and hip
  in one line).
- **shank angle**: shank (knee -> ankle) from vertical; positive when the ankle is ahead of the
  knee (used for overstride).
- **foot angle**: heel -> toe against the image horizontal; positive when the toe is up.

Back view (camera behind the runner; ``lateral`` is the image x sign of the runner's left):
see :mod:`repstride.analysis.running.back_view`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.geometry import angle_between, joint_angle
from repstride.analysis.track import Joint

FloatArray = NDArray[np.float64]


def _j(side: str, name: str) -> int:
    return int(Joint[f"{side.upper()}_{name}"])


def to_body_frame(v: FloatArray, direction: int) -> FloatArray:
    """Image vectors (x right, y down) -> (forward, up) components."""
    return np.stack([direction * v[..., 0], -v[..., 1]], axis=-1)


def signed_angle(ref: FloatArray, v: FloatArray, direction: int) -> FloatArray:
    """Angle from ``ref`` to ``v`` in degrees, positive when ``v`` is rotated forwards."""
    a = to_body_frame(np.asarray(ref, float), direction)
    b = to_body_frame(np.asarray(v, float), direction)
    # In (forward, up) axes turning "down" (0, -1) towards "forward" (1, 0) is counter-clockwise,
    # i.e. a positive cross product.
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    dot = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]
    return np.degrees(np.arctan2(cross, dot))


def trunk_down(pts: FloatArray) -> FloatArray:
    sh = (pts[:, Joint.LEFT_SHOULDER] + pts[:, Joint.RIGHT_SHOULDER]) / 2.0
    hp = (pts[:, Joint.LEFT_HIP] + pts[:, Joint.RIGHT_HIP]) / 2.0
    return hp - sh


def hip_flexion(pts: FloatArray, side: str, direction: int) -> FloatArray:
    thigh = pts[:, _j(side, "KNEE")] - pts[:, _j(side, "HIP")]
    return signed_angle(trunk_down(pts), thigh, direction)


def knee_flexion(pts: FloatArray, side: str) -> FloatArray:
    return 180.0 - joint_angle(pts[:, _j(side, "HIP")], pts[:, _j(side, "KNEE")],
                               pts[:, _j(side, "ANKLE")])


def ankle_dorsiflexion(pts: FloatArray, side: str) -> FloatArray:
    shank_up = pts[:, _j(side, "KNEE")] - pts[:, _j(side, "ANKLE")]
    foot = pts[:, _j(side, "FOOT_INDEX")] - pts[:, _j(side, "HEEL")]
    return 90.0 - angle_between(shank_up, foot)


def shoulder_flexion(pts: FloatArray, side: str, direction: int) -> FloatArray:
    arm = pts[:, _j(side, "ELBOW")] - pts[:, _j(side, "SHOULDER")]
    return signed_angle(trunk_down(pts), arm, direction)


def elbow_flexion(pts: FloatArray, side: str) -> FloatArray:
    return 180.0 - joint_angle(pts[:, _j(side, "SHOULDER")], pts[:, _j(side, "ELBOW")],
                               pts[:, _j(side, "WRIST")])


def trunk_lean(pts: FloatArray, direction: int) -> FloatArray:
    down = np.broadcast_to(np.array([0.0, 1.0]), (pts.shape[0], 2))
    # signed_angle is positive towards forward from "down"; a forward lean turns the
    # shoulder -> hip line backwards.
    return -signed_angle(down, trunk_down(pts), direction)


def head_angle(pts: FloatArray, direction: int) -> FloatArray:
    sh = (pts[:, Joint.LEFT_SHOULDER] + pts[:, Joint.RIGHT_SHOULDER]) / 2.0
    ears = pts[:, [Joint.LEFT_EAR, Joint.RIGHT_EAR]]
    seen = np.isfinite(ears).all(axis=-1)
    n_seen = seen.sum(axis=1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        ear = np.where(n_seen > 0, np.where(seen[..., None], ears, 0.0).sum(axis=1) / n_seen,
                       np.nan)
    # Both lines reversed (ear -> shoulder against shoulder -> hip): a head ahead of the trunk
    # line turns the reversed neck line backwards, which signed_angle counts negative.
    return -signed_angle(trunk_down(pts), sh - ear, direction)


def shank_angle(pts: FloatArray, side: str, direction: int) -> FloatArray:
    shank = pts[:, _j(side, "ANKLE")] - pts[:, _j(side, "KNEE")]
    down = np.broadcast_to(np.array([0.0, 1.0]), shank.shape)
    return signed_angle(down, shank, direction)


def foot_angle(pts: FloatArray, side: str, direction: int) -> FloatArray:
    v = to_body_frame(pts[:, _j(side, "FOOT_INDEX")] - pts[:, _j(side, "HEEL")], direction)
    return np.degrees(np.arctan2(v[..., 1], v[..., 0]))


def at_time(series: FloatArray, ts: FloatArray, t: float) -> float:
    """Linear interpolation of ``series`` (on rows with times ``ts``) at time ``t``; NaN-safe."""
    ok = np.isfinite(series)
    if ok.sum() < 2:
        return float("nan")
    i = int(np.searchsorted(ts, t))
    lo, hi = max(0, i - 1), min(ts.size - 1, i)
    if not (ok[lo] and ok[hi]):
        return float(series[hi] if ok[hi] else series[lo] if ok[lo] else np.nan)
    return float(np.interp(t, ts[lo:hi + 1], series[lo:hi + 1]))


SIDE_ANGLE_FUNCS = {
    "ankle": lambda p, s, d: ankle_dorsiflexion(p, s),
    "knee": lambda p, s, d: knee_flexion(p, s),
    "hip": hip_flexion,
    "shoulder": shoulder_flexion,
    "elbow": lambda p, s, d: elbow_flexion(p, s),
    "trunk": lambda p, s, d: trunk_lean(p, d),
    "head": lambda p, s, d: head_angle(p, d),
}
