"""Tables of the Running Analysis API: analyses, per-client API keys and subjects (runners).

They share :class:`repstride.service.models.Base` (and so the Alembic chain, revisions
``r0001_running`` and ``r0002_ochy``) with the Video API's tables; clients, credits and jobs are
the Video API's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from repstride.service.models import Base

#: Lifecycle of seed 002, in order.
PENDING, ANALYZING, SUCCESS, FAILED = "pending", "analyzing", "success", "failed"
STATUSES: tuple[str, ...] = (PENDING, ANALYZING, SUCCESS, FAILED)
#: ``media_status`` of a ``success`` (derived from the media columns, not stored): the results
#: are final before the annotated video is rendered.
MEDIA_PENDING, MEDIA_READY, MEDIA_FAILED = "pending", "ready", "failed"


class RunningApiKey(Base):
    """The ``apiKey`` query parameter of a client. Only its sha256 is stored."""

    __tablename__ = "running_api_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Double)


class RunningAnalysis(Base):
    """One ``POST /analysis/start``. Texts are stored as message keys and translated on read."""

    __tablename__ = "running_analyses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    #: pending / analyzing / success / failed
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    #: 0..100, advanced by the job while ``analyzing``.
    percentage: Mapped[int] = mapped_column(Integer, default=0)
    analysis_type: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    #: :class:`repstride.service.running.params.RunningParams` as JSON.
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    filename: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger)
    video_key: Mapped[str] = mapped_column(String(300))
    container: Mapped[str | None] = mapped_column(String(16), nullable=True)
    fps: Mapped[float | None] = mapped_column(Double, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Double, nullable=True)
    frames: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The analysis' JSON (``repstride.wire.running``; message keys untranslated).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: Blob with the pose track arrays (``.npz``), for ``/results/raw_data``.
    track_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    output_video_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: Message key saying why the media URLs are null (renderer missing, render failed).
    media_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Error code of a failure (``corrupt_video``, ``LOW_QUALITY_POSE_ESTIMATE``, ``internal_error``).
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    refunded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)
    started_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Double, nullable=True)

    #: The caller's subject (runner) the analysis belongs to, if one was given at start.
    subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Frozen at start: webhook events are sent for this analysis.
    notify_via_webhook: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``sequence`` of the last webhook event of this analysis (0: none yet).
    webhook_sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: When the retention sweep deleted the source / the pose track / the annotated media.
    uploads_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    tracks_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    overlays_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)

    __table_args__ = (Index("ix_running_analyses_client_created", "client_id", "created_at"),
                      Index("ix_running_analyses_subject", "subject_id", "created_at"))


class RunningSubject(Base):
    """A runner of one client: analyses started with its ``subject_id`` are grouped under it.

    Deleting is soft (``deleted_at`` set): the subject disappears from the API, its analyses stay.
    """

    __tablename__ = "running_subjects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    #: metres
    height_m: Mapped[float | None] = mapped_column(Double, nullable=True)
    #: kilograms
    weight_kg: Mapped[float | None] = mapped_column(Double, nullable=True)
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)
    deleted_at: Mapped[float | None] = mapped_column(Double, nullable=True)

    __table_args__ = (Index("ix_running_subjects_client_created", "client_id", "created_at"),)
