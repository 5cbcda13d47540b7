"""Wire schemas shared by both API dialects: the token endpoint and the error body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class TokenOut(BaseModel):
    access_token: str
    expires_in: int
    token_type: str


class ErrorOut(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


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
