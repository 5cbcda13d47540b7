"""Wire schemas shared by both API dialects: the token endpoint, the error body, health."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class TokenOut(BaseModel):
    access_token: str
    expires_in: int
    token_type: str


class ErrorOut(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class HealthOut(BaseModel):
    """``GET /health``: the server, its database dialect and its job table's counts by state."""

    status: Literal["ok"]
    version: str
    database: str
    jobs: dict[str, int]


class LiveOut(BaseModel):
    """``GET /health/live``: the process answers (no dependency is asked)."""

    status: Literal["alive"]


class CheckOut(BaseModel):
    ok: bool
    detail: str


class ReadyOut(BaseModel):
    """``GET /health/ready`` (200 ready, 503 unavailable): each dependency's check."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckOut]


def documented(model: Any, status: int = 200, **more: Any) -> dict[str, Any]:
    """Route keywords declaring ``model`` as the ``status`` response in the OpenAPI document
    without re-validating the body on each request (see :mod:`repstride.wire` for why);
    ``more`` adds further ``{status: model}`` responses."""
    responses = {status: {"model": model}, **{int(k): {"model": m} for k, m in more.items()}}
    return {"response_model": None, "responses": responses}


#: Documented error responses (OpenAPI).
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 413, 422, 429)
}
