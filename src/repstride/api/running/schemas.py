"""Wire schemas of the Running Analysis API (Ochy's field names; documented in OpenAPI): the error
body here, the response bodies from :mod:`repstride.wire.running_models`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from repstride.wire.running_models import (  # noqa: F401  (the dialect's response bodies)
    BiomechanicalOut, CalculatedDataOut, ContentBlockOut, ContentTextsOut, RawDataOut, ResultsOut,
    StartedOut,
)


class RunningErrorOut(BaseModel):
    """Every Running API error: Ochy's ``detail`` and repstride's stable ``code``."""

    detail: str
    code: str
    message: str
    details: dict[str, Any] | None = None


#: Documented error responses of the Running API routes (OpenAPI).
RUNNING_ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": RunningErrorOut} for s in (400, 401, 402, 403, 404, 409, 413, 422, 429)
}


# -- listings, subjects, credits, webhooks (repstride's partner-platform routes) -------------

class AnalysisItemOut(BaseModel):
    """One analysis of ``GET /analysis`` / ``GET /subjects/{id}/analysis``."""

    video_id: str
    status: Literal["pending", "analyzing", "success", "failed"]
    percentage: int
    analysis_type: str
    subject_id: str | None
    created_at: str | None


class _PageOut(BaseModel):
    total: int
    limit: int
    offset: int
    next_offset: int | None


class AnalysisPageOut(_PageOut):
    analyses: list[AnalysisItemOut]


class SubjectOut(BaseModel):
    """A subject (runner): ``height`` in metres, ``weight`` in kilograms."""

    subject_id: str
    name: str | None
    email: str | None
    height: float | None
    weight: float | None
    created_at: str | None
    updated_at: str | None


class SubjectPageOut(_PageOut):
    subjects: list[SubjectOut]


class SubjectCreatedOut(BaseModel):
    subject_id: str
    created_at: str | None


class SubjectDeletedOut(BaseModel):
    subject_id: str
    deleted: Literal[True]


class CreditsOut(BaseModel):
    credits: int
    credits_per_analysis: int


class WebhookConfigOut(BaseModel):
    """The receiver; every field is absent (``{}``) when none is set. ``secret`` only when it
    was just created or rotated."""

    url: str | None = None
    enabled: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    secret: str | None = None


class DeliveryOut(BaseModel):
    id: str
    type: str
    video_id: str | None
    sequence: int | None
    state: str
    attempts: int
    status_code: int | None
    latency_ms: float | None
    error: str | None
    created_at: str | None
    delivered_at: str | None
    next_attempt_at: str | None


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]


class WebhookTestOut(BaseModel):
    delivery_id: str
    success: bool
    status_code: int | None
    latency_ms: float | None
    error: str | None
