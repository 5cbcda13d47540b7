"""The SDK's error hierarchy, and the one place HTTP failures are turned into it.

The SDK talks HTTP only, so it does not share classes with the server: a caller catches
:class:`RepstrideError` (or a subclass) whatever server is on the other end — a repstride server
or the commercial API it mirrors.

::

    RepstrideError
    ├── AuthError            401/403, token endpoint refusals
    ├── NotFound             404
    ├── InvalidInput         400/413/415/422 (e.g. ``invalid_file_type``, ``file_too_large``)
    ├── InsufficientCredits  402
    ├── AnalysisFailed       an analysis ended ``Failed``/``failed``; ``.reason`` says why
    ├── Timeout              an HTTP timeout, or polling outlived its overall deadline
    ├── Conflict             409
    ├── RateLimited          429
    ├── ServerError          5xx
    └── TransportError       connection refused / reset, DNS, ...

Every error carries ``status`` (HTTP status or ``None``), ``code`` (the server's stable code when it
sent one) and ``body`` (the decoded error body).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

__all__ = [
    "AnalysisFailed", "AuthError", "Conflict", "InsufficientCredits", "InvalidInput", "NotFound",
    "RateLimited", "RepstrideError", "ServerError", "Timeout", "TransportError",
    "error_from_response", "raise_for_response",
]


class RepstrideError(Exception):
    """Base class of every error the SDK raises on purpose."""

    default_code: str = "error"
    #: Seconds the server asked us to wait before retrying (``Retry-After``), when it said.
    retry_after_s: float | None = None

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or self.default_code
        self.body = body

    def __str__(self) -> str:
        where = f"HTTP {self.status}, " if self.status is not None else ""
        return f"{self.message} ({where}{self.code})"


class AuthError(RepstrideError):
    """Credentials missing, wrong or revoked, or the token was refused twice."""

    default_code = "unauthorized"


class NotFound(RepstrideError):
    """No such video / analysis (or it belongs to another client)."""

    default_code = "not_found"


class InvalidInput(RepstrideError):
    """The server (or the SDK, before sending) refused the input."""

    default_code = "invalid_input"


class InsufficientCredits(RepstrideError):
    """The account has no credits left."""

    default_code = "insufficient_credits"


class AnalysisFailed(RepstrideError):
    """The analysis finished without results; ``reason`` is the server's reason code/text."""

    default_code = "analysis_failed"

    def __init__(self, message: str, *, reason: str | None = None, status: int | None = None,
                 code: str | None = None, body: Any = None) -> None:
        super().__init__(message, status=status, code=code, body=body)
        self.reason = reason


class Timeout(RepstrideError):
    """An HTTP request timed out, or waiting for a result exceeded its overall timeout."""

    default_code = "timeout"


class Conflict(RepstrideError):
    """The resource is not in a state that allows the request."""

    default_code = "conflict"


class RateLimited(RepstrideError):
    """Too many requests (token requests in particular are rate limited)."""

    default_code = "rate_limited"


class ServerError(RepstrideError):
    """The server failed (5xx); usually worth retrying later."""

    default_code = "server_error"


class TransportError(RepstrideError):
    """The request never got an HTTP answer (connection refused, reset, DNS, ...)."""

    default_code = "transport_error"


# --- the mapping -------------------------------------------------------------------------------

#: Server error codes -> SDK class. Codes win over statuses: a 400 ``insufficient_credits`` is
#: still about credits.
_BY_CODE: dict[str, type[RepstrideError]] = {
    **dict.fromkeys(
        ("unauthorized", "forbidden", "invalid_client", "invalid_grant", "unauthorized_client",
         "unsupported_grant_type", "invalid_token", "invalid_scope", "access_denied",
         "missing_token", "token_expired", "token_revoked", "missing_api_key", "invalid_api_key",
         "invalid_policy", "policy_expired", "invalid_signature"), AuthError),
    "not_found": NotFound,
    **dict.fromkeys(
        ("invalid_input", "invalid_request", "invalid_file_type", "file_too_large",
         "video_too_long", "no_video_stream", "corrupt_video", "empty_video",
         "unsupported_dimensions", "unknown_activity", "validation_error", "not_completed",
         "not_ready", "malformed_request", "malformed_upload", "subject_not_found",
         "invalid_parameter", "unsupported_language", "analysis_not_completed"), InvalidInput),
    "insufficient_credits": InsufficientCredits,
    **dict.fromkeys(("analysis_failed", "LOW_QUALITY_POSE_ESTIMATE"), AnalysisFailed),
    **dict.fromkeys(("conflict", "already_uploaded"), Conflict),
    "rate_limited": RateLimited,
    "timeout": Timeout,
}

