"""Streaming frame decoding: one frame in memory at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp_s: float
    rgb: NDArray[np.uint8]  # (H, W, 3), displayed orientation


def iter_frames(path: str | Path) -> Iterator[Frame]:
    """Yield decoded RGB frames in display orientation, in decode order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for i, frame in enumerate(container.decode(stream)):
            ts = float(frame.time) if frame.time is not None else i / float(stream.average_rate or 30)
            rgb = frame.to_ndarray(format="rgb24")
            rot = int(getattr(frame, "rotation", 0) or 0) % 360
            if rot:
                rgb = np.ascontiguousarray(np.rot90(rgb, k=rot // 90))
            yield Frame(index=i, timestamp_s=ts, rgb=rgb)
