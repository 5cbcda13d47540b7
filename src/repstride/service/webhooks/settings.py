"""Webhook settings, read once from ``REPSTRIDE_WEBHOOK_*`` (shared by both APIs)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebhookSettings(BaseSettings):
    """Environment variable = ``REPSTRIDE_WEBHOOK_`` + upper-cased name."""

    model_config = SettingsConfigDict(env_prefix="REPSTRIDE_WEBHOOK_", extra="ignore")

    #: A delivery is retried for this long after the event (then ``failed``); default 24 h.
    retry_period_s: float = Field(86400.0, gt=0)
    #: First retry delay; each further retry doubles it (capped), times a jitter in [0.5, 1).
    backoff_base_s: float = Field(5.0, gt=0)
    backoff_cap_s: float = Field(3600.0, gt=0)
    #: Connect / read timeout of one attempt, and the whole attempt's deadline (seconds).
    connect_timeout_s: float = Field(5.0, gt=0)
    timeout_s: float = Field(10.0, gt=0)
    #: At most this much of a receiver's answer is read (the rest is dropped with the connection).
    max_response_bytes: int = Field(64 * 1024, gt=0)
    #: ``analysis.progress`` is sent each time the percentage passes a multiple of this.
    progress_step: int = Field(10, ge=1, le=100)
    #: How often the sender threads look for due deliveries.
    poll_s: float = Field(1.0, gt=0)
    #: Deliveries one sender pass handles at most.
    batch: int = Field(50, ge=1)


def load_webhook_settings(**overrides: object) -> WebhookSettings:
    return WebhookSettings(**{k: v for k, v in overrides.items() if v is not None})
