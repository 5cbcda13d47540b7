"""Fixtures for the SDK tests; every API test runs against ``Client`` and ``AsyncClient``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from client_fakes import BASE, Blocking, FakeClock, FakeServer

from repstride.client import AsyncClient, Client, MemoryTokenCache, PollPolicy


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sync", "async"])
def make_client(request: pytest.FixtureRequest, fake: FakeServer,
                clock: FakeClock) -> Iterator[Callable[..., Any]]:
    """``make_client(**overrides)`` → a Client, or an AsyncClient behind :class:`Blocking`."""
    made: list[Any] = []
    loop = asyncio.new_event_loop() if request.param == "async" else None

    def make(**kw: Any) -> Any:
        kw.setdefault("base_url", BASE)
        kw.setdefault("client_id", "cid")
        kw.setdefault("client_secret", "secret")
        kw.setdefault("token_cache", MemoryTokenCache())
        kw.setdefault("transport", fake.transport())
        kw.setdefault("clock", clock)
        kw.setdefault("poll", PollPolicy(initial_s=1.0, factor=1.5, max_interval_s=5.0,
                                         timeout_s=60.0))
        if loop is None:
            client: Any = Client(**kw)
            made.append(client.close)
            return client
        aclient = AsyncClient(**kw)
        made.append(lambda: loop.run_until_complete(aclient.aclose()))
        return Blocking(aclient, loop)

    make.kind = request.param  # type: ignore[attr-defined]
    yield make
    for close in made:
        close()
    if loop is not None:
        loop.close()
