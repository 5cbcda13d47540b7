"""OAuth client credentials: one token for many calls (threads, coroutines, processes), refresh
shortly before expiry and once on a 401, persistent 0600 cache, credential resolution."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from repstride.client import (
    AsyncClient, AuthError, Client, FileTokenCache, MemoryTokenCache, RateLimited, Token,
)
from repstride.client.auth import REFRESH_LEEWAY_S, ClientCredentialsAuth

from client_fakes import BASE, FakeServer


def test_one_token_request_across_many_calls(make_client, fake: FakeServer) -> None:
    client = make_client()
    for _ in range(12):
        client.get_analysis("vid-1")
    assert fake.token_requests == 1
    token_call = next(s for s in fake.seen if s.path == "/oauth2/token")
    assert token_call.method == "POST"
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token_call.form() == {"grant_type": "client_credentials", "client_id": "cid",
                                 "client_secret": "secret", "scope": ""}
    # seed 000: the raw token, no "Bearer"
    assert {s.headers["authorization"] for s in fake.api_calls()} == {"tok-1"}


def test_bearer_header_style(make_client, fake: FakeServer) -> None:
    make_client(auth_header_style="bearer").get_analysis("vid-1")
    assert fake.api_calls()[0].headers["authorization"] == "Bearer tok-1"


def test_token_url_defaults_to_base_url_and_can_point_elsewhere(make_client, fake: FakeServer) -> None:
    assert make_client().token_url == f"{BASE}/oauth2/token"
    fake.routes[("POST", "/oauth2/token")] = fake._token
    client = make_client(token_url="https://auth.example.test/oauth2/token", scope="api/default")
    client.get_analysis("vid-1")
    token_call = next(s for s in fake.seen if s.path == "/oauth2/token")
    assert token_call.form()["scope"] == "api/default"
    assert fake.api_calls()[0].headers["authorization"] == "tok-1"


def test_threads_share_one_token() -> None:
    fake = FakeServer()
    with Client(base_url=BASE, client_id="cid", client_secret="s", token_cache=MemoryTokenCache(),
                transport=fake.transport()) as client:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.get_analysis("vid-1"), range(32)))
    assert fake.token_requests == 1
    assert len(fake.api_calls()) == 32


def test_coroutines_share_one_token() -> None:
    fake = FakeServer()

    async def main() -> None:
        async with AsyncClient(base_url=BASE, client_id="cid", client_secret="s",
                               token_cache=MemoryTokenCache(), transport=fake.transport()) as c:
            await asyncio.gather(*(c.get_analysis("vid-1") for _ in range(20)))

    asyncio.run(main())
    assert fake.token_requests == 1
    assert len(fake.api_calls()) == 20


def test_file_cache_is_private_and_reused_by_a_new_client(make_client, fake: FakeServer,
                                                           tmp_path: Path) -> None:
    cache = tmp_path / "sub" / "tokens.json"
    make_client(token_cache=cache).get_analysis("vid-1")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    stored = json.loads(cache.read_text())
    [entry] = stored.values()
    assert entry["access_token"] == "tok-1"
    assert entry["expires_at"] == pytest.approx(entry["obtained_at"] + 3600)
    # a new client object (think: a new process) reuses it
    make_client(token_cache=str(cache)).get_analysis("vid-1")
    assert fake.token_requests == 1
    assert not list(cache.parent.glob(".tokens-*")), "temporary files left behind"


def test_cache_keys_separate_clients(make_client, fake: FakeServer, tmp_path: Path) -> None:
    cache = tmp_path / "tokens.json"
    make_client(token_cache=cache, client_id="a").get_analysis("vid-1")
    make_client(token_cache=cache, client_id="b").get_analysis("vid-1")
    assert fake.token_requests == 2
    assert len(json.loads(cache.read_text())) == 2


def test_refresh_shortly_before_expiry(make_client, fake: FakeServer) -> None:
    fake.expires_in = 600
    client = make_client()
    now = [1_000_000.0]
    client.auth.now = lambda: now[0]
    client.get_analysis("vid-1")
    now[0] += 600 - REFRESH_LEEWAY_S - 1  # still usable
    client.get_analysis("vid-1")
    assert fake.token_requests == 1
    now[0] += 2  # inside the leeway: refresh before the server would refuse it
    client.get_analysis("vid-1")
    assert fake.token_requests == 2
    assert fake.api_calls()[-1].headers["authorization"] == "tok-2"
    assert [s.headers["authorization"] for s in fake.api_calls()] == ["tok-1", "tok-1", "tok-2"]


def test_short_lived_token_refreshes_at_half_life(make_client, fake: FakeServer) -> None:
    fake.expires_in = 10
    client = make_client()
    now = [0.0]
    client.auth.now = lambda: now[0]
    client.get_analysis("vid-1")
    now[0] = 4.9
    client.get_analysis("vid-1")
    now[0] = 5.1
    client.get_analysis("vid-1")
    assert fake.token_requests == 2


def test_expired_token_in_cache_is_replaced(make_client, fake: FakeServer, tmp_path: Path) -> None:
    cache = FileTokenCache(tmp_path / "t.json")
    client = make_client(token_cache=cache)
    cache.save(client.auth.key, Token("old", obtained_at=0.0, expires_at=10.0))
    client.get_analysis("vid-1")
    assert fake.token_requests == 1
    assert cache.load(client.auth.key).access_token == "tok-1"


def test_no_expires_in_means_use_until_refused(make_client, fake: FakeServer) -> None:
    fake.expires_in = None
    client = make_client()
    client.auth.now = lambda: 1e12
    for _ in range(3):
        client.get_analysis("vid-1")
    assert fake.token_requests == 1


def test_401_refreshes_once_and_retries(make_client, fake: FakeServer) -> None:
    client = make_client()
    client.get_analysis("vid-1")
    fake.revoke_all()
    analysis = client.get_analysis("vid-1")
    assert analysis.status == "Complete"
    assert fake.token_requests == 2
    assert [s.headers["authorization"] for s in fake.api_calls()] == ["tok-1", "tok-1", "tok-2"]


def test_second_401_is_an_auth_error_not_a_loop(make_client, fake: FakeServer) -> None:
    client = make_client()
    fake.routes[("GET", "/videos/vid-1/analysis")] = lambda r: httpx.Response(
        401, json={"code": "unauthorized", "message": "Token revoked."})
    with pytest.raises(AuthError) as info:
        client.get_analysis("vid-1")
    assert info.value.status == 401 and info.value.code == "unauthorized"
    assert fake.token_requests == 2
    assert len(fake.api_calls("/videos")) == 2


def test_401_on_streamed_upload_is_replayed_whole(make_client, fake: FakeServer,
                                                   tmp_path: Path) -> None:
    video = tmp_path / "run.mp4"
    video.write_bytes(os.urandom(200_000))
    client = make_client()
    client.get_analysis("vid-1")
    fake.revoke_all()
    assert client.start_running_analysis(video, view="side") == "run-1"
    starts = fake.api_calls("/analysis/start")
    assert len(starts) == 2
    assert starts[0].body == starts[1].body  # the file was re-read from the start


def test_refresh_on_401_picks_up_a_token_another_process_stored(make_client, fake: FakeServer,
                                                                tmp_path: Path) -> None:
    cache = FileTokenCache(tmp_path / "t.json")
    client = make_client(token_cache=cache)
    client.get_analysis("vid-1")
    # another process refreshed meanwhile: tok-1 is dead, tok-2 is in the shared cache
    fake.revoke_all()
    fake._token(httpx.Request("POST", f"{BASE}/oauth2/token"))
    cache.save(client.auth.key, Token("tok-2", obtained_at=time.time(), expires_at=time.time() + 3600))
    client.get_analysis("vid-1")
    assert fake.token_requests == 1  # ours; tok-2 came from the cache
    assert fake.api_calls()[-1].headers["authorization"] == "tok-2"


@pytest.mark.parametrize(("status", "body", "code"), [
    (400, {"error": "invalid_client"}, "invalid_client"),
    (401, {"code": "unauthorized", "message": "bad secret"}, "unauthorized"),
    (400, {"detail": "grant_type must be client_credentials"}, None),
])
def test_token_endpoint_refusal_is_auth_error(make_client, fake: FakeServer, status, body, code) -> None:
    fake.token_error = (status, body)
    with pytest.raises(AuthError) as info:
        make_client().get_analysis("vid-1")
    assert info.value.status == status
    assert info.value.code == (code or "unauthorized")
    assert fake.api_calls() == []


def test_token_endpoint_rate_limit_is_rate_limited(make_client, fake: FakeServer) -> None:
    fake.token_error = (429, {"code": "rate_limited", "message": "slow down"})
    with pytest.raises(RateLimited):
        make_client().get_analysis("vid-1")


def test_token_response_without_access_token(make_client, fake: FakeServer) -> None:
    fake.routes[("POST", "/oauth2/token")] = lambda r: httpx.Response(200, json={"expires_in": 5})
    with pytest.raises(AuthError) as info:
        make_client().get_analysis("vid-1")
    assert info.value.code == "invalid_token_response"


# --- credentials resolution --------------------------------------------------------------------


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in ("REPSTRIDE_SERVER", "REPSTRIDE_CLIENT_ID", "REPSTRIDE_CLIENT_SECRET",
                "REPSTRIDE_TOKEN_URL", "REPSTRIDE_SCOPE", "REPSTRIDE_AUTH_HEADER",
                "REPSTRIDE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("REPSTRIDE_CONFIG", str(config))
    return config


def test_missing_credentials(no_env: Path) -> None:
    with pytest.raises(AuthError) as info:
        Client(base_url=BASE, token_cache=False)
    assert info.value.code == "missing_credentials"
    assert "REPSTRIDE_CLIENT_ID" in info.value.message


def test_credentials_from_env_then_config(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_env.write_text('server = "http://from-config:9000"\nclient_id = "cfg-id"\n'
                      'client_secret = "cfg-secret"\nauth_header = "bearer"\n')
    c = Client(token_cache=False)
    assert (str(c.base_url), c.client_id, c.auth.header_style) == (
        "http://from-config:9000/", "cfg-id", "bearer")
    monkeypatch.setenv("REPSTRIDE_CLIENT_ID", "env-id")
    monkeypatch.setenv("REPSTRIDE_SERVER", "http://from-env:1")
    c = Client(token_cache=False)
    assert (str(c.base_url), c.client_id) == ("http://from-env:1/", "env-id")
    c = Client(base_url="http://explicit", client_id="arg-id", token_cache=False)
    assert (str(c.base_url), c.client_id, c.token_url) == (
        "http://explicit/", "arg-id", "http://explicit/oauth2/token")


def test_default_cache_location_is_user_private(no_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.delenv("REPSTRIDE_TOKEN_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    c = Client(base_url=BASE, client_id="a", client_secret="b")
    assert isinstance(c.auth.cache, FileTokenCache)
    assert c.auth.cache.path == tmp_path / "xdg" / "repstride" / "tokens.json"


def test_auth_rejects_unknown_header_style() -> None:
    with pytest.raises(ValueError):
        ClientCredentialsAuth(token_url="x", client_id="a", client_secret="b",
                              header_style="basic")  # type: ignore[arg-type]


# --- across processes --------------------------------------------------------------------------


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token_requests = 0
        self.auth_seen: list[str] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _CountingServer

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.token_requests += 1
            n = self.server.token_requests
        # a slow token endpoint widens the window in which racing processes would each fetch one
        time.sleep(0.3)
        self._json(200, {"access_token": f"proc-tok-{n}", "expires_in": 3600, "token_type": "Bearer"})

    def do_GET(self) -> None:  # noqa: N802
        with self.server.lock:
            self.server.auth_seen.append(self.headers.get("Authorization", ""))
        self._json(200, {"status": "Complete", "reps": []})


_CHILD = """
import sys
from repstride.client import Client
with Client(base_url=sys.argv[1], client_id="cid", client_secret="s", token_cache=sys.argv[2]) as c:
    for _ in range(3):
        assert c.get_analysis("v").status == "Complete"
    print(c.auth.token_requests)
