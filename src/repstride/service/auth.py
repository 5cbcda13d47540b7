"""API clients (id + hashed secret) and opaque access tokens (stored as sha256).

A verified credential (token here, the Running API's apiKey in ``running.api_keys``) is
remembered for ``auth_cache_s`` in :attr:`ClientService.credentials`
(:mod:`repstride.service.credential_cache`); every revocation of this process forgets them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from repstride.errors import (
    InvalidClient, InvalidToken, NotFound, RateLimited, TokenExpired, TokenRevoked,
    ValidationFailed,
)
from repstride.service.credential_cache import CredentialCache
from repstride.service.db import Database
from repstride.service.models import AccessToken, ApiClient, CreditEntry
from repstride.service.security import (
    hash_secret, random_id, random_token, token_digest, verify_secret,
)

Clock = Callable[[], float]

#: Seconds a verified token or apiKey is trusted without asking the database again (the bound
#: within which a revocation made by another process takes effect here).
DEFAULT_AUTH_CACHE_S = 5.0

#: Length bounds of a well-formed token (``random_token(32)`` is 43 characters).
TOKEN_MIN_LEN, TOKEN_MAX_LEN = 20, 200


@dataclass(frozen=True)
class ClientInfo:
    id: str
    name: str
    credits: int
    revoked: bool


@dataclass(frozen=True)
class NewClient:
    """Returned once at creation: the only time the secret is known in clear."""

    id: str
    name: str
    secret: str
    credits: int


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


class ClientService:
    def __init__(self, db: Database, *, token_ttl_s: int = 3600, rate_per_minute: int = 30,
                 clock: Clock = time.time, auth_cache_s: float = DEFAULT_AUTH_CACHE_S) -> None:
        self.db = db
        self.token_ttl_s = token_ttl_s
        self.rate_per_minute = rate_per_minute
        self.clock = clock
        #: digest of a token / apiKey -> (its client, the token's expiry; inf for an apiKey)
        self.credentials: CredentialCache[tuple[ClientInfo, float]] = CredentialCache(
            auth_cache_s, clock)

    # -- clients -------------------------------------------------------------------------

    def create(self, name: str, *, credits: int = 0) -> NewClient:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed("A client name must be 1 to 200 characters.")
        if credits < 0:
            raise ValidationFailed("Credits cannot be negative.")
        client_id, secret = random_id(16), random_token(32)
        now = self.clock()
        with self.db.session() as s:
            s.add(ApiClient(id=client_id, name=name, secret_hash=hash_secret(secret),
                            credits=credits, revoked=False, created_at=now))
            s.flush()
            if credits:
                s.add(CreditEntry(client_id=client_id, delta=credits, reason="initial grant",
                                  ref="initial", created_at=now))
        return NewClient(id=client_id, name=name, secret=secret, credits=credits)

    def list(self) -> list[ClientInfo]:
        with self.db.session() as s:
            return [ClientInfo(c.id, c.name, c.credits, c.revoked)
                    for c in s.scalars(select(ApiClient).order_by(ApiClient.created_at))]

    def count(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(ApiClient)) or 0)

    def get(self, client_id: str) -> ClientInfo:
        with self.db.session() as s:
            c = s.get(ApiClient, client_id)
            if c is None:
                raise NotFound(f"No client {client_id!r}.")
            return ClientInfo(c.id, c.name, c.credits, c.revoked)

    def revoke(self, client_id: str) -> None:
        """Disable the client and every token it holds."""
        with self.db.session() as s:
            res = s.execute(update(ApiClient).where(ApiClient.id == client_id).values(revoked=True))
            if res.rowcount != 1:
                raise NotFound(f"No client {client_id!r}.")
            s.execute(update(AccessToken).where(AccessToken.client_id == client_id)
                      .values(revoked=True))
        self.credentials.clear()

    # -- tokens --------------------------------------------------------------------------

    def issue_token(self, client_id: str, client_secret: str) -> IssuedToken:
        now = self.clock()
        with self.db.session() as s:
            c = s.get(ApiClient, client_id) if client_id and len(client_id) <= 200 else None
            if c is None or c.revoked or not verify_secret(client_secret, c.secret_hash):
                raise InvalidClient()
            recent = s.scalar(select(func.count()).select_from(AccessToken).where(
                AccessToken.client_id == client_id, AccessToken.created_at > now - 60.0)) or 0
            if recent >= self.rate_per_minute:
                raise RateLimited(
                    f"At most {self.rate_per_minute} tokens per minute per client; reuse the "
                    "token until it expires.", details={"retry_after_s": 60})
            token = random_token(32)
            s.add(AccessToken(token_hash=token_digest(token), client_id=client_id, created_at=now,
                              expires_at=now + self.token_ttl_s, revoked=False))
            # Housekeeping: expired tokens of this client are useless.
            s.execute(AccessToken.__table__.delete().where(
                AccessToken.client_id == client_id, AccessToken.expires_at < now - 86400))
        return IssuedToken(access_token=token, expires_in=int(self.token_ttl_s))

    def authenticate(self, token: str) -> ClientInfo:
        """The client a token belongs to; raises the matching 401 error otherwise. A token the
        database vouched for within ``auth_cache_s`` is not looked up again (its expiry is)."""
        client = self.authenticate_cached(token)
        if client is not None:
            return client
        digest = token_digest(token)
        asked_at = self.clock()
        found = self._lookup_token(digest)
        self.credentials.put(digest, found, asked_at)
        return self._unexpired(found)

    def authenticate_cached(self, token: str) -> ClientInfo | None:
        """:meth:`authenticate` from memory alone (no database, cheap enough for the event
        loop): the client, or None when the database must be asked."""
        if not (TOKEN_MIN_LEN <= len(token) <= TOKEN_MAX_LEN) or not token.isascii() \
                or any(ch.isspace() for ch in token):
            raise InvalidToken()
        cached = self.credentials.get(token_digest(token))
        return None if cached is None else self._unexpired(cached)

    def _unexpired(self, found: tuple[ClientInfo, float]) -> ClientInfo:
        client, expires_at = found
        if expires_at <= self.clock():
            raise TokenExpired()
        return client

    def _lookup_token(self, digest: str) -> tuple[ClientInfo, float]:
        with self.db.session() as s:
            row = s.execute(select(AccessToken, ApiClient).join(ApiClient)
                            .where(AccessToken.token_hash == digest)).first()
            if row is None:
                raise InvalidToken()
            tok, client = row
            if tok.revoked or client.revoked:
                raise TokenRevoked()
            return ClientInfo(client.id, client.name, client.credits, client.revoked), \
                tok.expires_at

    def revoke_token(self, token: str) -> None:
        with self.db.session() as s:
            s.execute(update(AccessToken).where(AccessToken.token_hash == token_digest(token))
                      .values(revoked=True))
        self.credentials.clear()
