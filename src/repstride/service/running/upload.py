"""The spooled upload of ``POST /analysis/start``: form fields plus the video file on disk.

The HTTP layer (``api/routes/running.py``) streams the multipart body into this (the size limit is
enforced while receiving); the service validates and consumes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Name of the file field (seed 002).
VIDEO_FIELD = "video"


@dataclass
class RunningUpload:
    """Text fields, and the video spooled to ``path`` (deleted by :meth:`discard`)."""

    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    filename: str | None = None
    size: int = 0

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