#: HTTP status -> SDK class, when the code is absent or unknown.
_BY_STATUS: dict[int, type[RepstrideError]] = {
    400: InvalidInput, 401: AuthError, 402: InsufficientCredits, 403: AuthError, 404: NotFound,
    408: Timeout, 409: Conflict, 413: InvalidInput, 415: InvalidInput, 422: InvalidInput,
    429: RateLimited, 504: Timeout,
}

_FAILED_STATUSES = frozenset({"failed", "Failed", "FAILED"})


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip()
        return text or None


def _code_and_message(body: Any) -> tuple[str | None, str | None]:
    """Read ``{"code", "message"}``, ``{"error": {...}}``, OAuth ``{"error", "error_description"}``
    and FastAPI ``{"detail": str | [...] | {...}}`` bodies."""
    if isinstance(body, str):
        return None, body[:500]
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, dict):
        return _code_and_message(error)
    if isinstance(error, str):  # RFC 6749 section 5.2
        desc = body.get("error_description") or body.get("message")
        return error, desc if isinstance(desc, str) else None
    detail = body.get("detail")
    if isinstance(detail, dict):
        return _code_and_message(detail)
    if isinstance(detail, list):  # FastAPI request validation
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
        return body.get("code") or "validation_error", "; ".join(parts) or None
    code = body.get("code")
    message = body.get("message") or (detail if isinstance(detail, str) else None)
    return (str(code) if code is not None else None), message


def error_code(response: httpx.Response) -> str | None:
    """The server's error code in a (read) response, if it sent one."""
    return _code_and_message(_decode(response))[0]


def error_from_response(response: httpx.Response, *,
                        token_endpoint: bool = False) -> RepstrideError:
    """The SDK error for a non-2xx response (the body must already be read)."""
    status = response.status_code
    body = _decode(response)
    code, message = _code_and_message(body)

    # An analysis that ended ``failed`` is answered 400 by the Running API (seed 002); a Video API
    # server may answer 422 LOW_QUALITY_POSE_ESTIMATE. Either way the analysis failed.
    if isinstance(body, dict) and body.get("status") in _FAILED_STATUSES:
        reason = body.get("reason") or body.get("error_message") or code or message
        reason = reason if isinstance(reason, str) else json.dumps(reason)
        return AnalysisFailed(f"Analysis failed: {reason or 'no reason given'}", reason=reason,
                              status=status, code=code or "analysis_failed", body=body)

    if token_endpoint and 400 <= status < 500 and status != 429:
        cls: type[RepstrideError] = AuthError
    elif code is not None and code in _BY_CODE:
        cls = _BY_CODE[code]
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = RepstrideError

    request = response.request
    text = message or (f"{request.method} {request.url.path} answered {status} "
                       f"{response.reason_phrase}")
    if cls is AnalysisFailed:
        return AnalysisFailed(text, reason=code, status=status, code=code, body=body)
    err = cls(text, status=status, code=code, body=body)
    try:  # 429 and 503 usually say when to come back
        err.retry_after_s = float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        pass
    return err


def raise_for_response(response: httpx.Response, *, token_endpoint: bool = False) -> None:
    """Raise the mapped error unless the response is 2xx (reads a streamed body first)."""
    if response.is_success:
        return
    response.read()
    raise error_from_response(response, token_endpoint=token_endpoint)


async def araise_for_response(response: httpx.Response, *, token_endpoint: bool = False) -> None:
    """Async twin of :func:`raise_for_response`."""
    if response.is_success:
        return
    await response.aread()
    raise error_from_response(response, token_endpoint=token_endpoint)


def from_httpx(exc: httpx.HTTPError) -> RepstrideError:
    """Transport-level httpx errors as SDK errors (used with ``raise ... from exc``)."""
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"HTTP request timed out: {exc}", code="timeout")
    return TransportError(f"HTTP request failed: {exc!r}", code="transport_error")
