"""Typed views of the listings, subjects and webhook configuration (the account side of both
APIs), in the same style as :mod:`repstride.client.models`: snake_case attributes, wire names as
aliases, unknown fields kept, ``to_wire()`` gives the JSON back."""

from __future__ import annotations

from pydantic import Field

from repstride.client.models import WireModel

__all__ = [
    "AnalysisItem", "AnalysisPage", "Subject", "SubjectPage", "VideoItem", "VideoPage",
    "WebhookConfig", "WebhookDelivery", "WebhookTest",
]


# --- Video API listing (repstride extension) ---------------------------------------------------


class VideoItem(WireModel):
    """One video of ``GET /videos``."""

    id: str
    filename: str | None = None
    status: str | None = None
    analysis_status: str | None = Field(None, alias="analysisStatus")
    created_at: float | None = Field(None, alias="createdAt")
    domain: str | None = None
    activity: str | None = None
    notify_via_webhook: bool | None = Field(None, alias="notifyViaWebhook")


class VideoPage(WireModel):
    """One page of ``GET /videos``: its ``videos`` and ``next_cursor`` (the ``X-Next-Cursor``
    header), None on the last page."""

    videos: list[VideoItem] = Field(default_factory=list)
    next_cursor: str | None = None


# --- Running Analysis API listings and subjects -----------------------------------------------


class _Offsets(WireModel):
    total: int | None = None
    limit: int | None = None
    offset: int | None = None
    next_offset: int | None = None


class AnalysisItem(WireModel):
    """One analysis of ``GET /analysis`` (``video_id`` is the analysis id)."""

    video_id: str
    status: str | None = None
    percentage: float | None = None
    analysis_type: str | None = None
    subject_id: str | None = None
    created_at: str | None = None


class AnalysisPage(_Offsets):
    """A page of ``GET /analysis`` or ``GET /subjects/{id}/analysis``."""

    analyses: list[AnalysisItem] = Field(default_factory=list)


class Subject(WireModel):
    """A runner: ``height`` in metres, ``weight`` in kilograms."""

    subject_id: str
    name: str | None = None
    email: str | None = None
    height: float | None = None
    weight: float | None = None
    created_at: str | None = None
    updated_at: str | None = None


class SubjectPage(_Offsets):
    subjects: list[Subject] = Field(default_factory=list)


# --- webhooks (shared by both APIs) -------------------------------------------------------------


class WebhookConfig(WireModel):
    """The client's receiver; ``secret`` (``whsec_...``) only in the answer that created or
    rotated it."""

    url: str
    enabled: bool = True
    secret: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class WebhookDelivery(WireModel):
    """One delivery of ``GET /webhook/deliveries`` (``id`` is the ``webhook-id`` header)."""

    id: str
    type: str | None = None
    video_id: str | None = None
    sequence: int | None = None
    state: str | None = None
    attempts: int | None = None
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    created_at: str | None = None
    delivered_at: str | None = None
    next_attempt_at: str | None = None


class WebhookTest(WireModel):
    """``POST /webhook/test``: the receiver's answer to a signed ``webhook.test`` event."""

    delivery_id: str | None = None
    success: bool = False
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None

