"""Test doubles for the SDK tests: a scripted fake of both APIs behind ``httpx.MockTransport``, a
fake clock, and a blocking facade over ``AsyncClient``."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
from repstride.client import AsyncClient

BASE = "http://api.test"


@dataclass
class Seen:
    method: str
    path: str
    headers: httpx.Headers
    body: bytes
    query: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(httpx.QueryParams(self.body.decode()))


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes, str | None]]:
    """(name, filename, data, content type) per part, in wire order."""
    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    parts = []
    for part in msg.iter_parts():
        parts.append((part.get_param("name", header="content-disposition"), part.get_filename(),
                      part.get_payload(decode=True), part.get_content_type()
                      if part.get("content-type") else None))
    return parts


@dataclass
class FakeServer:
    """Both dialects, scripted. ``analysis_script`` / ``results_script`` are consumed one entry per
    poll (the last entry repeats); an entry is a JSON body or ``(status, body)``."""

    expires_in: int | None = 3600
    token_error: tuple[int, dict[str, Any]] | None = None
    analysis_script: list[Any] = field(default_factory=lambda: [{"status": "Complete", "reps": []}])
    results_script: list[Any] = field(default_factory=lambda: [{"status": "success"}])
    video: dict[str, Any] = field(default_factory=lambda: {"status": "Success", "overlays": {}})
    video_script: list[Any] | None = None
    upload_url: str = "https://bucket.s3.test/upload"
    start_answer: Any = field(default_factory=lambda: {"analysis_id": "run-1"})
    routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.seen: list[Seen] = []
        self.tokens_issued: list[str] = []
        self.valid_tokens: set[str] = set()

    # --- helpers used by tests -------------------------------------------------------------------

    @property
    def token_requests(self) -> int:
        return sum(1 for s in self.seen if s.path == "/oauth2/token")

    def api_calls(self, path_prefix: str = "/") -> list[Seen]:
        return [s for s in self.seen if s.path != "/oauth2/token" and s.path.startswith(path_prefix)]

    def revoke_all(self) -> None:
        self.valid_tokens.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # --- the server ------------------------------------------------------------------------------

    @staticmethod
    def _scripted(script: list[Any]) -> httpx.Response:
        entry = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(entry, httpx.Response):
            return entry
        status, body = entry if isinstance(entry, tuple) else (200, entry)
        return httpx.Response(status, json=body)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        path = request.url.path
        self.seen.append(Seen(request.method, path, httpx.Headers(request.headers), body,
                              dict(request.url.params)))
        if (request.method, path) in self.routes:
            return self.routes[(request.method, path)](request)
        if path == "/oauth2/token":
            return self._token(request)
        if request.url.host != "api.test" or path.startswith("/upload") or path.startswith("/files"):
            if request.method == "POST":
                return httpx.Response(204)
            return httpx.Response(200, content=b"overlay-bytes" * 1000,
                                  headers={"Content-Type": "video/mp4"})
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return httpx.Response(401, json={"code": "unauthorized", "message": "Invalid token."})
        return self._api(request, path)

    def _token(self, request: httpx.Request) -> httpx.Response:
        if self.token_error is not None:
            return httpx.Response(self.token_error[0], json=self.token_error[1])
        token = f"tok-{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        self.valid_tokens.add(token)
        payload: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            payload["expires_in"] = self.expires_in
        return httpx.Response(200, json=payload)

    def _api(self, request: httpx.Request, path: str) -> httpx.Response:
        m = request.method
        if m == "POST" and path == "/videos":
            return httpx.Response(200, json={"id": "vid-1", "url": self.upload_url,
                                             "fields": {"key": "uploads/vid-1", "policy": "cG9s",
                                                        "x-amz-signature": "sig"}})
        if m == "GET" and path == "/videos/vid-1/analysis":
            return self._scripted(self.analysis_script)
        if m == "GET" and path == "/videos/vid-1":
            if self.video_script is not None:
                return self._scripted(self.video_script)
            return httpx.Response(200, json={"id": "vid-1", **self.video})
        if m == "GET" and path == "/videos/vid-1/j2p":
            return httpx.Response(200, json=J2P_BODY)
        if m == "PUT" and path == "/videos/vid-1":
            return httpx.Response(200, json={"id": "vid-1"})
        if m == "DELETE" and path == "/videos/vid-1":
            return httpx.Response(204)
        if m == "POST" and path == "/analysis/start":
            return httpx.Response(202, json=self.start_answer)  # the server's 202 Accepted
        if m == "GET" and path == "/analysis/run-1/results":
            return self._scripted(self.results_script)
        if m == "GET" and path == "/analysis/run-1/results/calculated_data":
            return httpx.Response(200, json={"total_score": 0.72, "metrics": {"cadence": 172}})
        if m == "GET" and path == "/analysis/run-1/results/raw_data":
            return httpx.Response(200, json={"video_input_information": {"fps": 60},
                                             "frames": {"0": {"nose": [0.5, 0.2]}}})
        return httpx.Response(404, json={"code": "not_found", "message": f"No route {m} {path}."})


J2P_BODY = {
    "status": "Complete", "resolutionHeight": 1280, "resolutionWidth": 720,
    "jointToPoints": {"leftAnkle": [
        {"frame_idx": 0, "part": "leftAnkle", "position": {"x": 0.4, "y": 0.7}, "score": 0.8,
         "timestamp": 0},
        {"frame_idx": 4, "part": "leftAnkle", "position": {"x": 0.5, "y": 0.75}, "score": 0.86,
         "timestamp": 0.1}]},
    "analysis": {"reps": [{"startTimestampMs": 123, "midTimestampMs": 456, "endTimestampMs": 789,
                           "analyses": [{"analysisType": "HIP_KNEE_ANGLE_DEGREES",
                                         "analysisScalar": 12.34}]}]},
}


class FakeClock:
    """Monotonic time that only moves when the client sleeps (no real waiting in tests)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Blocking:
    """Calls an ``AsyncClient`` through blocking methods on one private event loop, so a test body
    runs unchanged against ``Client`` and ``AsyncClient``."""

    def __init__(self, client: AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._loop.run_until_complete(attr(*args, **kwargs))

        return call


@dataclass(frozen=True)
class LiveServer:
    url: str
    client_id: str
    client_secret: str
    data_dir: Path
    paths: frozenset[str]
    api_key: str | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for subprocesses that talk to this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTRIDE_")}
        env.update(REPSTRIDE_SERVER=self.url, REPSTRIDE_CLIENT_ID=self.client_id,
                   REPSTRIDE_CLIENT_SECRET=self.client_secret, **extra)
        if self.api_key:
            env["REPSTRIDE_API_KEY"] = self.api_key
        return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
