"""A running analysis as the service hands it around: :class:`RunningRecord`, a row of
``running_analyses`` detached from its session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from repstride.service.db import snapshot
from repstride.service.running.models import (
    MEDIA_FAILED, MEDIA_PENDING, MEDIA_READY, SUCCESS, RunningAnalysis,
)
from repstride.service.running.params import RunningParams


@dataclass(frozen=True)
class RunningRecord:
    """A row of ``running_analyses`` detached from its session."""

    id: str
    client_id: str
    status: str
    percentage: int
    analysis_type: str
    language: str
    params: RunningParams
    filename: str | None
    size: int
    video_key: str
    container: str | None
    fps: float | None
    width: int | None
    height: int | None
    duration_s: float | None
    frames: int | None
    result: dict[str, Any] | None
    track_key: str | None
    thumbnail_key: str | None
    output_video_key: str | None
    media_reason: str | None
    reason_code: str | None
    reason_detail: str | None
    credits: int
    refunded: bool
    created_at: float
    started_at: float | None
    finished_at: float | None
    subject_id: str | None = None
    notify_via_webhook: bool = False
    #: when the retention sweep deleted the source / pose track / annotated media (else None)
    uploads_expired_at: float | None = None
    tracks_expired_at: float | None = None
    overlays_expired_at: float | None = None

    @property
    def media_status(self) -> str | None:
        """The annotated video and thumbnail of a ``success``: ``pending`` while they are being
        rendered (results come first), ``ready`` once both are stored, ``failed`` when either
        will never be (``media_reason`` says why); None before ``success``."""
        if self.status != SUCCESS:
            return None
        if self.output_video_key is not None and self.thumbnail_key is not None:
            return MEDIA_READY
        return MEDIA_FAILED if self.media_reason is not None else MEDIA_PENDING

    @classmethod
    def of(cls, r: RunningAnalysis) -> RunningRecord:
        return snapshot(cls, r, params=RunningParams.from_json(r.params),
                        notify_via_webhook=bool(r.notify_via_webhook))
