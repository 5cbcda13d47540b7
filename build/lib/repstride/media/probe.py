"""``probe(path) -> VideoInfo`` and ``validate(info, ...)``.

``probe`` judges the file by its content, demuxes every video packet once (no decoding) to get
the real frame count, frame rate and duration from the timestamps, and decodes the first frame
to prove the data is decodable and to read the display orientation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av.container
import av.video.stream
import numpy as np
from numpy.typing import NDArray

from repstride.errors import CorruptVideo, EmptyVideo, FileTooLarge, VideoTooLong
from repstride.media._container import (
    IDENTITY,
    Orientation,
    check_dimensions,
    ffmpeg_errors,
    is_shown,
    open_input,
    orientation_of,
    packet_time,
    pick_video_stream,
)

MAX_SCAN_PACKETS = 2_000_000
"""Packets scanned by ``probe`` at most (10 h at 60 fps); beyond that the rate is extrapolated."""
FIRST_FRAME_TIMEOUT_S = 30.0
"""Wall-clock budget for finding one decodable frame before declaring the file corrupt."""
VFR_TOLERANCE = 0.2
"""Frame intervals spreading (5th..95th percentile) more than this fraction of the median = VFR."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video is, as displayed.

    ``width``/``height`` are the displayed size, after ``rotation``. ``rotation`` is the clockwise
    rotation in degrees (0, 90, 180, 270) applied to the stored frames for display, as in the legacy
    ``rotate`` tag: a portrait phone clip stored as 1920x1080 has ``rotation=90`` and is displayed
    1080x1920. ``fps`` is the mean frame rate measured from the timestamps (frames per second of
    video time), not the header's claim; ``header_fps`` is the claim. ``vfr`` is true when frame
    intervals vary by more than :data:`VFR_TOLERANCE` of the median. ``container`` is one of
    ``mp4``, ``mov``, ``avi``, ``webm``, ``mkv`` (judged by content).
    """

    container: str
    codec: str
    width: int
    height: int
    rotation: int
    fps: float
    duration_s: float
    frames: int
    mirrored: bool = False
    header_fps: float = 0.0
    vfr: bool = False
    has_audio: bool = False
    size_bytes: int = 0
    pix_fmt: str = ""


def probe(path: str | Path) -> VideoInfo:
    """Describe the video at ``path``.

    Raises ``InvalidFileType`` (not MP4/MOV/AVI/WEBM/MKV by content), ``NoVideoStream``,
    ``CorruptVideo`` (container unreadable or no frame decodes), ``EmptyVideo`` (0 bytes or no
    frames) or ``UnsupportedDimensions``.
    """
    path = Path(path)
    container, family = open_input(path)
    with container:
        stream = pick_video_stream(container)
        cc = stream.codec_context
        check_dimensions(cc.width, cc.height)
        stream.thread_type = "SLICE"  # one frame is needed; frame threads would only add latency
        count, pts, last_duration, orientation, first = _scan(container, stream)
        header_fps = _header_fps(stream)
        tb = stream.time_base or Fraction(1, 1)
        fps, duration, vfr = _timing(pts, count, last_duration, tb, header_fps)
        width, height = first.width, first.height
        check_dimensions(width, height)
        if orientation.swaps_axes:
            width, height = height, width
        return VideoInfo(
            container=family,
            codec=cc.codec.canonical_name,  # "av1", not the decoder ("libdav1d")
            width=width,
            height=height,
            rotation=orientation.rotation_cw,
            fps=fps,
            duration_s=duration,
            frames=count,
            mirrored=orientation.mirror,
            header_fps=header_fps,
            vfr=vfr,
            has_audio=bool(container.streams.audio),
            size_bytes=path.stat().st_size,
            pix_fmt=first.pix_fmt,
        )


def validate(info: VideoInfo, *, max_duration_s: float | None = None,
             max_bytes: int | None = None) -> VideoInfo:
    """Check service limits; returns ``info`` unchanged or raises ``VideoTooLong``/``FileTooLarge``."""
    if max_bytes is not None and info.size_bytes > max_bytes:
        raise FileTooLarge(
            f"The file is {info.size_bytes} bytes; the limit is {max_bytes}.",
            details={"size_bytes": info.size_bytes, "max_bytes": max_bytes},
        )
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise VideoTooLong(
            f"The video lasts {info.duration_s:.1f} s; the limit is {max_duration_s:g} s.",
            details={"duration_s": info.duration_s, "max_duration_s": max_duration_s},
        )
    return info


# --- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _First:
    """The first decoded frame, as stored (before orientation)."""

    width: int
    height: int
    pix_fmt: str


def _scan(container: av.container.InputContainer, stream: av.video.stream.VideoStream
          ) -> tuple[int, NDArray[np.int64], int, Orientation, _First]:
    """Demux every video packet (count, timestamps) and decode until the first frame decodes.

    Returns the number of shown frames, their sorted unique timestamps, the last packet's
    duration, the orientation and the first frame.
    """
    count = 0
    pts: list[int] = []
    last_duration = 0
    first: _First | None = None
    orientation = IDENTITY
    errors = ffmpeg_errors()
    bad_packets = 0
    deadline = time.monotonic() + FIRST_FRAME_TIMEOUT_S
    packets = container.demux(stream)
    while count < MAX_SCAN_PACKETS:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except errors:
            break  # unreadable tail (truncation): what was read so far stands
        if first is None:
            try:
                frames = stream.decode(packet)
            except errors:
                frames = []
                bad_packets += 1
            for frame in frames:
                first = _First(frame.width, frame.height, frame.format.name)
                orientation = orientation_of(frame)
                break
            if first is None and time.monotonic() > deadline:
                raise CorruptVideo("No frame could be decoded in the time allowed.")
        if not is_shown(packet):
            continue
        count += 1
        last_duration = int(packet.duration or 0)
        t = packet_time(packet)
        if t is not None:
            pts.append(t)
    if first is None and count:
        first, orientation = _drain(stream, errors)
    if not count:
        raise EmptyVideo()
    if first is None:
        raise CorruptVideo(details={"packets": count, "bad_packets": bad_packets})
    return count, np.unique(np.asarray(pts, dtype=np.int64)), last_duration, orientation, first


def _drain(stream, errors) -> tuple[_First | None, Orientation]:
    """Flush the decoder (frame-delayed codecs emit their first frame only on flush)."""
    try:
        for frame in stream.decode(None):
            return _First(frame.width, frame.height, frame.format.name), orientation_of(frame)
    except errors:
        pass
    return None, IDENTITY


def _header_fps(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and float(rate) > 0:
            return float(rate)
    return 0.0


def _timing(pts: NDArray[np.int64], count: int, last_duration: int, tb: Fraction,
            header_fps: float) -> tuple[float, float, bool]:
    """Mean fps, duration and VFR flag from presentation timestamps (in ``tb`` units).

    Falls back on the header rate when there are not two distinct timestamps.
    """
    n = len(pts)
    t = pts.astype(np.float64) * float(tb)
    if n >= 2:
        dt = np.diff(t)
        median = float(np.median(dt))
        fps = (n - 1) / float(t[-1] - t[0])
        tick = float(tb)
        spread = float(np.percentile(dt, 95) - np.percentile(dt, 5))
        vfr = spread > VFR_TOLERANCE * median + 2 * tick
        last = last_duration * float(tb) if last_duration > 0 else median
        return fps, float(t[-1] - t[0]) + last, bool(vfr)
    fps = header_fps
    frame_s = last_duration * float(tb) if last_duration > 0 else (1.0 / fps if fps > 0 else 0.0)
    return fps, count * frame_s, False
