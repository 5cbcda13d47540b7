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


#: Documented error responses (OpenAPI).
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (400, 401, 403, 404, 409, 413, 422, 429)
}
