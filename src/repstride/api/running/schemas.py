"""Wire schemas of the Running Analysis API (Ochy's field names; documented in OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class RunningErrorOut(BaseModel):
    """Every Running API error: Ochy's ``detail`` and repstride's stable ``code``."""

    detail: str
    code: str
    message: str
    details: dict[str, Any] | None = None


class StartedOut(BaseModel):
    """``POST /analysis/start`` (202): Ochy's ``message`` + ``video_id``; repstride's ids."""

    model_config = ConfigDict(extra="allow")

    message: str
    video_id: str
    analysis_id: str
    id: str
    status: str


class ContentTextsOut(BaseModel):
    """A block's texts in the request's language (``exercice``: Ochy's spelling)."""

    model_config = ConfigDict(extra="allow")

    title: str
    position: str | None = None
    recap: list[str]
    exercice: list[str]
    exercice_keys: list[str]


class ContentBlockOut(BaseModel):
    """One ``analysis_content`` block (back-view blocks come as ``{"left": ..., "right": ...}``).
    ``score_number`` is null, with ``reason``, when the metric was not measured."""

    model_config = ConfigDict(extra="allow")

    score_number: float | None
    range_good: list[float | None]
    range_okay: list[float | None]
    range_bad: list[float | None] | None = None
    value: float | None
    unit: str
    metric: str
    verdict: str | None
    reason: str | None = None
    reason_key: str | None = None
    texts: ContentTextsOut


class BiomechanicalOut(BaseModel):
    """The translated analysis; ``analysis_content`` maps block names to a block (side view) or
    to ``{"left": block, "right": block}`` (back view)."""

    model_config = ConfigDict(extra="allow")

    analysis_content: dict[str, ContentBlockOut | dict[str, ContentBlockOut]]


class ResultsOut(BaseModel):
    """``GET /analysis/{id}/results`` (``biomechanical_analysis`` on success only)."""

    model_config = ConfigDict(extra="allow")

    analysis_id: str
    status: Literal["pending", "analyzing", "success", "failed"]
    percentage: int
    message: str
    biomechanical_analysis: BiomechanicalOut | None = None


#: Documented error responses of the Running API routes (OpenAPI).
RUNNING_ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": RunningErrorOut} for s in (400, 401, 402, 403, 404, 409, 413, 422, 429)
}
