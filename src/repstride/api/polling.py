"""Polite polling: the poll routes (``GET /videos/{id}``, ``GET /videos/{id}/analysis``,
``GET /analysis/{id}/results``) answer with an ``ETag`` (a digest of the exact body), a matching
``If-None-Match`` gets ``304 Not Modified`` with no body, and while the work is in progress
``Retry-After`` says when asking again is worth it (``REPSTRIDE_POLL_RETRY_AFTER_S``).

The ETag is of the bytes sent, so it changes whenever they do: also when a final body's signed
URLs are re-signed (their expiry moves with the clock), which ends no poll (the client stops at
a final status). Conditions apply to 2xx answers only (RFC 9110 13.1.2): a ``failed`` 400 of the
Running API is sent whole, without an ETag.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic_core import to_json
from starlette.requests import Request
from starlette.responses import Response

#: A private resource (token or apiKey): no shared cache may keep it; a client's own cache must
#: revalidate (the ETag makes that cheap).
CACHE_CONTROL = "private, no-cache"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """``If-None-Match`` (a list of entity tags, weak comparison, or ``*``) names ``etag``."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def poll_response(request: Request, body: Any, *, in_progress: bool, retry_after_s: int,
                  status_code: int = 200) -> Response:
    """``body`` as JSON, with ``ETag`` (2xx) and, while ``in_progress``, ``Retry-After``; a
    304 without a body when the request's ``If-None-Match`` names the ETag."""
    content = to_json(body)
    headers = {"Cache-Control": CACHE_CONTROL}
    if in_progress:
        headers["Retry-After"] = str(retry_after_s)
    if 200 <= status_code < 300:
        headers["ETag"] = etag = etag_of(content)
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
    return Response(content, status_code=status_code, headers=headers,
                    media_type="application/json")


__all__ = ["CACHE_CONTROL", "etag_of", "poll_response"]
