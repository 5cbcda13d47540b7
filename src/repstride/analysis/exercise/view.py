"""Camera view of an exercise clip, and which anatomical planes it can observe.

The view is read from the body's lateral axis (left -> right shoulder and hip) in the pose
model's world coordinates (camera-aligned: x right, y down, z away from the camera): its yaw is
0 deg when the axis lies across the image (the camera faces the subject's front or back) and
90 deg when it points along the line of sight (a side view). Where world coordinates are
missing, the image shoulder width over the image torso length stands in (0.73 = a frontal adult,
0 = edge-on). Front and back are told apart by which side of the image the subject's left
shoulder is on (facing the camera, it is on the image's right).

Views: ``front``/``back`` (median |yaw| < :data:`FRONTAL_MAX_DEG`), ``side`` (> :data:`SIDE_MIN_DEG`),
``oblique`` in between. ``confidence`` is the share of usable frames whose own yaw falls in the
clip's class (for front/back also on the same facing side).

Planes (``AnalysisSpec.plane``): ``sagittal`` (flexion/extension, forward lean: seen from the
side), ``frontal`` (knee cave, hip shift, grip width: seen from the front or back), ``3d``
(heights, durations, joint angles that lie across the image in every usual view). Observable:
``sagittal`` from side and oblique, ``frontal`` from front, back and oblique, ``3d`` from all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from repstride.analysis.track import Joint, PoseTrack

View = Literal["front", "back", "side", "oblique"]
Plane = Literal["sagittal", "frontal", "3d"]

#: Lateral-axis yaw (deg) below which the camera sees the frontal plane.
FRONTAL_MAX_DEG = 30.0
#: ... and above which it sees the sagittal plane.
SIDE_MIN_DEG = 60.0
#: Image shoulder width / image torso length of an adult facing the camera.
FRONTAL_WIDTH_RATIO = 0.73
#: Landmark confidence from which a torso landmark is used.
MIN_SCORE = 0.3

OBSERVABLE: dict[View, frozenset[str]] = {
    "front": frozenset({"frontal", "3d"}),
    "back": frozenset({"frontal", "3d"}),
    "side": frozenset({"sagittal", "3d"}),
    "oblique": frozenset({"sagittal", "frontal", "3d"}),
}


@dataclass(frozen=True)
class ViewEstimate:
    """The clip's camera view, the median lateral-axis yaw (deg, 0..90) and a confidence 0..1."""

    view: View
    yaw_deg: float
    confidence: float

    def observes(self, plane: str) -> bool:
        return plane in OBSERVABLE[self.view]


_L = (int(Joint.LEFT_SHOULDER), int(Joint.LEFT_HIP))
_R = (int(Joint.RIGHT_SHOULDER), int(Joint.RIGHT_HIP))


def _classify(yaw: np.ndarray) -> np.ndarray:
    return np.where(yaw < FRONTAL_MAX_DEG, 0, np.where(yaw > SIDE_MIN_DEG, 2, 1))


def estimate_view(track: PoseTrack) -> ViewEstimate:
    """Estimate the camera view of ``track`` (see the module docstring).

    A track without usable torso frames is ``oblique`` with confidence 0 (every plane counts as
    observable, so nothing is withheld on a guess).
    """
    sc = np.nan_to_num(np.asarray(track.score, float), nan=0.0)
    ok = (sc[:, list(_L + _R)] >= MIN_SCORE).all(axis=1)
    world = np.asarray(track.world, float)
    img = track.pixels()
    lat_w = (world[:, list(_R)] - world[:, list(_L)]).mean(axis=1)  # (T, 3)
    lat_i = (img[:, list(_R)] - img[:, list(_L)]).mean(axis=1)      # (T, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        yaw_w = np.degrees(np.arctan2(np.abs(lat_w[:, 2]), np.abs(lat_w[:, 0])))
        sh_w = np.linalg.norm(img[:, int(Joint.RIGHT_SHOULDER)] - img[:, int(Joint.LEFT_SHOULDER)],
                              axis=1)
        mid_sh = (img[:, int(Joint.RIGHT_SHOULDER)] + img[:, int(Joint.LEFT_SHOULDER)]) / 2
        mid_hp = (img[:, int(Joint.RIGHT_HIP)] + img[:, int(Joint.LEFT_HIP)]) / 2
        torso = np.linalg.norm(mid_sh - mid_hp, axis=1)
        yaw_i = np.degrees(np.arccos(np.clip(sh_w / torso / FRONTAL_WIDTH_RATIO, 0.0, 1.0)))
    yaw = np.where(np.isfinite(yaw_w), yaw_w, yaw_i)
    ok &= np.isfinite(yaw)
    if ok.sum() < 3:
        return ViewEstimate("oblique", float("nan"), 0.0)
    yaw, lat_x = yaw[ok], np.where(np.isfinite(lat_w[:, 0]), lat_w[:, 0], lat_i[:, 0])[ok]
    med = float(np.median(yaw))
    cls = int(_classify(np.array([med]))[0])
    frame_cls = _classify(yaw)
    agree = frame_cls == cls
    if cls == 1:
        return ViewEstimate("oblique", med, float(agree.mean()))
    if cls == 2:
        return ViewEstimate("side", med, float(agree.mean()))
    # facing the camera, the subject's left shoulder is on the image right: right - left < 0
    facing = lat_x < 0
    front = bool(np.mean(facing[agree]) >= 0.5) if agree.any() else True
    same = agree & (facing == front)
    return ViewEstimate("front" if front else "back", med, float(same.mean()))
