"""OAuth 2.0 client credentials as an ``httpx.Auth`` flow, with a persistent token cache.

Seed 000 asks integrators to store the token with its expiry in persistent storage, reuse it on
every call and refresh it only when it expires, because token requests are rate limited. This
module does exactly that:

- a token is fetched only when the cache holds none for this (token URL, client id, scope), or the
  cached one is within :data:`REFRESH_LEEWAY_S` of expiring;
- the default cache is a JSON file (``0600``) written atomically under an exclusive file lock, so
  many threads *and processes* sharing it make one token request between them;
- a 401 on an API call discards that token (unless someone already replaced it), fetches a new one
  and retries the request once; a second 401 is returned to the caller (→ ``AuthError``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import anyio
import anyio.to_thread
import httpx

from repstride.client.errors import AuthError, error_from_response, error_code

__all__ = [
    "REFRESH_LEEWAY_S", "ClientCredentialsAuth", "FileTokenCache", "MemoryTokenCache", "Token",
    "TokenCache", "default_token_cache_path",
]

#: Refresh a token this many seconds before it expires (at most half its lifetime), so a request
#: never leaves with a token that dies on the way.
REFRESH_LEEWAY_S = 60.0

AuthHeaderStyle = Literal["raw", "bearer"]

#: 401 codes that a new token cannot cure (the Running API's per-client ``apiKey``).
_NOT_ABOUT_THE_TOKEN = frozenset({"missing_api_key", "invalid_api_key"})


@dataclass(frozen=True)
class Token:
    """An access token and when it stops being usable (``time.time()`` seconds; ``None`` = the
    server gave no ``expires_in``: use it until it is refused)."""

    access_token: str
    token_type: str = "Bearer"
    obtained_at: float = 0.0
    expires_at: float | None = None

    def usable(self, now: float | None = None, *, leeway_s: float = REFRESH_LEEWAY_S) -> bool:
        if self.expires_at is None:
            return True
        now = time.time() if now is None else now
        lifetime = max(self.expires_at - self.obtained_at, 0.0)
        return now < self.expires_at - min(leeway_s, lifetime / 2)

    def to_json(self) -> dict[str, object]:
        return {"access_token": self.access_token, "token_type": self.token_type,
                "obtained_at": self.obtained_at, "expires_at": self.expires_at}

    @classmethod
    def from_json(cls, data: object) -> Token | None:
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        exp = data.get("expires_at")
        return cls(access_token=data["access_token"], token_type=str(data.get("token_type", "Bearer")),
                   obtained_at=float(data.get("obtained_at") or 0.0),
                   expires_at=float(exp) if isinstance(exp, (int, float)) else None)


@runtime_checkable
class TokenCache(Protocol):
    """Where tokens live between calls and processes. ``lock()`` must exclude every other holder
    of the same cache (threads and, for persistent caches, processes) while a token is fetched."""

    def load(self, key: str) -> Token | None: ...

    def save(self, key: str, token: Token) -> None: ...

    def discard(self, key: str, access_token: str) -> None: ...

    def lock(self) -> contextlib.AbstractContextManager[object]: ...


class MemoryTokenCache:
    """A per-process cache (no persistence)."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> Token | None:
        return self._tokens.get(key)

    def save(self, key: str, token: Token) -> None:
        self._tokens[key] = token

    def discard(self, key: str, access_token: str) -> None:
        if (tok := self._tokens.get(key)) is not None and tok.access_token == access_token:
            del self._tokens[key]

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return self._lock


