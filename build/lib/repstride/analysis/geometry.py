"""Scale-free geometry on pose arrays: joint angles, segment inclinations, midpoints.

All functions take arrays whose last axis holds coordinates (2-D image or 3-D world) and
broadcast over the leading axes (typically ``(T,)``). NaN in, NaN out: a missing joint gives a
missing angle, never an exception. Angles are in degrees.

Image coordinates follow :class:`~repstride.analysis.track.PoseTrack`: x to the right, y
*downwards*. MediaPipe world coordinates are camera-aligned (x right, y down, z away from the
camera), so "up" is ``-y`` in both.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import Joint, PoseTrack

FloatArray = NDArray[np.float64]

#: Unit vector pointing up in image and MediaPipe world coordinates (y grows downwards).
UP_2D: FloatArray = np.array([0.0, -1.0])
UP_3D: FloatArray = np.array([0.0, -1.0, 0.0])


def _norm(v: FloatArray) -> FloatArray:
    return np.sqrt(np.sum(v * v, axis=-1))


def angle_between(u: FloatArray, v: FloatArray) -> FloatArray:
    """Unsigned angle between vectors ``u`` and ``v`` (``(..., D)``), in degrees, 0..180."""
    u = np.asarray(u, float)
    v = np.asarray(v, float)
    denom = _norm(u) * _norm(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=-1) / denom
    cos = np.where(denom > 0, cos, np.nan)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def joint_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Interior angle ``a-b-c`` at vertex ``b`` in degrees (180 = straight, 0 = folded)."""
    return angle_between(np.asarray(a, float) - b, np.asarray(c, float) - b)


def inclination(p_from: FloatArray, p_to: FloatArray, *, up: FloatArray | None = None) -> FloatArray:
    """Angle of the segment ``p_from -> p_to`` from vertical-up, in degrees, 0..180.

    0 = pointing straight up, 90 = horizontal, 180 = straight down. ``up`` defaults to
    :data:`UP_2D` or :data:`UP_3D` depending on the coordinate dimension.
    """
    v = np.asarray(p_to, float) - np.asarray(p_from, float)
    if up is None:
        up = UP_2D if v.shape[-1] == 2 else UP_3D
    return angle_between(v, np.broadcast_to(up, v.shape))


def midpoint(a: FloatArray, b: FloatArray) -> FloatArray:
    """Mean of two points; NaN where either is missing."""
    return (np.asarray(a, float) + np.asarray(b, float)) / 2.0


def distance(a: FloatArray, b: FloatArray) -> FloatArray:
    """Euclidean distance between two point arrays."""
    return _norm(np.asarray(a, float) - np.asarray(b, float))


def track_points(track: PoseTrack, *, space: str = "image") -> FloatArray:
    """``(T, J, D)`` coordinates for geometry: ``"image"`` = aspect-correct pixels, ``"world"`` = metres."""
    if space == "image":
        return track.pixels()
    if space == "world":
        return np.asarray(track.world, float)
    raise ValueError(f"space must be 'image' or 'world', got {space!r}")


def track_joint_angle(pts: FloatArray, a: Joint, b: Joint, c: Joint) -> FloatArray:
    """``(T,)`` angle ``a-b-c`` at ``b`` from a ``(T, J, D)`` array (see :func:`joint_angle`)."""
    return joint_angle(pts[:, int(a)], pts[:, int(b)], pts[:, int(c)])


#: The named joint angles every exercise uses, per side: (proximal, vertex, distal).
SIDE_ANGLES: dict[str, tuple[str, str, str]] = {
    "knee": ("HIP", "KNEE", "ANKLE"),
    "hip": ("SHOULDER", "HIP", "KNEE"),
    "elbow": ("SHOULDER", "ELBOW", "WRIST"),
    "shoulder": ("HIP", "SHOULDER", "ELBOW"),
    "ankle": ("KNEE", "ANKLE", "FOOT_INDEX"),
}


def side_joint(side: str, name: str) -> Joint:
    """``side_joint("left", "KNEE") -> Joint.LEFT_KNEE``."""
    return Joint[f"{side.upper()}_{name}"]


def side_angle(pts: FloatArray, side: str, name: str) -> FloatArray:
    """``(T,)`` named joint angle (``knee``, ``hip``, ``elbow``, ``shoulder``, ``ankle``) of one side."""
    a, b, c = SIDE_ANGLES[name]
    return track_joint_angle(pts, side_joint(side, a), side_joint(side, b), side_joint(side, c))
