"""Synthetic videos for the media tests, encoded with PyAV.

Every frame carries its own identity: a red block in the stored top-left corner (orientation),
a green band along the stored bottom edge, and a blue vertical bar at column ``BAR_STEP * i``
(``frame_number`` reads it back), so a decoded frame tells which frame it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BAR_STEP = 2


def pattern(i: int, width: int, height: int) -> np.ndarray:
    img = np.full((height, width, 3), 40, np.uint8)
    img[: height // 3, : width // 3] = (255, 0, 0)
    img[-max(2, height // 8):, :, 1] = 255
    x = (BAR_STEP * i) % (width - 1)
    img[height // 3: -max(2, height // 8), x: x + 2, 2] = 255
    return img


def frame_number(rgb: np.ndarray) -> int:
    """The frame index drawn by :func:`pattern` (unrotated frames whose width > 2*frames)."""
    h = rgb.shape[0]
    row = rgb[h // 2].astype(int)
    blue = (row[:, 2] > 150) & (row[:, 0] < 120)
    cols = np.flatnonzero(blue)
    return int(round(cols.mean() - 0.5)) // BAR_STEP


def red_corner(rgb: np.ndarray) -> str:
    """Which corner of the displayed frame holds the red block: ``tl``, ``tr``, ``bl``, ``br``."""
    ys, xs = np.nonzero((rgb[..., 0] > 180) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90))
    h, w = rgb.shape[:2]
    return ("t" if ys.mean() < h / 2 else "b") + ("l" if xs.mean() < w / 2 else "r")


def write_video(
    path: Path,
    *,
    fmt: str | None = None,
    codec: str = "libx264",
    frames: int = 30,
    width: int = 64,
    height: int = 48,
    fps: int = 30,
    pix_fmt: str = "yuv420p",
    rotation: int | None = None,
    hflip: bool = False,
    times: Sequence[float] | None = None,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode ``frames`` pattern frames; ``times`` (seconds) gives VFR timestamps."""
    with av.open(str(path), "w", format=fmt, container_options=container_options or {}) as c:
        s = c.add_stream(codec, rate=fps, options=options or {})
        s.width, s.height, s.pix_fmt = width, height, pix_fmt
        if times is not None:
            s.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None or hflip:
            s.set_display_rotation(rotation or 0, hflip=hflip)
        c.start_encoding()
        for i in range(frames):
            f = av.VideoFrame.from_ndarray(pattern(i, width, height), format="rgb24")
            if times is not None:
                f.pts, f.time_base = int(round(times[i] * 1000)), Fraction(1, 1000)
            c.mux(s.encode(f))
        c.mux(s.encode(None))
    return path


def write_audio_only(path: Path, *, fmt: str | None = None, codec: str = "aac") -> Path:
    with av.open(str(path), "w", format=fmt) as c:
        a = c.add_stream(codec, rate=16000)
        fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                        layout="mono")
        fr.sample_rate = 16000
        for i in range(10):
            fr.pts = i * 1024
            c.mux(a.encode(fr))
        c.mux(a.encode(None))
    return path


VP8 = {"deadline": "realtime", "cpu-used": "8"}

#: (id, muxer, codec, pix_fmt, encoder options, expected container, expected codec)
CONTAINERS = [
    ("mp4-h264", "mp4", "libx264", "yuv420p", None, "mp4", "h264"),
    ("mov-h264", "mov", "libx264", "yuv420p", None, "mov", "h264"),
    ("mkv-h264", "matroska", "libx264", "yuv420p", None, "mkv", "h264"),
    ("webm-vp8", "webm", "libvpx", "yuv420p", VP8, "webm", "vp8"),
    ("webm-vp9", "webm", "libvpx-vp9", "yuv420p", VP8, "webm", "vp9"),
    ("avi-mpeg4", "avi", "mpeg4", "yuv420p", None, "avi", "mpeg4"),
    ("avi-mjpeg", "avi", "mjpeg", "yuvj420p", None, "avi", "mjpeg"),
    ("mov-hevc10", "mov", "libx265", "yuv420p10le", {"x265-params": "log-level=none"}, "mov",
     "hevc"),  # what iPhones record
    ("webm-av1", "webm", "libsvtav1", "yuv420p", {"preset": "12"}, "webm", "av1"),
]


def write_resolution_switch(path: Path, sizes: Sequence[tuple[int, int]], *,
                            frames_each: int = 10) -> Path:
    """A VP8 WebM whose resolution changes mid-stream (as browser MediaRecorder files do): each
    size is a separate encoder run, muxed as one stream with continuous timestamps."""
    with av.open(str(path), "w", format="webm") as c:
        s = c.add_stream("libvpx", rate=30)
        s.width, s.height, s.pix_fmt = sizes[0][0], sizes[0][1], "yuv420p"
        c.start_encoding()
        for k, (w, h) in enumerate(sizes):
            cc = av.CodecContext.create("libvpx", "w")
            cc.width, cc.height, cc.pix_fmt = w, h, "yuv420p"
            cc.time_base = Fraction(1, 30)
            cc.options = {"deadline": "realtime", "cpu-used": "8"}
            packets = []
            for i in range(frames_each):
                f = av.VideoFrame.from_ndarray(pattern(k * frames_each + i, w, h), format="rgb24")
                f.pts = i
                packets += cc.encode(f)
            packets += cc.encode(None)
            for p in packets:
                p.stream = s
                p.pts = p.dts = p.pts + k * frames_each
                p.time_base = Fraction(1, 30)
                c.mux(p)
    return path