def default_token_cache_path() -> Path:
    """``$REPSTRIDE_TOKEN_CACHE``, else ``$XDG_CACHE_HOME/repstride/tokens.json``
    (``~/.cache/repstride/tokens.json``)."""
    if env := os.environ.get("REPSTRIDE_TOKEN_CACHE"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "repstride" / "tokens.json"


class FileTokenCache:
    """Tokens in one JSON file (``{key: token}``), mode ``0600``, directory ``0700``.

    Writes go to a temporary file in the same directory and are renamed over the cache, so a
    reader never sees half a file; fetching a token happens under an exclusive ``flock`` on
    ``<path>.lock`` so concurrent processes wait for the first one's token instead of each asking
    for their own.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_token_cache_path()
        self._thread_lock = threading.Lock()

    def _read_all(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_all(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)  # created 0600
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def load(self, key: str) -> Token | None:
        return Token.from_json(self._read_all().get(key))

    def save(self, key: str, token: Token) -> None:
        data = self._read_all()
        data[key] = token.to_json()
        self._write_all(data)

    def discard(self, key: str, access_token: str) -> None:
        data = self._read_all()
        tok = Token.from_json(data.get(key))
        if tok is not None and tok.access_token == access_token:
            del data[key]
            self._write_all(data)

    @contextlib.contextmanager
    def lock(self) -> Iterator[object]:
        with self._thread_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock_fd(fd)
                try:
                    yield self
                finally:
                    _unlock_fd(fd)
            finally:
                os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after ~10 s; keep waiting like flock does
                continue

    def _unlock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def make_token_cache(spec: TokenCache | str | os.PathLike[str] | bool | None) -> TokenCache:
    """``None``/``True`` → default file cache, ``False`` → memory only, a path → file cache there,
    anything with the :class:`TokenCache` methods → itself."""
    if spec is None or spec is True:
        return FileTokenCache()
    if spec is False:
        return MemoryTokenCache()
    if isinstance(spec, (str, os.PathLike)):
        return FileTokenCache(spec)
    if isinstance(spec, TokenCache):
        return spec
    raise TypeError(f"token_cache must be a path, a TokenCache, True/False or None, not {spec!r}")


class ClientCredentialsAuth(httpx.Auth):
    """``Authorization: <token>`` (or ``Bearer <token>``) from an OAuth client-credentials grant.

    Works with ``httpx.Client`` and ``httpx.AsyncClient`` alike; the token request goes through the
    same client (and so the same transport) as the API calls.
    """

    def __init__(self, *, token_url: str, client_id: str, client_secret: str, scope: str = "",
                 cache: TokenCache | None = None, header_style: AuthHeaderStyle = "raw",
                 leeway_s: float = REFRESH_LEEWAY_S,
                 now: Callable[[], float] = time.time) -> None:
        if header_style not in ("raw", "bearer"):
            raise ValueError(f"header_style must be 'raw' or 'bearer', not {header_style!r}")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.cache = cache if cache is not None else MemoryTokenCache()
        self.header_style = header_style
        self.leeway_s = leeway_s
        #: Wall clock for expiry (``time.time``; replaceable in tests).
        self.now = now
        self.key = hashlib.sha256(f"{token_url}\n{client_id}\n{scope}".encode()).hexdigest()[:32]
        self._token: Token | None = None
        self._thread_lock = threading.Lock()
        self._async_lock: anyio.Lock | None = None
        #: How many token requests this object sent (for logs and tests).
        self.token_requests = 0

    # --- pieces shared by the sync and async flows ----------------------------------------------

    def _fresh(self, token: Token | None, stale: str | None) -> bool:
        return (token is not None and token.access_token != stale
                and token.usable(self.now(), leeway_s=self.leeway_s))

    def _from_cache(self, stale: str | None) -> Token | None:
        if stale is not None:
            self.cache.discard(self.key, stale)
        tok = self.cache.load(self.key)
        if self._fresh(tok, stale):
            self._token = tok
            return tok
        return None

    def _token_request(self) -> httpx.Request:
        self.token_requests += 1
        return httpx.Request(
            "POST", self.token_url,
            data={"grant_type": "client_credentials", "client_id": self.client_id,
                  "client_secret": self._client_secret, "scope": self.scope},
            headers={"Accept": "application/json"},
        )

    def _accept(self, response: httpx.Response, sent_at: float) -> Token:
        if not response.is_success:
            raise error_from_response(response, token_endpoint=True)
        try:
            data = response.json()
            access = data["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError("The token endpoint answered without an access_token.",
                            status=response.status_code, code="invalid_token_response",
                            body=response.text[:500]) from exc
        try:
            expires_at: float | None = sent_at + float(data["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_at = None
        tok = Token(access_token=str(access), token_type=str(data.get("token_type") or "Bearer"),
                    obtained_at=sent_at, expires_at=expires_at)
        self.cache.save(self.key, tok)
        self._token = tok
        return tok

    @staticmethod
    def _token_refused(response: httpx.Response) -> bool:
        """A 401 about the token (not e.g. a missing Running API ``apiKey``) — body already read."""
        return response.status_code == 401 and error_code(response) not in _NOT_ABOUT_THE_TOKEN

    def _apply(self, request: httpx.Request, token: Token) -> None:
        value = token.access_token if self.header_style == "raw" else f"Bearer {token.access_token}"
        request.headers["Authorization"] = value

    # --- sync ------------------------------------------------------------------------------------

    def _sync_token(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, Token]:
        with self._thread_lock:
            if self._fresh(self._token, stale):
                return self._token  # type: ignore[return-value]
            with self.cache.lock():
                if (tok := self._from_cache(stale)) is not None:
                    return tok
                sent_at = self.now()
                response = yield self._token_request()
                response.read()
                return self._accept(response, sent_at)

    def sync_auth_flow(self, request: httpx.Request,
                       ) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._sync_token(None)
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            response.read()
            if self._token_refused(response):
                token = yield from self._sync_token(token.access_token)
                self._apply(request, token)
                yield request

    # --- async -----------------------------------------------------------------------------------

    async def _async_token(self, stale: str | None,
                           ) -> AsyncGenerator[httpx.Request | Token, httpx.Response]:
        """Yields at most one token request, then the token (async generators cannot return)."""
        if self._async_lock is None:
            self._async_lock = anyio.Lock()
        async with self._async_lock:
            if self._fresh(self._token, stale):
                yield self._token  # type: ignore[misc]
                return
            lock = self.cache.lock()
            held = False

            def acquire() -> None:
                nonlocal held
                lock.__enter__()
                held = True  # set on the worker thread: true even if we are cancelled meanwhile

            try:
                # The cross-process lock may block: take it on a worker thread, not the loop.
                await anyio.to_thread.run_sync(acquire)
                tok = await anyio.to_thread.run_sync(self._from_cache, stale)
                if tok is None:
                    sent_at = self.now()
                    response = yield self._token_request()
                    await response.aread()
                    tok = await anyio.to_thread.run_sync(self._accept, response, sent_at)
            finally:
                if held:
                    with anyio.CancelScope(shield=True):
                        await anyio.to_thread.run_sync(lock.__exit__, None, None, None)
            yield tok

    async def async_auth_flow(self, request: httpx.Request,
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        stale: str | None = None
        for _attempt in range(2):  # the request, then at most one retry after a 401
            tokens = self._async_token(stale)
            try:
                item = await tokens.__anext__()
                if isinstance(item, httpx.Request):
                    item = await tokens.asend((yield item))
            finally:
                await tokens.aclose()
            assert isinstance(item, Token)
            self._apply(request, item)
            response = yield request
            if response.status_code != 401:
                return
            await response.aread()
            if not self._token_refused(response):
                return
            stale = item.access_token
