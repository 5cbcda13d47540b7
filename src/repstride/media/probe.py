"""``probe(path) -> VideoInfo``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from repstride.errors import InvalidFileType, NoVideoStream


@dataclass(frozen=True)
class VideoInfo:
    """What a video is, as displayed: ``width``/``height`` are after applying ``rotation``."""

    container: str
    codec: str
    width: int
    height: int
    rotation: int
    fps: float
    duration_s: float
    frames: int


def probe(path: str | Path) -> VideoInfo:
    try:
        container = av.open(str(path))
    except (av.error.InvalidDataError, av.error.ValueError, UnicodeDecodeError) as exc:
        raise InvalidFileType(f"Not a video file: {exc}") from exc
    with container:
        if not container.streams.video:
            raise NoVideoStream()
        stream = container.streams.video[0]
        rotation = int(getattr(stream.codec_context, "rotation", 0) or 0) % 360
        w, h = stream.codec_context.width, stream.codec_context.height
        if rotation in (90, 270):
            w, h = h, w
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        duration = float(stream.duration * stream.time_base) if stream.duration else (
            container.duration / 1e6 if container.duration else 0.0
        )
        frames = int(stream.frames) or int(round(duration * fps))
        return VideoInfo(
            container=container.format.name, codec=stream.codec_context.name, width=w, height=h,
            rotation=rotation, fps=fps, duration_s=duration, frames=frames,
        )
