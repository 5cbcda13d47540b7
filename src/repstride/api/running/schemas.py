"""Wire schemas of the Running Analysis API (Ochy's field names; documented in OpenAPI)."""

from __future__ import annotations

from typing import Any

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


#: Documented error responses of the Running API routes (OpenAPI).
RUNNING_ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": RunningErrorOut} for s in (400, 401, 402, 403, 404, 409, 413, 422, 429)
}
