"""Rotated square regions of interest, as MediaPipe's pose graphs compute them.

All geometry is in *pixels* of the analysed frame (x right, y down), which keeps rotations exact
for non-square frames. A region is a square of side ``size`` centred on ``(cx, cy)`` and
rotated by ``rotation`` radians (positive = clockwise on screen, MediaPipe's convention).

- ``AlignmentPointsRectsCalculator``: the square is centred on an alignment point (the hip
  centre), its half side is the distance to a second point (which also gives the rotation: the
  vector centre -> point is turned to point straight up, ``target angle = 90°``).
- ``RectTransformationCalculator(scale 1.25, square_long)``: the side is scaled by
  :data:`ROI_SCALE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Margin the landmark model was trained with (pose_detection_to_roi / pose_landmarks_to_roi).
ROI_SCALE = 1.25
#: Angle the centre -> scale-point vector is rotated to (straight up).
TARGET_ANGLE = math.pi / 2


def normalize_angle(a: float) -> float:
    """Wrap to [-pi, pi)."""
    return a - 2 * math.pi * math.floor((a + math.pi) / (2 * math.pi))


@dataclass(frozen=True)
class Roi:
    """A rotated square in pixels of the analysed frame."""

    cx: float
    cy: float
    size: float
    rotation: float

    @classmethod
    def from_alignment_points(cls, center: NDArray[np.floating], scale_point: NDArray[np.floating],
                              *, scale: float = ROI_SCALE) -> Roi:
        """Square around ``center`` with half side ``|scale_point - center|`` times ``scale``."""
        (x0, y0), (x1, y1) = np.asarray(center, float), np.asarray(scale_point, float)
        half = math.hypot(x1 - x0, y1 - y0)
        rotation = normalize_angle(TARGET_ANGLE - math.atan2(-(y1 - y0), x1 - x0))
        return cls(float(x0), float(y0), 2.0 * half * scale, rotation)

    def flipped(self) -> Roi:
        """The same square turned by half a turn (what is "up" in the crop becomes "down")."""
        return Roi(self.cx, self.cy, self.size, normalize_angle(self.rotation + math.pi))

    def rotation_matrix(self) -> NDArray[np.float64]:
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        return np.array([[c, -s], [s, c]])

    def to_image(self, uv: NDArray[np.floating]) -> NDArray[np.float64]:
        """Map (..., 2) coordinates normalised to the crop ([0, 1]²) to frame pixels."""
        uv = np.asarray(uv, np.float64)
        local = (uv - 0.5) * self.size
        return local @ self.rotation_matrix().T + np.array([self.cx, self.cy])

    def to_crop(self, xy: NDArray[np.floating]) -> NDArray[np.float64]:
        """Inverse of :meth:`to_image`: frame pixels -> crop-normalised coordinates."""
        xy = np.asarray(xy, np.float64) - np.array([self.cx, self.cy])
        return xy @ self.rotation_matrix() / self.size + 0.5

    def crop_matrix(self, out_size: int) -> NDArray[np.float64]:
        """2x3 affine map from crop pixel (u, v) to frame pixel, in OpenCV's pixel-centre
        convention (use with ``cv2.WARP_INVERSE_MAP``)."""
        r = self.rotation_matrix() * (self.size / out_size)
        # crop pixel centre u + 0.5 -> normalised (u + 0.5) / out; frame pixel centre at x - 0.5
        t = np.array([self.cx, self.cy]) - r @ np.array([out_size / 2, out_size / 2]) + r @ [0.5, 0.5]
        return np.hstack([r, (t - 0.5)[:, None]])

    def corners(self) -> NDArray[np.float64]:
        """(4, 2) corners in frame pixels."""
        return self.to_image(np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float))

    def aabb(self) -> NDArray[np.float64]:
        """Axis-aligned bounding box ``x1, y1, x2, y2`` in pixels."""
        c = self.corners()
        return np.concatenate([c.min(axis=0), c.max(axis=0)])


def letterbox(width: int, height: int, out_size: int) -> tuple[float, float, float, float]:
    """Fit a ``width x height`` image into an ``out_size`` square keeping the aspect ratio.

    Returns ``(scale, pad_x, pad_y, content)``: image pixels times ``scale`` give tensor pixels
    offset by ``(pad_x, pad_y)``; ``content`` is unused tensor fraction bookkeeping (1 - padding).
    """
    scale = out_size / max(width, height)
    new_w, new_h = width * scale, height * scale
    return scale, (out_size - new_w) / 2, (out_size - new_h) / 2, max(new_w, new_h) / out_size


def unletterbox(xy: NDArray[np.floating], width: int, height: int,
                out_size: int) -> NDArray[np.float64]:
    """Coordinates normalised to the letterboxed tensor -> frame pixels."""
    scale, pad_x, pad_y, _ = letterbox(width, height, out_size)
    xy = np.asarray(xy, np.float64) * out_size
    return (xy - np.array([pad_x, pad_y])) / scale
