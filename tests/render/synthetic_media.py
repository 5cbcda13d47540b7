"""Synthetic inputs for the renderer tests: a flat-grey video written with PyAV (optionally with a
rotation in its display matrix) and a PoseTrack of a stick figure at known positions."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import av
import numpy as np

from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.track import NUM_JOINTS, Joint, PoseTrack

GREY = 128
MARKER = (255, 0, 0)
"""A red block in the *stored* frame's top-left corner, to see where it ends up after rotation."""

#: A standing figure in normalised display coordinates (x right, y down).
FIGURE: dict[Joint, tuple[float, float]] = {
    Joint.NOSE: (0.50, 0.18),
    Joint.LEFT_EYE: (0.52, 0.16), Joint.RIGHT_EYE: (0.48, 0.16),
    Joint.LEFT_EAR: (0.54, 0.17), Joint.RIGHT_EAR: (0.46, 0.17),
    Joint.LEFT_SHOULDER: (0.58, 0.30), Joint.RIGHT_SHOULDER: (0.42, 0.30),
    Joint.LEFT_ELBOW: (0.62, 0.42), Joint.RIGHT_ELBOW: (0.38, 0.42),
    Joint.LEFT_WRIST: (0.63, 0.53), Joint.RIGHT_WRIST: (0.37, 0.53),
    Joint.LEFT_INDEX: (0.63, 0.56), Joint.RIGHT_INDEX: (0.37, 0.56),
    Joint.LEFT_HIP: (0.55, 0.55), Joint.RIGHT_HIP: (0.45, 0.55),
    Joint.LEFT_KNEE: (0.56, 0.70), Joint.RIGHT_KNEE: (0.44, 0.70),
    Joint.LEFT_ANKLE: (0.56, 0.85), Joint.RIGHT_ANKLE: (0.44, 0.85),
    Joint.LEFT_HEEL: (0.55, 0.87), Joint.RIGHT_HEEL: (0.45, 0.87),
    Joint.LEFT_FOOT_INDEX: (0.59, 0.88), Joint.RIGHT_FOOT_INDEX: (0.41, 0.88),
}


def write_video(path: Path, *, width: int, height: int, frames: int, fps: int = 30,
                rotation_cw: int = 0) -> Path:
    """Flat grey frames with a red marker top-left; optional display-matrix rotation."""
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        for _ in range(frames):
            img = np.full((height, width, 3), GREY, np.uint8)
            img[: height // 8, : width // 8] = MARKER
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    if rotation_cw:
        _set_rotation(path, rotation_cw)
    return path


def _set_rotation(path: Path, cw: int) -> None:
    """Overwrite the ``tkhd`` matrix, as phones do for portrait clips stored landscape."""
    b = bytearray(path.read_bytes())
    i = b.find(b"tkhd")
    version = b[i + 4]
    off = i + 8 + (20 if version == 0 else 32) + 16
    c, s = round(math.cos(math.radians(cw))), round(math.sin(math.radians(cw)))
    b[off:off + 36] = struct.pack(">9i", c << 16, s << 16, 0, (-s) << 16, c << 16, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(b))


def figure_track(frames: int, *, width: int, height: int, fps: float = 30.0,
                 drift: float = 0.002) -> PoseTrack:
    """The stick figure drifting right by ``drift`` of the width per frame, all joints confident."""
    xy = np.full((frames, NUM_JOINTS, 2), np.nan)
    score = np.zeros((frames, NUM_JOINTS))
    for j, (x, y) in FIGURE.items():
        xy[:, int(j), 0] = x + drift * np.arange(frames) - drift * frames / 2
        xy[:, int(j), 1] = y
        score[:, int(j)] = 0.95
    lo, hi = np.nanmin(xy, axis=1), np.nanmax(xy, axis=1)
    return PoseTrack(
        xy=xy, score=score, world=np.zeros((frames, NUM_JOINTS, 3)),
        timestamps_s=np.arange(frames) / fps, frame_index=np.arange(frames, dtype=np.int64),
        bbox=np.concatenate([lo, hi], axis=1), fps=fps, width=width, height=height,
    )


def squat_result(times_ms: list[tuple[int, int, int]]) -> ActivityResult:
    reps = tuple(
        Rep(s, m, e, (RepAnalysis("HIP_KNEE_ANGLE_DEGREES", 85.0 + i, "good" if i % 2 else "bad"),
                      RepAnalysis("ECCENTRIC_DURATION_MS", None)))
        for i, (s, m, e) in enumerate(times_ms)
    )
    return ActivityResult("Complete", "weightlifting", "squat", reps)
