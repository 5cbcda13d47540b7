"""Request-size guard: a body whose declared ``Content-Length`` is over its route's limit is
answered 413 at once, before a byte of it is read (and the connection closed, so the client
need not send it). Chunked bodies without a length are still limited by the routes as they
stream."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from repstride.errors import FileTooLarge, RepstrideError
from repstride.service import Services

#: Multipart framing (boundaries, part headers, small fields) tolerated on top of a file limit.
FORM_OVERHEAD_BYTES = 64 * 1024
#: Any other body (JSON objects, token requests) is a few KiB at most.
SMALL_BODY_BYTES = 64 * 1024


class BodyTooLarge(RepstrideError):
    code = "body_too_large"
    http_status = 413
    default_message = "The request body is larger than this endpoint accepts."


def _upload_limit(services: Services) -> int:
    return services.settings.max_upload_bytes + FORM_OVERHEAD_BYTES


def _running_limit(services: Services) -> int:
    from repstride.service.running.service import running_service

    return running_service(services).settings.max_bytes + FORM_OVERHEAD_BYTES


#: (method, path) -> (limit of the declared length, error when over it). Other bodies:
#: :data:`SMALL_BODY_BYTES`.
FILE_ROUTES: dict[tuple[str, str], Callable[[Services], int]] = {
    ("POST", "/uploads"): _upload_limit,
    ("POST", "/analysis/start"): _running_limit,
}


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self._limits: dict[tuple[str, str], int] = {}

    def limit(self, method: str, path: str) -> tuple[int, bool]:
        key = (method, path)
        fn = FILE_ROUTES.get(key)
        if fn is None:
            return SMALL_BODY_BYTES, False
        if key not in self._limits:
            self._limits[key] = fn(self.services)
        return self._limits[key], True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = None
            for name, value in scope["headers"]:
                if name == b"content-length":
                    declared = value
                    break
            if declared is not None and declared.strip().isdigit():
                limit, is_file = self.limit(scope["method"], scope["path"])
                if int(declared) > limit:
                    await _refuse(send, limit, is_file)
                    return
        await self.app(scope, receive, send)


async def _refuse(send: Send, limit: int, is_file: bool) -> None:
    if is_file:
        max_bytes = limit - FORM_OVERHEAD_BYTES
        exc: RepstrideError = FileTooLarge(
            f"The file is larger than the allowed maximum of {max_bytes / 2**20:g} MB.",
            details={"max_bytes": max_bytes})
    else:
        exc = BodyTooLarge(details={"max_bytes": limit})
    body = json.dumps(exc.to_dict()).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


__all__ = ["BodyLimitMiddleware", "BodyTooLarge", "FORM_OVERHEAD_BYTES", "SMALL_BODY_BYTES"]
