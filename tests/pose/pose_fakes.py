"""A synthetic scene and stand-ins for the two BlazePose models, for tracker tests.

People are stick figures defined by a hip centre and a torso length per frame. Frames are tiny
RGB arrays whose pixels encode their own coordinates (channel 0 = x, channel 1 = y), so the fake
detector can tell which tile of the frame it was given. The fake landmark model "sees" the
person whose hip is nearest the region's centre, preferring the larger (nearer) one when two
are close: the way the real model latches onto the foreground person during a crossing.

Orientation, as the real models behave: a person in ``Scene.handstand`` stands on their hands;
for a person in ``Scene.head_out`` (head out of frame) the detector's scale keypoint points at
the wrong end of the body. The fake landmark model given a region turned more than 90 degrees
from the body's real "up" still reads a confident pose (score 0.99), but upside down, with the
visibility of the far half of the body collapsing and a next region that stays upside down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from repstride.analysis.track import Joint
from repstride.pose.anchors import Detections
from repstride.pose.models import Landmarks
from repstride.pose.roi import Roi, normalize_angle

W, H = 240, 160

# joint -> (dx, dy) in torso lengths from the hip centre (person facing the camera)
_TEMPLATE = {
    Joint.NOSE: (0.0, -1.35), Joint.LEFT_EYE_INNER: (0.03, -1.4), Joint.LEFT_EYE: (0.06, -1.4),
    Joint.LEFT_EYE_OUTER: (0.09, -1.4), Joint.RIGHT_EYE_INNER: (-0.03, -1.4),
    Joint.RIGHT_EYE: (-0.06, -1.4), Joint.RIGHT_EYE_OUTER: (-0.09, -1.4),
    Joint.LEFT_EAR: (0.12, -1.38), Joint.RIGHT_EAR: (-0.12, -1.38), Joint.MOUTH_LEFT: (0.04, -1.28),
    Joint.MOUTH_RIGHT: (-0.04, -1.28), Joint.LEFT_SHOULDER: (0.25, -1.0),
    Joint.RIGHT_SHOULDER: (-0.25, -1.0), Joint.LEFT_ELBOW: (0.32, -0.6),
    Joint.RIGHT_ELBOW: (-0.32, -0.6), Joint.LEFT_WRIST: (0.35, -0.2), Joint.RIGHT_WRIST: (-0.35, -0.2),
    Joint.LEFT_PINKY: (0.36, -0.1), Joint.RIGHT_PINKY: (-0.36, -0.1),
    Joint.LEFT_INDEX: (0.35, -0.08), Joint.RIGHT_INDEX: (-0.35, -0.08),
    Joint.LEFT_THUMB: (0.33, -0.1), Joint.RIGHT_THUMB: (-0.33, -0.1),
    Joint.LEFT_HIP: (0.15, 0.0), Joint.RIGHT_HIP: (-0.15, 0.0), Joint.LEFT_KNEE: (0.16, 0.9),
    Joint.RIGHT_KNEE: (-0.16, 0.9), Joint.LEFT_ANKLE: (0.17, 1.8), Joint.RIGHT_ANKLE: (-0.17, 1.8),
    Joint.LEFT_HEEL: (0.17, 1.88), Joint.RIGHT_HEEL: (-0.17, 1.88),
    Joint.LEFT_FOOT_INDEX: (0.22, 1.92), Joint.RIGHT_FOOT_INDEX: (-0.22, 1.92),
}
TEMPLATE = np.array([_TEMPLATE[j] for j in Joint])


def skeleton(hip: np.ndarray, torso: float) -> np.ndarray:
    """(33, 2) pixel landmarks of a standing figure."""
    return np.asarray(hip, float) + TEMPLATE * torso


@dataclass
class Scene:
    """``hips[p]`` (T, 2) pixel hip centres (NaN = absent) and ``torsos[p]`` (T,) lengths."""

    hips: dict[int, np.ndarray]
    torsos: dict[int, np.ndarray]
    frame: int = 0
    calls: dict[str, int] = field(default_factory=lambda: {"det": 0, "lmk": 0})
    handstand: set[int] = field(default_factory=set)
    head_out: set[int] = field(default_factory=set)
    #: from this frame on, the wrong-way-up reading looks slightly *better* than the right one
    #: (visibility 0.9 everywhere, presence 0.95 instead of 0.9): an ambiguous pose
    ambiguous_from: int | None = None
    #: frames on which the landmark model's next region comes out upside down (auxiliary
    #: points flipped) although the landmarks themselves are right
    flipped_next_roi: set[int] = field(default_factory=set)

    def up(self, p: int) -> float:
        """The rotation (radians) of a region that sees person ``p`` the right way up."""
        return math.pi if p in self.handstand else 0.0

    def present(self, t: int) -> list[int]:
        return [p for p in self.hips if not np.isnan(self.hips[p][t]).any()]

    def rgb(self) -> np.ndarray:
        ys, xs = np.mgrid[0:H, 0:W]
        return np.stack([xs, ys, np.zeros_like(xs)], axis=2).astype(np.uint8)


class FakeDetector:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    @staticmethod
    def prepare(rgb: np.ndarray) -> np.ndarray:
        return rgb

    def detect(self, crop: np.ndarray, width: int, height: int) -> Detections:
        self.scene.calls["det"] += 1
        x0, y0 = float(crop[0, 0, 0]), float(crop[0, 0, 1])
        t = self.scene.frame
        boxes, kps, scores = [], [], []
        for p in self.scene.present(t):
            hip, s = self.scene.hips[p][t], self.scene.torsos[p][t]
            local = hip - [x0, y0]
            if not (0 <= local[0] < width and 0 <= local[1] < height):
                continue
            # keypoints: hip centre, scale point, shoulder centre, upper-body point; "up" is -y
            # for someone standing, +y on their hands, and the wrong way with the head cut off
            sign = -1.0 if (p in self.scene.handstand) == (p in self.scene.head_out) else 1.0
            kp = np.array([local, local + [0, sign * 1.4 * s], local + [0, sign * s],
                           local + [0, sign * 1.6 * s]])
            face = np.concatenate([local - [0.2 * s, 1.6 * s], local + [0.2 * s, -1.2 * s]])
            boxes.append(face)
            kps.append(kp)
            scores.append(0.9)
        if not boxes:
            return Detections.empty()
        return Detections(np.array(boxes), np.array(kps), np.array(scores))


class FakeLandmarker:
    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def run(self, rgb: np.ndarray, roi: Roi) -> Landmarks:
        self.scene.calls["lmk"] += 1
        t = self.scene.frame
        c = np.array([roi.cx, roi.cy])
        cands = []
        for p in self.scene.present(t):
            d = np.linalg.norm(self.scene.hips[p][t] - c)
            if d < roi.size * 0.3:
                cands.append((d, p))
        if not cands:
            return _landmarks(np.zeros(2), 1.0, score=0.0)
        cands.sort()
        d0, p0 = cands[0]
        for d, p in cands[1:]:  # close call: the nearer (bigger) person wins
            if d - d0 < 0.15 * roi.size and self.scene.torsos[p][t] > self.scene.torsos[p0][t]:
                p0 = p
        hip, torso = self.scene.hips[p0][t], self.scene.torsos[p0][t]
        wrong_way = abs(normalize_angle(roi.rotation - self.scene.up(p0))) > math.pi / 2
        inverted = (p0 in self.scene.handstand) != wrong_way
        lm = _landmarks(hip, torso, score=0.99, inverted=inverted)
        if t in self.scene.flipped_next_roi:
            lm = Landmarks(xy=lm.xy, z=lm.z, visibility=lm.visibility, presence=lm.presence,
                           world=lm.world, pose_score=lm.pose_score,
                           next_roi=lm.next_roi.flipped())
        ambiguous = self.scene.ambiguous_from is not None and t >= self.scene.ambiguous_from
        if wrong_way:  # confident, upside down, the misplaced half barely visible
            vis = lm.visibility.copy()
            presence = np.full(33, 0.95 if ambiguous else 0.8)
            if not ambiguous:
                vis[23:] = 0.05
            lm = Landmarks(xy=lm.xy, z=lm.z, visibility=vis, presence=presence,
                           world=lm.world, pose_score=lm.pose_score, next_roi=lm.next_roi)
        return lm


def _landmarks(hip: np.ndarray, torso: float, *, score: float,
               inverted: bool = False) -> Landmarks:
    """Landmarks of a standing figure (``inverted``: turned by half a turn about the hip)."""
    xy = skeleton(hip, torso)
    sign = 1.0
    if inverted:
        xy = 2 * np.asarray(hip, float) - xy
        sign = -1.0
    return Landmarks(
        xy=xy, z=np.zeros(33), visibility=np.full(33, 0.9), presence=np.full(33, 0.9),
        world=np.zeros((33, 3)), pose_score=score,
        next_roi=Roi.from_alignment_points(hip, hip - [0, sign * 1.4 * torso]),
    )


def walk(t: int, start: tuple[float, float], velocity: tuple[float, float],
         *, frames: range | None = None) -> np.ndarray:
    """(t, 2) hip positions moving at constant velocity (NaN outside ``frames``)."""
    k = np.arange(t)[:, None]
    out = np.asarray(start, float) + k * np.asarray(velocity, float)
    if frames is not None:
        mask = np.ones(t, bool)
        mask[list(frames)] = False
        out[mask] = np.nan
    return out
