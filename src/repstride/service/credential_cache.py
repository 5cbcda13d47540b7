"""A short-lived, per-process memory of verified credentials (Video API tokens, Running API
keys), so that a poll is answered without a database round trip for its credential.

Keyed by the credential's sha256 digest (the clear value is never kept). An entry is trusted for
``ttl_s`` seconds after the database last said it was good (``REPSTRIDE_AUTH_CACHE_S``); a
revocation made in this process forgets every entry at once, one made in another process (the
CLI, another API process) takes effect here within ``ttl_s``. A token's own expiry is checked on
every use, cached or not. Only successes are remembered: an unknown or revoked credential is
looked up each time. ``ttl_s = 0`` turns the cache off.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

#: Entries kept at most per cache (the oldest half is dropped beyond it).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    verified_at: float


class CredentialCache(Generic[V]):
    def __init__(self, ttl_s: float, clock: Callable[[], float],
                 max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[str, _Entry[V]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> V | None:
        """The remembered value, if the database vouched for it within ``ttl_s``."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        age = self.clock() - entry.verified_at
        if 0 <= age < self.ttl_s:
            return entry.value
        with self._lock:
            if self._entries.get(digest) is entry:
                del self._entries[digest]
        return None

    def put(self, digest: str, value: V, verified_at: float) -> None:
        """Remember ``value``, vouched for by the database at ``verified_at`` (taken before the
        query: a revocation committed during the query is not hidden for longer than ``ttl_s``)."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                for key in list(self._entries)[: self.max_entries // 2]:
                    del self._entries[key]
            self._entries[digest] = _Entry(value, verified_at)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


__all__ = ["CredentialCache"]
