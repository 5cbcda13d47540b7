"""SQLAlchemy tables. Times are UNIX seconds (float) so that comparisons behave the same on
SQLite and PostgreSQL; ids are strings (uuid4 hex or url-safe random)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ApiClient(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    #: Current credit balance; changed only together with a ledger row, by conditional UPDATE.
    credits: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Double)


class AccessToken(Base):
    __tablename__ = "tokens"

    #: sha256 hex of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    created_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_tokens_client_created", "client_id", "created_at"),)


class CreditEntry(Base):
    """The credit ledger: one row per change; ``(client_id, ref)`` makes a debit idempotent."""

    __tablename__ = "credit_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index("uq_credit_ledger_client_ref", "client_id", "ref", unique=True),)


class Video(Base):
    __tablename__ = "videos"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(1024))
    size: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    schema_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    domain: Mapped[str | None] = mapped_column(String(64), nullable=True)
    activity: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rep_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Seed 001 video status: Pending (not uploaded) / Success / Failed.
    status: Mapped[str] = mapped_column(String(16), default="Pending")
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Analysis status: Pending / Complete / Failed.
    analysis_status: Mapped[str] = mapped_column(String(16), default="Pending")
    analysis_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Bumped by every PUT; a job writes its analysis only if the revision is still current.
    analysis_rev: Mapped[int] = mapped_column(Integer, default=0)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: Pose track / j2p / objects: Pending / Complete / Failed.
    pose_status: Mapped[str] = mapped_column(String(16), default="Pending")
    #: {"skeleton": {"status": ..., "key"?: ...}, "all": {...}}
    overlays: Mapped[dict[str, Any]] = mapped_column(JSON)
    video_key: Mapped[str] = mapped_column(String(300))
    fps: Mapped[float | None] = mapped_column(Double, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Double, nullable=True)
    created_at: Mapped[float] = mapped_column(Double)
    uploaded_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    updated_at: Mapped[float] = mapped_column(Double)
    #: When the retention sweep deleted the source / the pose data / the overlays (else None).
    uploads_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    tracks_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    overlays_expired_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    #: Frozen at creation (``notifyViaWebhook``): webhook events are sent for this video.
    notify_via_webhook: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``sequence`` of the last webhook event of this video (0: none yet).
    webhook_sequence: Mapped[int] = mapped_column(Integer, default=0)

    #: the cursor listing of ``GET /videos`` (newest first, ties by id)
    __table_args__ = (Index("ix_videos_client_created", "client_id", "created_at", "id"),)


class Job(Base):
    """A durable job. ``args`` is JSON of ids only; a worker holds it under a lease."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: queued / running / done / failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[float | None] = mapped_column(Double, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the HTTP request that created the job (``X-Request-ID``), for the logs
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index("ix_jobs_state_created", "state", "created_at"),)
