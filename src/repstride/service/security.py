"""Secrets, password-style hashing and HMAC signing (stdlib only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

#: PBKDF2 iterations for client secrets. Secrets are 256-bit random, so this only has to make an
#: offline guess of a leaked hash pointless, not protect a weak password.
PBKDF2_ITERATIONS = 60_000


def random_token(nbytes: int = 32) -> str:
    """URL-safe random string: safe unescaped in a form body (the Node example does not encode)."""
    return secrets.token_urlsafe(nbytes)


def random_id(nbytes: int = 16) -> str:
    """A :func:`random_token` that does not start with ``-``: ids are typed as command-line
    arguments (``repstride clients credit <id> 10``), where a leading dash reads as an option."""
    while True:
        value = random_token(nbytes)
        if not value.startswith("-"):
            return value


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        algo, iters, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt_hex), int(iters))
    return hmac.compare_digest(digest.hex(), digest_hex)


def token_digest(token: str) -> str:
    """Tokens are looked up by sha256 (they are random, so no salt or stretching is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Signer:
    """HMAC-SHA256 signatures for upload policies and download URLs."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("signing key must be at least 16 bytes")
        self._key = key

    def sign(self, message: str) -> str:
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def verify(self, message: str, signature: str) -> bool:
        # as bytes: compare_digest refuses str with non-ASCII characters (a forged signature)
        return hmac.compare_digest(self.sign(message).encode(), (signature or "").encode())

    def encode_policy(self, policy: dict[str, Any]) -> tuple[str, str]:
        """Return ``(policy_b64, signature)`` like an S3 presigned POST."""
        raw = json.dumps(policy, separators=(",", ":"), sort_keys=True).encode()
        b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return b64, self.sign(b64)

    @staticmethod
    def decode_policy(b64: str) -> dict[str, Any]:
        """Decode without checking; raises ``ValueError`` on garbage."""
        pad = "=" * (-len(b64) % 4)
        data = json.loads(base64.urlsafe_b64decode(b64 + pad))
        if not isinstance(data, dict):
            raise ValueError("policy is not an object")
        return data


def load_or_create_key(path: Path) -> bytes:
    """The signing key persisted in the data directory (created 0600 on first start)."""
    if path.is_file():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key.hex())
    tmp.chmod(0o600)
    try:
        # Another process may have won the race: keep the first key written.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())
