"""Wire schemas of the Running Analysis API (Ochy's field names; documented in OpenAPI): the error
body here, the response bodies from :mod:`repstride.wire.running_models`."""

from __future__ import annotations

from typing import Any

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
