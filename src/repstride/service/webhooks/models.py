"""Tables of the webhooks shared by both APIs: one configuration per client, one row per delivery.

A delivery row is written in the same transaction as the state change it reports (or right after
it) and sent later by the workers (:mod:`repstride.service.webhooks.sender`): the analysis never
waits for a receiver, and a restart loses nothing because the row is the queue.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from repstride.service.models import Base

#: Delivery states: waiting for (another) attempt / answered 2xx / given up (period exhausted,
#: or the configuration disabled or removed).
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class WebhookConfig(Base):
    """The client's receiver. The secret must be kept in clear: it signs every delivery."""

    __tablename__ = "webhook_configs"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``whsec_`` + base64 of 32 random bytes (Standard Webhooks).
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)


class WebhookDelivery(Base):
    """One event for one client; ``id`` is the ``webhook-id`` header (stable across retries)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    #: The analysis / video the event is about (None for a test event).
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: The exact JSON body sent (signed as is).
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When the next attempt is due (UNIX s); a sender claims a row by moving it forward.
    next_attempt_at: Mapped[float] = mapped_column(Double)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)
    delivered_at: Mapped[float | None] = mapped_column(Double, nullable=True)

    __table_args__ = (Index("ix_webhook_deliveries_state_due", "state", "next_attempt_at"),
                      Index("ix_webhook_deliveries_client_created", "client_id", "created_at"))
