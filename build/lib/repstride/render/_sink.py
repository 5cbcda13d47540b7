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


class BackgroundWriter:
    """Runs a writer's ``write`` calls on a thread, so colour conversion and H.264 encoding (C
    code that releases the GIL) overlap with decoding and drawing the next frame.

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
                    self._writer.write(item[0], timestamp_s=item[1])
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
