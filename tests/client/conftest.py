"""Fixtures for the SDK tests; every API test runs against ``Client`` and ``AsyncClient``."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_fakes import BASE, Blocking, FakeClock, FakeServer, LiveServer, free_port

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


# --- a real ``repstride serve`` ------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``repstride serve`` on a free port with its own data dir and a fresh API client."""
    if importlib.util.find_spec("repstride.api") is None:
        pytest.skip("the server package (repstride.api, issue 3) does not exist yet")
    root = tmp_path_factory.mktemp("live-server")
    data_dir = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTRIDE_")}
    env["REPSTRIDE_DATA_DIR"] = str(data_dir)
    cli = [sys.executable, "-m", "repstride.cli"]
    created = subprocess.run([*cli, "clients", "create", "--name", "sdk-tests", "--json"],
                             env=env, capture_output=True, text=True, timeout=120, cwd=root)
    assert created.returncode == 0, created.stderr
    creds = json.loads(created.stdout.strip().splitlines()[-1])
    port = free_port()
    log = open(root / "serve.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--data-dir", str(data_dir),
                             "--workers", "1"], env=env, cwd=root, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"repstride serve exited with {proc.returncode}:\n"
                            f"{(root / 'serve.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"repstride serve did not answer /health in 120 s:\n"
                            f"{(root / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.2)  # waiting for a process to bind its port, not for a job
        paths = frozenset(httpx.get(f"{url}/openapi.json", timeout=10).json().get("paths", {}))
        yield LiveServer(url, creds["client_id"], creds["client_secret"], data_dir, paths,
                         api_key=creds.get("api_key"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
