"""Where rendered frames go: the media layer's H.264 writer and JPEG writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from repstride.media.encode import VideoWriter
from repstride.media.encode import write_jpeg as _write_jpeg

DEFAULT_CRF = 23
"""x264 constant-rate factor of overlay videos (the x264 default: visually clean)."""
DEFAULT_PRESET = "superfast"
"""x264 preset of overlay videos: ~1.5x faster than ``veryfast`` for ~1.6x the bytes; overlays
are short-lived downloads, and encoding is most of the rendering time."""


def open_video(path: str | Path, *, fps: float, width: int, height: int, crf: int = DEFAULT_CRF,
               preset: str = DEFAULT_PRESET, duration_s: float | None = None) -> VideoWriter:
    """An H.264 MP4 (yuv420p, faststart) writer; ``write(rgb, timestamp_s=...)``, context manager."""
    return VideoWriter(path, fps=fps, width=width, height=height, crf=crf, preset=preset,
                       duration_s=duration_s if duration_s and duration_s > 0 else None)


def write_jpeg(path: str | Path, rgb: NDArray[np.uint8]) -> None:
    _write_jpeg(path, rgb)
