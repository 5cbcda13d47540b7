"""Webhook signatures (the Standard Webhooks scheme), for repstride's sender and for receivers.

A delivery carries three headers: ``webhook-id`` (stable across retries: de-duplicate on it),
``webhook-timestamp`` (UNIX seconds of this attempt) and ``webhook-signature``: space-separated
``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, keyed with the base64-decoded part of the
``whsec_...`` secret. :func:`verify` checks one (sync) and :func:`averify` is the same for async
code; both raise :class:`WebhookVerificationError` and return the parsed JSON body. The
``standardwebhooks`` package on PyPI verifies the same headers.

Stdlib only: a receiver needs nothing but this module (``pip install repstride`` brings it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

#: Prefix of a signing secret (Standard Webhooks).
SECRET_PREFIX = "whsec_"
#: A delivery older or newer than this (seconds) is refused (replay protection).
DEFAULT_TOLERANCE_S = 300


class WebhookVerificationError(ValueError):
    """The headers or signature do not match the body (or the timestamp is out of tolerance)."""


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (ValueError, TypeError) as exc:
        raise WebhookVerificationError("The secret is not whsec_ + base64.") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    data = body.encode() if isinstance(body, str) else body
    mac = hmac.new(_key(secret), f"{msg_id}.{int(timestamp)}.".encode() + data, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> dict[str, str]:
    """The three headers of one delivery attempt."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp)),
            "webhook-signature": sign(secret, msg_id, timestamp, body)}


def verify(body: bytes | str, headers: Mapping[str, str], secret: str, *,
           tolerance_s: float = DEFAULT_TOLERANCE_S, now: float | None = None) -> Any:
    """Check a delivery's signature and timestamp; returns the parsed JSON body.

    ``headers`` is any mapping (case-insensitive lookup of the three ``webhook-*`` names).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, ts, sigs = (lower.get("webhook-id"), lower.get("webhook-timestamp"),
                        lower.get("webhook-signature"))
    if not msg_id or not ts or not sigs:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or "
                                       "webhook-signature header.")
    try:
        stamp = int(ts)
    except ValueError as exc:
        raise WebhookVerificationError("webhook-timestamp is not an integer.") from exc
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_s:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance.")
    expected = sign(secret, msg_id, stamp, body)
    if not any(hmac.compare_digest(expected, s) for s in sigs.split() if s.startswith("v1,")):
        raise WebhookVerificationError("No signature matches.")
    return json.loads(body)


async def averify(body: bytes | str, headers: Mapping[str, str], secret: str, *,
                  tolerance_s: float = DEFAULT_TOLERANCE_S, now: float | None = None) -> Any:
    """:func:`verify` for async receivers (the check is CPU-only and fast: no thread needed)."""
    return verify(body, headers, secret, tolerance_s=tolerance_s, now=now)


__all__ = ["DEFAULT_TOLERANCE_S", "SECRET_PREFIX", "WebhookVerificationError", "averify",
           "headers", "new_secret", "sign", "verify"]
