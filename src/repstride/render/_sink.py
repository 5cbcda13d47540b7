"""Where rendered frames go: the media layer's H.264 writer and JPEG writer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from repstride.media.encode import VideoWriter
from repstride.media.encode import write_jpeg as _write_jpeg

DEFAULT_CRF = 22
"""x264 constant-rate factor of overlay videos: with ``ultrafast`` a little finer than x264's
default 23, so the overlays are as close to their frames as ``superfast`` CRF 23 made them
(luma PSNR on a 1080p clip scaled to 720p: ultrafast 22 49.1 dB, superfast 23 49.1 dB)."""
DEFAULT_PRESET = "ultrafast"
"""x264 preset of overlay videos: ~2.4x less CPU than ``superfast`` (3.3 vs 8.0 ms per 720p
frame) for ~1.5x the bytes at the same quality; overlays are short-lived downloads, and encoding
is most of the rendering time."""
COLORSPACE = "bt601"
"""Matrix of the overlays' RGB -> I420 conversion and tag: OpenCV converts with BT.601 (limited
range) in ~0.7 ms per 720p frame against swscale's ~3 ms, and tagging the same matrix keeps the
colours exact in players."""


def open_video(path: str | Path, *, fps: float, width: int, height: int, crf: int = DEFAULT_CRF,
               preset: str = DEFAULT_PRESET, duration_s: float | None = None) -> VideoWriter:
    """An H.264 MP4 (yuv420p, faststart, BT.601 tagged) writer; ``write(rgb, timestamp_s=...)``
    (or :func:`write_rgb`), context manager."""
    return VideoWriter(path, fps=fps, width=width, height=height, crf=crf, preset=preset,
                       duration_s=duration_s if duration_s and duration_s > 0 else None,
                       colorspace=COLORSPACE)


def write_rgb(writer: VideoWriter, rgb: NDArray[np.uint8], timestamp_s: float | None) -> None:
    """One RGB frame to a writer of :func:`open_video`, converted to I420 by OpenCV (the matrix
    it is tagged with); odd sides are cropped to even as the writer would."""
    import cv2

    if getattr(writer, "colorspace", None) != "bt601" or rgb.dtype != np.uint8 \
            or rgb.shape != (writer.height, writer.width, 3):
        writer.write(rgb, timestamp_s=timestamp_s)  # its own conversion (or error message)
        return
    h, w = writer.encoded_height, writer.encoded_width
    planes = cv2.cvtColor(np.ascontiguousarray(rgb[:h, :w]), cv2.COLOR_RGB2YUV_I420)
    writer.write_yuv420p(planes, timestamp_s=timestamp_s)


def write_jpeg(path: str | Path, rgb: NDArray[np.uint8]) -> None:
    _write_jpeg(path, rgb)


class BackgroundWriter:
    """Runs a writer's frames (:func:`write_rgb`) on a thread, so colour conversion and H.264
    encoding (C code that releases the GIL) overlap with decoding and drawing the next frame.

    Frames handed to :meth:`write` must not be modified afterwards. Errors raised by the writer
    surface on the next :meth:`write` or on :meth:`close`.
    """

    def __init__(self, writer: VideoWriter, *, depth: int = 3) -> None:
        import queue
        import threading

        self._writer = writer
        self._q: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="overlay-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if self._error is None:
                try:
                    write_rgb(self._writer, item[0], item[1])
                except BaseException as exc:  # handed to the producer thread
                    self._error = exc

    def write(self, rgb: NDArray[np.uint8], timestamp_s: float | None = None) -> None:
        if self._error is not None:
            raise self._error
        self._q.put((rgb, timestamp_s))

    def close(self) -> None:
        if self._thread.is_alive():
            self._q.put(None)
            self._thread.join()
        try:
            if self._error is None:
                self._writer.close()
        finally:
            if self._error is not None:
                self._writer.close()
                raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


T = TypeVar("T")


@contextmanager
def prefetched(items: Iterator[T], *, depth: int = 4) -> Iterator[Iterator[T]]:
    """``items`` produced on a thread, ``depth`` ahead: decoding and the decoder's scaling /
    RGB conversion (C code that releases the GIL) overlap with drawing on the caller's thread.
    The producer's errors are raised where the item would have been; leaving the block early
    stops the producer."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((done, None))
        except BaseException as exc:  # handed to the consumer
            q.put((done, exc))

    thread = threading.Thread(target=produce, name="overlay-decoder", daemon=True)
    thread.start()

    def consume() -> Iterator[T]:
        while True:
            item, exc = q.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item

    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()  # a producer blocked on a full queue sees stop
            except queue.Empty:
                pass
            thread.join(0.05)
        close = getattr(items, "close", None)
        if close is not None:
            close()
