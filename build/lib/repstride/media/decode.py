"""Streaming frame decoding: one frame in memory at a time, in display orientation.

Corrupt packets mid-stream are skipped and counted (the decoder conceals what it can); an
unreadable tail (truncated file) ends the stream cleanly. ``iter_frames`` raises
``CorruptVideo`` only if nothing at all decodes, ``EmptyVideo`` if there is nothing to decode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from repstride.errors import CorruptVideo, EmptyVideo
from repstride.media._container import (
    check_dimensions,
    ffmpeg_errors,
    open_input,
    orientation_of,
    packet_time,
    pick_video_stream,
)

RGB_THREADS = min(os.cpu_count() or 1, 4)
"""swscale threads for the YUV->RGB conversion (about 2.5x faster at 1080p on 2 cores)."""
MAX_CONSECUTIVE_BAD_PACKETS = 1000
"""Give up on a stream after this many undecodable packets in a row (garbage, not a video)."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    ``index`` is the frame's position in presentation order over the whole video (the frame
    number a player would show), also when packets were skipped or decoding started mid-video.
    ``timestamp_s`` is seconds since the first frame. ``rgb`` is ``(H, W, 3)`` uint8 in displayed
    orientation (rotation and mirroring from the display matrix applied).
    """

    index: int
    timestamp_s: float
    rgb: NDArray[np.uint8]


@dataclass
class DecodeStats:
    """Filled in while :func:`iter_frames` runs (mutable on purpose: read it after the loop)."""

    frames: int = 0  #: frames yielded
    decoded: int = 0  #: frames decoded (including ones skipped before ``start_s``)
    bad_packets: int = 0  #: packets the decoder rejected
    corrupt_frames: int = 0  #: frames the decoder flagged corrupt (concealed, still yielded)
    dropped_frames: int = 0  #: frames dropped for arriving out of presentation order
    truncated: bool = False  #: the container became unreadable before its end


def iter_frames(
    path: str | Path,
    *,
    max_side: int | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    stats: DecodeStats | None = None,
) -> Iterator[Frame]:
    """Yield decoded RGB frames in display orientation and presentation order.

    Parameters
    ----------
    path
        Video file (MP4, MOV, AVI, WEBM, MKV by content).
    max_side
        Downscale in the decoder (area filter) so that the longer side is at most this many
        pixels; never upscales. ``None`` keeps the full size.
    start_s, end_s
        Only frames with ``start_s <= timestamp_s <= end_s`` (seconds since the first frame).
        ``start_s`` seeks to the preceding keyframe, so it is cheap on long videos.
    stats
        Optional :class:`DecodeStats`, updated as frames are produced.
    """
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be positive, got {max_side}")
    stats = stats if stats is not None else DecodeStats()
    pts_index, t0 = _presentation_pts(path)
    errors = ffmpeg_errors()
    container, _ = open_input(path)
    with container:
        stream = pick_video_stream(container)
        cc = stream.codec_context
        check_dimensions(cc.width, cc.height)
        stream.thread_type = "AUTO"
        tb = stream.time_base or Fraction(1, 1)
        rate = stream.average_rate or stream.guessed_rate
        frame_dt = 1.0 / float(rate) if rate else 1.0 / 30.0
        if start_s is not None and start_s > 0 and t0 is not None:
            try:
                container.seek(t0 + int(start_s / tb), stream=stream, backward=True)
            except errors:
                pass  # unseekable: decode from the start and skip
        converter = _Converter(max_side)
        next_index = 0
        last_ts = -np.inf
        consecutive_bad = 0
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except errors:
                stats.truncated = True
                break
            try:
                frames = stream.decode(packet)
            except errors:
                stats.bad_packets += 1
                consecutive_bad += 1
                if consecutive_bad >= MAX_CONSECUTIVE_BAD_PACKETS:
                    break
                continue
            consecutive_bad = 0
            for frame in frames:
                stats.decoded += 1
                index, ts = _locate(frame, pts_index, t0, tb, next_index, last_ts, frame_dt)
                if ts <= last_ts:
                    # After damage a decoder can emit frames out of presentation order; time
                    # must only move forward for everything downstream.
                    stats.dropped_frames += 1
                    continue
                next_index, last_ts = index + 1, ts
                if start_s is not None and ts < start_s - 1e-6:
                    continue
                if end_s is not None and ts > end_s + 1e-6:
                    return
                if frame.is_corrupt:
                    stats.corrupt_frames += 1
                rgb = converter(frame)
                stats.frames += 1
                yield Frame(index=index, timestamp_s=ts, rgb=rgb)
    if stats.decoded == 0 and not start_s:  # (a seek past the end legitimately yields nothing)
        if pts_index.size == 0 and not (stats.bad_packets or stats.truncated):
            raise EmptyVideo()
        raise CorruptVideo(details={"bad_packets": stats.bad_packets})


class _Converter:
    """Decoded frame -> displayed RGB array, downscaled by swscale when asked.

    The output size is fixed by the first frame: streams that change resolution mid-way (browser
    MediaRecorder WebM does) are scaled to it, so every frame of a video has one shape.
    """

    def __init__(self, max_side: int | None) -> None:
        self.max_side = max_side
        self._source: tuple[int, int] | None = None  # first frame's stored (w, h)
        self._target: tuple[int, int] | None = None  # output stored (w, h)

    def __call__(self, frame) -> NDArray[np.uint8]:
        w, h = frame.width, frame.height
        if self._target is None:
            check_dimensions(w, h)
            self._source = self._target = (w, h)
            if self.max_side is not None and max(w, h) > self.max_side:
                s = self.max_side / max(w, h)
                self._target = (max(1, round(w * s)), max(1, round(h * s)))
        kwargs: dict[str, object] = {"format": "rgb24", "threads": RGB_THREADS}
        if (w, h) != self._target:
            kwargs.update(width=self._target[0], height=self._target[1], interpolation="AREA")
        rgb = frame.to_ndarray(**kwargs)
        return orientation_of(frame).apply(rgb)


def _presentation_pts(path: str | Path) -> tuple[NDArray[np.int64], int | None]:
    """Sorted presentation timestamps of every video packet (demux only, no decoding).

    Lets a frame know its true index even after skipped packets or a seek. Cheap: demuxing reads
    the file but decodes nothing.
    """
    errors = ffmpeg_errors()
    container, _ = open_input(path)
    stamps: list[int] = []
    with container:
        stream = pick_video_stream(container)
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except errors:
                break
            t = packet_time(packet)
            if t is not None:
                stamps.append(t)
    arr = np.unique(np.asarray(stamps, dtype=np.int64))
    return arr, (int(arr[0]) if arr.size else None)


def _locate(frame, pts_index: NDArray[np.int64], t0: int | None, tb: Fraction,
            next_index: int, last_ts: float, frame_dt: float) -> tuple[int, float]:
    """(index, seconds since the first frame) of a decoded frame."""
    pts = frame.pts
    if pts is None or t0 is None:  # no timestamps: count frames at the nominal rate
        return next_index, (last_ts + frame_dt) if np.isfinite(last_ts) else 0.0
    ts = float((pts - t0) * tb)
    i = int(np.searchsorted(pts_index, pts))
    if i < pts_index.size and pts_index[i] == pts:
        return i, ts
    return next_index, ts
