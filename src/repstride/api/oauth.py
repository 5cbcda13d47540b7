"""``POST /oauth2/token``: OAuth 2 client credentials (form body or HTTP Basic client auth)."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import ServicesDep
from repstride.api.schemas import ERRORS, TokenOut
from repstride.errors import InvalidClient, MalformedRequest, UnsupportedGrantType

router = APIRouter(tags=["auth"])

#: A token request is a few hundred bytes; anything much larger is not one.
MAX_TOKEN_BODY = 16 * 1024


async def _read_params(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_TOKEN_BODY:
            raise MalformedRequest("The token request body is too large.")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise MalformedRequest("The token request body is not UTF-8.") from exc
    if ctype == "application/json":
        try:
            data = json.loads(text or "{}")
        except ValueError as exc:
            raise MalformedRequest("The token request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise MalformedRequest("The token request body must be an object.")
        return {str(k): str(v) for k, v in data.items() if v is not None}
    # The seed sends application/x-www-form-urlencoded; be lenient about a missing type.
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("Malformed HTTP Basic credentials.") from exc
    cid, sep, secret = raw.partition(":")
    if not sep:
        raise InvalidClient("Malformed HTTP Basic credentials.")
    return unquote(cid), unquote(secret)


@router.post("/oauth2/token", response_model=TokenOut, responses=ERRORS)
async def token(request: Request, services: ServicesDep) -> TokenOut:
    """Exchange client credentials for an access token (``expires_in`` seconds)."""
    params = await _read_params(request)
    grant = params.get("grant_type")
    if grant != "client_credentials":
        raise UnsupportedGrantType(details={"accepted_grant_types": ["client_credentials"]})
    creds = _basic(request.headers.get("authorization")) or (
        params.get("client_id", ""), params.get("client_secret", ""))
    if not creds[0] or not creds[1]:
        raise InvalidClient("client_id and client_secret are required (form fields or HTTP Basic).")
    issued = await run_in_threadpool(services.clients.issue_token, *creds)
    return TokenOut(access_token=issued.access_token, expires_in=issued.expires_in,
                    token_type=issued.token_type)
