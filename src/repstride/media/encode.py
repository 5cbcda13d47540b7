"""Video and image encoding for the renderers: H.264 MP4 (``VideoWriter``) and JPEG (``write_jpeg``).

Output MP4s are what every browser plays: H.264 (libx264), yuv420p, BT.709 tagged (or BT.601
for frames the caller converted itself, :meth:`VideoWriter.write_yuv420p`), limited range, ``moov`` box before ``mdat`` (``+faststart``) so playback starts before the download ends.
Timestamps are exact: either a constant rate, or the caller's per-frame timestamps (to reproduce a
VFR input's timing, so an overlay stays in sync with the source and lasts exactly as long).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import av.video.reformatter as avr
import numpy as np
from numpy.typing import NDArray

DEFAULT_CRF = 23
"""x264 constant rate factor: 18 is visually lossless, 23 the x264 default, 28 small files."""
DEFAULT_PRESET = "veryfast"
"""x264 speed preset: renders are short-lived artifacts, speed matters more than a few % size."""
VFR_TIME_BASE = Fraction(1, 90_000)
"""Time base used when frames carry their own timestamps (the MPEG 90 kHz clock)."""
#: Colour matrices a writer can tag: (swscale colorspace, H.264 matrix, primaries, transfer).
_COLOUR_TAGS = {
    "bt709": (avr.Colorspace.ITU709, avr.ColorPrimaries.BT709, avr.ColorTrc.BT709),
    "bt601": (avr.Colorspace.ITU601, avr.ColorPrimaries.SMPTE170M, avr.ColorTrc.SMPTE170M),
}


class VideoWriter:
    """Write RGB frames to an H.264 MP4.

    >>> with VideoWriter("out.mp4", fps=30, width=640, height=360) as w:  # doctest: +SKIP
    ...     for rgb in frames:
    ...         w.write(rgb)                       # constant 30 fps
    ...         # or w.write(rgb, timestamp_s=t)   # the source's own timing (VFR)

    ``width``/``height`` are the size of the arrays passed to :meth:`write`. yuv420p needs even
    sides, so an odd last row/column is cropped; ``encoded_width``/``encoded_height`` say what
    was written. With timestamps, each frame lasts until the next one's timestamp; the last frame
    lasts until ``duration_s`` when given (use the source's duration for an exact match), else as
    long as the previous interval. Timestamps must increase strictly.

    ``colorspace`` is the matrix the file is tagged with and :meth:`write` converts with
    (``bt709``, or ``bt601``: the matrix of OpenCV's fast RGB -> I420 conversion, for callers
    that hand over converted planes with :meth:`write_yuv420p`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        fps: float,
        width: int,
        height: int,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
        duration_s: float | None = None,
        colorspace: str = "bt709",
    ) -> None:
        if colorspace not in _COLOUR_TAGS:
            raise ValueError(f"colorspace must be one of {sorted(_COLOUR_TAGS)}, got {colorspace!r}")
        if not fps or fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        if width < 2 or height < 2:
            raise ValueError(f"width and height must be at least 2, got {width}x{height}")
        self.path = Path(path)
        self.colorspace = colorspace
        self.width, self.height = int(width), int(height)
        self.encoded_width, self.encoded_height = self.width & ~1, self.height & ~1
        self.fps = fps
        self.rate = Fraction(fps).limit_denominator(1001)
        self.duration_s = duration_s
        self.frames_written = 0
        self._container = av.open(str(self.path), mode="w", format="mp4",
                                  container_options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream(
                "libx264", rate=self.rate, options={"crf": str(int(crf)), "preset": preset})
            stream.width, stream.height = self.encoded_width, self.encoded_height
            stream.pix_fmt = "yuv420p"
            cc = stream.codec_context
            self._matrix, cc.color_primaries, cc.color_trc = _COLOUR_TAGS[colorspace]
            cc.colorspace = self._matrix
            cc.color_range = avr.ColorRange.MPEG
            cc.flags |= av.codec.context.Flags.frame_duration  # carry frame durations to packets
            # No B-frames: decode order == presentation order, so the MP4 sample durations (and
            # the last frame's, which sets the file's duration) are exactly the frames' own,
            # and players need no edit list.
            cc.max_b_frames = 0
        except Exception:
            self._container.close()
            raise
        self._stream = stream
        self._timed: bool | None = None  # decided by the first write
        self._pending: av.VideoFrame | None = None
        self._last_pts = -1
        self._last_t = -float("inf")
        self._last_step = 0
        self._closed = False

    # --- public --------------------------------------------------------------------------------

    def write(self, rgb: NDArray[np.uint8], timestamp_s: float | None = None) -> None:
        """Append one ``(height, width, 3)`` uint8 RGB frame, optionally at ``timestamp_s``."""
        if self._closed:
            raise ValueError("write() on a closed VideoWriter")
        if rgb.shape != (self.height, self.width, 3) or rgb.dtype != np.uint8:
            raise ValueError(
                f"frame must be uint8 of shape {(self.height, self.width, 3)}, "
                f"got {rgb.dtype} {rgb.shape}")
        if self.encoded_width != self.width or self.encoded_height != self.height:
            rgb = rgb[: self.encoded_height, : self.encoded_width]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        self._push(frame.reformat(format="yuv420p", dst_colorspace=self._matrix,
                                  dst_color_range=avr.ColorRange.MPEG), timestamp_s)

    def write_yuv420p(self, planes: NDArray[np.uint8], timestamp_s: float | None = None) -> None:
        """Append one frame already converted to I420 (``(encoded_height * 3 / 2,
        encoded_width)`` uint8: Y, then U, then V, limited range, in the writer's
        ``colorspace``), without a conversion here."""
        if self._closed:
            raise ValueError("write() on a closed VideoWriter")
        shape = (self.encoded_height * 3 // 2, self.encoded_width)
        if planes.shape != shape or planes.dtype != np.uint8:
            raise ValueError(f"planes must be uint8 of shape {shape}, got {planes.dtype} "
                             f"{planes.shape}")
        self._push(av.VideoFrame.from_ndarray(np.ascontiguousarray(planes), format="yuv420p"),
                   timestamp_s)

    def _push(self, frame: av.VideoFrame, timestamp_s: float | None) -> None:
        timed = timestamp_s is not None
        if self._timed is None:
            self._timed = timed
            self._stream.codec_context.time_base = VFR_TIME_BASE if timed else 1 / self.rate
        elif timed != self._timed:
            raise ValueError("pass timestamp_s for every frame or for none")
        tb = self._stream.codec_context.time_base
        if timed:
            t = float(timestamp_s)  # type: ignore[arg-type]
            if t <= self._last_t:
                raise ValueError(f"timestamps must increase: {t} s after {self._last_t} s")
            self._last_t = t
            # Two distinct times closer than one 90 kHz tick still get distinct ticks.
            pts = max(int(round(t / tb)), self._last_pts + 1)
        else:
            pts = self.frames_written
        frame.pts, frame.time_base = pts, tb
        if self._pending is not None:
            self._last_step = pts - self._pending.pts
            self._emit(self._pending, self._last_step)
        self._pending = frame
        self._last_pts = pts
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._pending is not None:
                self._emit(self._pending, self._last_frame_duration())
                self._pending = None
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- helpers -------------------------------------------------------------------------------

    def _last_frame_duration(self) -> int:
        tb = self._stream.codec_context.time_base
        if self.duration_s is not None and self._pending is not None:
            end = int(round(self.duration_s / tb))
            if end > self._pending.pts:
                return end - self._pending.pts
        if self._last_step > 0:
            return self._last_step
        return max(1, int(round(1 / (float(self.rate) * float(tb)))))

    def _emit(self, frame: av.VideoFrame, duration: int) -> None:
        frame.duration = duration
        self._container.mux(self._stream.encode(frame))


def encode_jpeg(rgb: NDArray[np.uint8], quality: int = 88) -> bytes:
    """Encode an RGB ``(H, W, 3)`` uint8 image as a baseline JPEG (FFmpeg's mjpeg encoder).

    ``quality`` 1..100 (higher is better) is mapped linearly onto FFmpeg's JPEG quantiser scale
    31..2 (``-q:v``), so the numbers are comparable to, not identical with, libjpeg's. Chroma is
    4:2:0 for even sizes and 4:4:4 for odd ones.
    """
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in 1..100, got {quality}")
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"image must be uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
    h, w = rgb.shape[:2]
    q = int(round(2 + (100 - quality) * 29 / 99))
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height = w, h
    ctx.pix_fmt = "yuvj444p" if (w % 2 or h % 2) else "yuvj420p"
    ctx.time_base = Fraction(1, 25)
    ctx.qmin = ctx.qmax = q
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    frame = frame.reformat(format=ctx.pix_fmt, dst_colorspace=avr.Colorspace.ITU601,
                           dst_color_range=avr.ColorRange.JPEG)
    frame.pts = 0
    return b"".join(bytes(p) for p in [*ctx.encode(frame), *ctx.encode(None)])


def write_jpeg(path: str | Path, rgb: NDArray[np.uint8], quality: int = 88) -> None:
    """Write an RGB ``(H, W, 3)`` uint8 image to ``path`` as JPEG; see :func:`encode_jpeg`."""
    Path(path).write_bytes(encode_jpeg(rgb, quality))
