"""Error rendering: ONE handler turns every :class:`RepstrideError` into ``{code, message,
details?}`` with the error's status (on the Running Analysis API's paths the body also has
Ochy's ``detail``, the same human sentence); request-validation and routing errors are converted into
RepstrideErrors first; anything unexpected is logged and answered ``internal_error`` by a catch-all
ASGI middleware (so even a bug yields a stable JSON body, never an HTML traceback)."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from repstride.errors import (
    FileTooLarge, MalformedRequest, NotFound, RateLimited, RepstrideError, ServiceUnavailable, Unauthorized,
    ValidationFailed,
)

log = logging.getLogger("repstride.api")


class MethodNotAllowed(RepstrideError):
    code = "method_not_allowed"
    http_status = 405
    default_message = "This method is not allowed on this path."


#: Path prefixes of the Running Analysis API (Ochy's dialect: error bodies carry ``detail``).
RUNNING_API_PREFIXES: tuple[str, ...] = ("/analysis", "/subjects", "/webhook", "/credits")


def is_running_api_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in RUNNING_API_PREFIXES)


def error_body(exc: RepstrideError, path: str | None = None) -> dict[str, Any]:
    """``{code, message, details?}``; on a Running API path ``detail`` (Ochy's field) first."""
    body = exc.to_dict()
    if path is not None and is_running_api_path(path):
        body = {"detail": exc.message, **body}
    return body


def error_response(exc: RepstrideError, request: Request | None = None, *,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, FileTooLarge):
        headers["Connection"] = "close"  # the rest of the body is not read: do not reuse the socket
    if isinstance(exc, (RateLimited, ServiceUnavailable)):
        headers["Retry-After"] = str(int(exc.details.get("retry_after_s", 60)))
    if isinstance(exc, RateLimited) and "limit" in exc.details:
        headers["RateLimit-Limit"] = str(exc.details["limit"])
        headers["RateLimit-Remaining"] = str(exc.details.get("remaining", 0))
        headers["RateLimit-Reset"] = headers["Retry-After"]
    path = request.url.path if request is not None else None
    return JSONResponse(error_body(exc, path), status_code=exc.http_status, headers=headers)


async def repstride_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RepstrideError)
    return error_response(exc, request)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(MalformedRequest("The request body is not valid JSON."), request)
    problems = [{"field": _field(tuple(e.get("loc", ()))), "problem": e.get("msg", "invalid")}
                for e in errors]
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return error_response(ValidationFailed(f"Invalid request: {summary}.",
                                           details={"errors": problems}), request)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_response(NotFound("No such endpoint."), request)
    if exc.status_code == 405:
        allow = _allowed(request) or (exc.headers or {}).get("Allow", "")
        return error_response(MethodNotAllowed(), request,
                              headers={"Allow": allow} if allow else None)
    err = RepstrideError(str(exc.detail))
    err.http_status = exc.status_code
    err.code = "http_error"
    return error_response(err, request)


def _allowed(request: Request) -> str:
    """Every method the API serves on this path, from the OpenAPI paths (one route per method,
    so the router alone knows only the first route that matched the path)."""
    import re

    table = getattr(request.app.state, "allow_table", None)
    if table is None:
        table = []
        for template, ops in request.app.openapi().get("paths", {}).items():
            rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
            table.append((rx, {m.upper() for m in ops}))
        request.app.state.allow_table = table
    path = request.url.path
    return ", ".join(sorted(set().union(*[m for rx, m in table if rx.match(path)])))


class CatchAllMiddleware:
    """Last line: an unexpected exception becomes a logged, stable ``internal_error`` body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            # The client went away mid-body: nobody to answer, nothing broken.
            log.info("client disconnected before the end of its request: %s %s",
                     scope.get("method"), scope.get("path"))
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            body = json.dumps(error_body(RepstrideError(), scope.get("path"))).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RepstrideError, repstride_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_middleware(CatchAllMiddleware)
