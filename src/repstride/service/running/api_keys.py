"""The Running Analysis API's credential, ``apiKey``: issued per client, stored as sha256,
revocable; a part of :class:`~repstride.service.running.service.RunningService` (it inherits
:class:`ApiKeys`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

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
            return bool(res.rowcount)

    def revoke_api_keys(self, client_id: str) -> int:
        with self.db.session() as s:
            res = s.execute(update(RunningApiKey).where(RunningApiKey.client_id == client_id)
                            .values(revoked=True))
            return int(res.rowcount or 0)

    def authenticate(self, api_key: str | None, *, lang: str = "en") -> ClientInfo:
        """The client an ``apiKey`` belongs to (the Running API's only required credential).

        Missing or blank -> 401 ``missing_api_key``; unknown, revoked, or its client revoked ->
        403 ``invalid_api_key``. Messages in ``lang``.
        """
        from repstride.service.auth import ClientInfo
        from repstride.service.models import ApiClient

        if api_key is None or not api_key.strip():
            raise MissingApiKey(translate("running_api.error.missing_api_key", lang))
        key = api_key.strip()
        invalid = InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
        if len(key) > 200 or not key.isascii():
            raise invalid
        with self.db.session() as s:
            row = s.get(RunningApiKey, token_digest(key))
            client = s.get(ApiClient, row.client_id) if row is not None else None
            if row is None or row.revoked or client is None or client.revoked:
                raise invalid
            return ClientInfo(client.id, client.name, client.credits, client.revoked)

    def check_api_key(self, client_id: str, api_key: str | None, *, lang: str = "en") -> None:
        """Like :meth:`authenticate`, and the key must be ``client_id``'s (else 403)."""
        if self.authenticate(api_key, lang=lang).id != client_id:
            raise InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
