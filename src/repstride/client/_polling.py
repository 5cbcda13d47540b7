"""The SDK's polling schedule (:class:`PollPolicy`, :class:`Poller`) and its clock, shared by
``Client`` and ``AsyncClient``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import httpx

from repstride.client.errors import (
    RateLimited, RepstrideError, ServerError, Timeout, TransportError,
)

_TRANSIENT = (ServerError, TransportError, RateLimited, Timeout)


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ServerError(f"{response.request.method} {response.request.url.path} answered "
                          f"{response.status_code} with a body that is not JSON",
                          status=response.status_code, code="invalid_response",
                          body=response.text[:500]) from exc


@dataclass(frozen=True)
class PollPolicy:
    """How to wait for a result: first delay, growth factor, longest delay, overall deadline
    (seconds). Seed 000 polls every 5 s; seed 002 advises 3–5 s."""

    initial_s: float = 1.0
    factor: float = 1.5
    max_interval_s: float = 5.0
    timeout_s: float = 900.0
    #: A poll answered with ``Retry-After`` (the work is still in progress) waits that long
    #: instead of the backoff, kept within ``initial_s`` .. ``max_retry_after_s``.
    max_retry_after_s: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_interval_s)


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class Poller:
    """One wait: hands out backoff delays until the overall deadline, then raises ``Timeout``.

    Polite polling: it keeps the ``ETag`` and body of each polled path, so the next request asks
    ``If-None-Match`` and a ``304`` reuses the kept body; a ``Retry-After`` on an answer sets the
    next delay (bounded by the policy)."""

    def __init__(self, policy: PollPolicy, clock: Clock, timeout_s: float | None, what: str) -> None:
        self.policy = policy
        self._seen: dict[str, tuple[str, Any]] = {}  # path -> (etag, body)
        self._hint: float | None = None
        self.clock = clock
        self.timeout_s = policy.timeout_s if timeout_s is None else timeout_s
        self.deadline = clock.monotonic() + self.timeout_s
        self._delays = policy.delays()
        self.what = what
        self.last_error: RepstrideError | None = None
        self._retry_after = 0.0

    def next_delay(self) -> float:
        remaining = self.deadline - self.clock.monotonic()
        if remaining <= 0:
            raise Timeout(f"Gave up waiting for {self.what} after {self.timeout_s:g} s"
                          + (f" (last error: {self.last_error})" if self.last_error else "") + ".",
                          code="timeout")
        backoff = next(self._delays)
        if self._retry_after:
            delay = max(backoff, self._retry_after)
        elif self._hint is not None:
            delay = self._hint
        else:
            delay = backoff
        self._retry_after, self._hint = 0.0, None
        return min(delay, remaining)

    def conditional(self, path: str) -> dict[str, str]:
        """Headers of the next poll of ``path``: ``If-None-Match`` once an ETag was seen."""
        seen = self._seen.get(path)
        return {"If-None-Match": seen[0]} if seen else {}

    def read(self, path: str, response: httpx.Response) -> Any:
        """The JSON body of a poll's answer; a ``304`` is the body kept from the last one."""
        hint = response.headers.get("retry-after")
        try:
            self._hint = min(max(float(hint), self.policy.initial_s),
                             self.policy.max_retry_after_s) if hint else None
        except ValueError:  # an HTTP-date: the backoff decides
            self._hint = None
        if response.status_code == 304 and path in self._seen:
            return self._seen[path][1]
        body = json_body(response)
        etag = response.headers.get("etag")
        if etag:
            self._seen[path] = (etag, body)
        else:
            self._seen.pop(path, None)
        return body

    def transient(self, exc: RepstrideError) -> bool:
        """A 5xx, 429, timeout or connection error while polling is retried until the deadline."""
        if isinstance(exc, _TRANSIENT):
            self.last_error = exc
            if exc.retry_after_s:
                self._retry_after = exc.retry_after_s  # the server's Retry-After wins
            return True
        return False


__all__ = ["Clock", "PollPolicy", "Poller", "SystemClock", "json_body"]
