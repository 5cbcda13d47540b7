"""The Running Analysis API's credential, ``apiKey``: issued per client, stored as sha256,
revocable; a part of :class:`~repstride.service.running.service.RunningService` (it inherits
:class:`ApiKeys`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from repstride.errors import InvalidApiKey, MissingApiKey
from repstride.i18n import translate
from repstride.service.running.models import RunningApiKey
from repstride.service.security import random_token, token_digest

if TYPE_CHECKING:
    from repstride.service.auth import ClientInfo

#: Prefix of issued api keys (recognisable in logs and config files).
API_KEY_PREFIX = "rsk_"


class ApiKeys:
    """The service provides ``services`` (its clients), ``db`` and ``clock``."""

    services: Any
    db: Any
    clock: Callable[[], float]

    def issue_api_key(self, client_id: str) -> str:
        """A new ``apiKey`` for the client (stored as sha256; shown once)."""
        self.services.clients.get(client_id)  # NotFound for an unknown client
        key = API_KEY_PREFIX + random_token(24)
        with self.db.session() as s:
            s.add(RunningApiKey(key_hash=token_digest(key), client_id=client_id, revoked=False,
                                created_at=self.clock()))
        return key

    def revoke_api_key(self, client_id: str, api_key: str) -> bool:
        """Revoke one of the client's keys (another client's key is left untouched)."""
        with self.db.session() as s:
            res = s.execute(update(RunningApiKey)
                            .where(RunningApiKey.key_hash == token_digest(api_key),
                                   RunningApiKey.client_id == client_id)
                            .values(revoked=True).execution_options(synchronize_session=False))
        self.services.clients.credentials.clear()
        return bool(res.rowcount)

    def revoke_api_keys(self, client_id: str) -> int:
        with self.db.session() as s:
            res = s.execute(update(RunningApiKey).where(RunningApiKey.client_id == client_id)
                            .values(revoked=True))
        self.services.clients.credentials.clear()
        return int(res.rowcount or 0)

    def authenticate(self, api_key: str | None, *, lang: str = "en") -> ClientInfo:
        """The client an ``apiKey`` belongs to (the Running API's only required credential).

        Missing or blank -> 401 ``missing_api_key``; unknown, revoked, or its client revoked ->
        403 ``invalid_api_key``. Messages in ``lang``. A key the database vouched for within
        ``REPSTRIDE_AUTH_CACHE_S`` is not looked up again (``service.credential_cache``).
        """
        client = self.authenticate_cached(api_key, lang=lang)
        if client is not None:
            return client
        digest = token_digest(self._well_formed(api_key, lang))
        cache = self.services.clients.credentials
        asked_at = cache.clock()
        client = self._lookup_api_key(digest)
        if client is None:
            raise InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
        cache.put(digest, (client, float("inf")), asked_at)
        return client

    def authenticate_cached(self, api_key: str | None, *, lang: str = "en") -> ClientInfo | None:
        """:meth:`authenticate` from memory alone (no database): the client, or None when the
        database must be asked."""
        cached = self.services.clients.credentials.get(
            token_digest(self._well_formed(api_key, lang)))
        return None if cached is None else cached[0]

    @staticmethod
    def _well_formed(api_key: str | None, lang: str) -> str:
        if api_key is None or not api_key.strip():
            raise MissingApiKey(translate("running_api.error.missing_api_key", lang))
        key = api_key.strip()
        if len(key) > 200 or not key.isascii():
            raise InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
        return key

    def _lookup_api_key(self, digest: str) -> ClientInfo | None:
        from repstride.service.auth import ClientInfo
        from repstride.service.models import ApiClient

        with self.db.session() as s:
            row = s.execute(select(ApiClient).join(
                RunningApiKey, RunningApiKey.client_id == ApiClient.id).where(
                RunningApiKey.key_hash == digest, RunningApiKey.revoked.is_(False),
                ApiClient.revoked.is_(False))).scalar_one_or_none()
            return ClientInfo(row.id, row.name, row.credits, row.revoked) if row else None

    def check_api_key(self, client_id: str, api_key: str | None, *, lang: str = "en") -> None:
        """Like :meth:`authenticate`, and the key must be ``client_id``'s (else 403)."""
        if self.authenticate(api_key, lang=lang).id != client_id:
            raise InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