"""


def test_one_token_request_across_processes(tmp_path: Path) -> None:
    server = _CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        cache = tmp_path / "tokens.json"
        procs = [subprocess.Popen([sys.executable, "-c", _CHILD, url, str(cache)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err
        assert sum(int(out) for out, _ in outs) == 1
        assert server.token_requests == 1
        assert server.auth_seen == ["proc-tok-1"] * 12
        assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    finally:
        server.shutdown()
        server.server_close()


def test_401_not_about_the_token_does_not_refresh(make_client, fake: FakeServer, tmp_path: Path) -> None:
    video = tmp_path / "r.mp4"
    video.write_bytes(b"\0" * 1000)
    fake.routes[("POST", "/analysis/start")] = lambda r: httpx.Response(
        401, json={"code": "missing_api_key", "message": "apiKey is required"})
    with pytest.raises(AuthError) as info:
        make_client().start_running_analysis(video)
    assert info.value.code == "missing_api_key"
    assert fake.token_requests == 1
    assert len(fake.api_calls("/analysis/start")) == 1


def test_api_key_from_env(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPSTRIDE_API_KEY", "env-key")
    c = Client(base_url=BASE, client_id="a", client_secret="b", token_cache=False)
    assert c.api_key == "env-key"


def test_async_cancel_during_token_request_releases_the_locks(tmp_path: Path) -> None:
    fake = FakeServer()
    gate: dict[str, asyncio.Event] = {}

    async def handler(request: httpx.Request):
        if request.url.path == "/oauth2/token" and "block" in gate:
            await gate["block"].wait()  # a token endpoint that never answers
        return fake.handle(request)

    async def main() -> None:
        gate["block"] = asyncio.Event()
        async with AsyncClient(base_url=BASE, client_id="cid", client_secret="s",
                               token_cache=tmp_path / "t.json",
                               transport=httpx.MockTransport(handler)) as c:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(c.get_analysis("vid-1"), timeout=0.2)
            del gate["block"]
            # neither the coroutine lock nor the file lock was left held
            analysis = await asyncio.wait_for(c.get_analysis("vid-1"), timeout=10)
            assert analysis.is_complete

    asyncio.run(main())
    assert fake.token_requests == 1


def test_corrupt_cache_file_is_replaced(make_client, fake: FakeServer, tmp_path: Path) -> None:
    cache = tmp_path / "tokens.json"
    cache.write_text("{not json")
    make_client(token_cache=cache).get_analysis("vid-1")
    assert fake.token_requests == 1
    assert [e["access_token"] for e in json.loads(cache.read_text()).values()] == ["tok-1"]


def test_unreadable_config_file(no_env: Path) -> None:
    from repstride.client import InvalidInput

    no_env.write_text("client_id = [unterminated")
    with pytest.raises(InvalidInput) as info:
        Client(base_url=BASE, token_cache=False)
    assert info.value.code == "invalid_config"
