"""Helpers and fixtures of the Running Analysis API tests (imported by this unique name: a
module called ``conftest`` is ambiguous across test folders): services on SQLite (and PostgreSQL when it runs),
the app with a controllable pipeline, a client with token + apiKey, tiny real videos."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import warnings

import numpy as np
import pytest
from svc_helpers import free_port

with warnings.catch_warnings():
    # starlette 1.x deprecates its httpx-based TestClient in favour of httpx2 (not installed);
    # the client itself works unchanged.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from repstride.service import Settings, build_services
from repstride.service.running.service import RunningService, attach_running
from repstride.service.running.jobs import RealRunningPipeline, RunningOutcome
from repstride.service.running.params import RunningParams
from repstride.service.running.settings import RunningSettings
from repstride.wire import to_json

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def fresh_database(kind: str, tmp: Path) -> Iterator[str]:
    """An empty database: a new SQLite file or a new PostgreSQL schema (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'running.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_video(path: Path, frames: int, *, fps: int = 10, size: int = 64,
               codec: str = "libx264", pix_fmt: str = "yuv420p") -> Path:
    """A real tiny video (container from the extension): ``frames / fps`` seconds long."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = pix_fmt
        for i in range(frames):
            img = np.full((size, size, 3), (i * 37) % 255, np.uint8)
            for pkt in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


@dataclass
class Stage:
    """A point the pipeline stops at: it reports ``fraction``, sets ``reached`` and waits for
    ``release`` (the test inspects the API in between)."""

    fraction: float
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class ScriptedPipeline:
    """Controllable stand-in for the pose model (tests only, injected with ``attach_running``).

    The "pose" is a synthetic stick-figure runner (exact gait by construction) seen from the
    view the request asks for; the analysis is the real side/back analysis on it. Tests can stop
    it at stages, make it raise, and count calls.
    """

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.error: BaseException | None = None
        self.calls = 0
        self.seen_params: list[RunningParams] = []

    def __call__(self, video: Path, params: RunningParams, *, workdir: Path,
                 progress: Callable[[float], None]) -> RunningOutcome:
        from repstride.testing.running import synthesize_run

        self.calls += 1
        self.seen_params.append(params)
        for st in self.stages:
            progress(st.fraction)
            st.reached.set()
            if not st.release.wait(30):
                raise TimeoutError("test never released the pipeline stage")
        if self.error is not None:
            raise self.error
        view = "side" if params.analysis_type == "side_view" else "back"
        run = synthesize_run(view=view, fps=60.0, duration_s=3.0, seed=7)
        result = RealRunningPipeline.analyze(run.track, params)
        progress(0.95)
        return RunningOutcome(track=run.track, analysis=to_json(result),
                              media_reason="running_api.media.renderer_unavailable")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path, require_service):  # noqa: ANN001, ANN201
    if request.param == "postgres":
        require_service("postgres")
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def pipeline() -> ScriptedPipeline:
    return ScriptedPipeline()


RUNNING_LIMITS = RunningSettings(max_bytes=200_000, max_duration_s=10.0)


def _services(url: str, tmp_path: Path):  # noqa: ANN202
    settings = Settings(data_dir=tmp_path / "data", database_url=url, workers=0,
                        job_lease_s=60, secret_key="k" * 32)
    return build_services(settings)


@dataclass
class Api:
    """A TestClient plus what the tests need to call and drive the API."""

    http: TestClient
    services: Any
    running: RunningService
    pipeline: ScriptedPipeline | None  # None: the production pipeline
    client_id: str
    token: str
    api_key: str

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def q(self, api_key: str | None = None) -> dict[str, str]:
        return {"apiKey": api_key or self.api_key}

    def start(self, video: Path | bytes, *, filename: str | None = None,
              token: str | None = None, api_key: str | None = None, **form: str):
        data = {"analysis_type": "side_view", **form}
        if isinstance(video, Path):
            content, name = video.read_bytes(), filename or video.name
        else:
            content, name = video, filename or "clip.mp4"
        return self.http.post("/analysis/start", params=self.q(api_key), headers=self.auth(token),
                              data=data, files={"video": (name, content, "video/mp4")})

    def results(self, analysis_id: str, level: str = "", **params: str):
        path = f"/analysis/{analysis_id}/results" + (f"/{level}" if level else "")
        return self.http.get(path, params={**self.q(), **params}, headers=self.auth())

    def new_client(self, credits: int = 10) -> tuple[str, str, str]:
        c = self.services.clients.create(f"c-{uuid.uuid4().hex[:6]}", credits=credits)
        token = self.services.clients.issue_token(c.id, c.secret).access_token
        return c.id, token, self.running.issue_api_key(c.id)

    def job_ids(self) -> list[str]:
        return self.services.jobs.ready_ids(limit=100)

    def run_jobs(self) -> list[str | None]:
        """Run every queued job now, in this thread (what a worker does)."""
        return [self.services.runner.run_job(j) for j in self.job_ids()]

    def balance(self, client_id: str | None = None) -> int:
        return self.services.credits.balance(client_id or self.client_id)


def make_api(url: str, tmp_path: Path, pipeline: ScriptedPipeline | None, *,
             limits: RunningSettings = RUNNING_LIMITS, credits: int = 10) -> Api:
    from repstride.api import create_app

    services = _services(url, tmp_path)
    running = attach_running(services, settings=limits, pipeline=pipeline)
    app = create_app(services, start_workers=False)
    c = services.clients.create("runner", credits=credits)
    token = services.clients.issue_token(c.id, c.secret).access_token
    return Api(http=TestClient(app), services=services, running=running, pipeline=pipeline,
               client_id=c.id, token=token, api_key=running.issue_api_key(c.id))


@pytest.fixture
def api(sqlite_url: str, tmp_path: Path, pipeline: ScriptedPipeline) -> Iterator[Api]:
    a = make_api(sqlite_url, tmp_path, pipeline)
    yield a
    a.http.close()
    a.services.close()


@pytest.fixture
def api_any_db(db_url: str, tmp_path: Path, pipeline: ScriptedPipeline) -> Iterator[Api]:
    a = make_api(db_url, tmp_path, pipeline)
    yield a
    a.http.close()
    a.services.close()


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny real clips: 2 s MP4 / MOV / AVI, a 12 s MP4, a WebM renamed .mp4, a text file."""
    d = tmp_path_factory.mktemp("videos")
    out = {
        "mp4": make_video(d / "short.mp4", 20),
        "mov": make_video(d / "short.mov", 20),
        "avi": make_video(d / "short.avi", 20, codec="mpeg4"),
        "long": make_video(d / "long.mp4", 60, fps=5),
        "webm": make_video(d / "real.webm", 20, codec="libvpx-vp9"),
    }
    text = d / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    out["text"] = text
    return out


# --- a live server for the SDK ---------------------------------------------------------------


class Live:
    def __init__(self, url: str, services, running, client_id: str, secret: str,  # noqa: ANN001
                 api_key: str, done: threading.Event) -> None:
        self.url, self.services, self.running = url, services, running
        self.client_id, self.secret, self.api_key, self.done = client_id, secret, api_key, done

    def sdk(self, **kw):  # noqa: ANN003, ANN201
        from repstride.client import Client

        opts = {"base_url": self.url, "client_id": self.client_id, "client_secret": self.secret,
                "api_key": self.api_key, "token_cache": False, **kw}
        return Client(**opts)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """A uvicorn server (real HTTP, the worker pool on) with a scripted pipeline, for the SDK."""
    import uvicorn

    from repstride.api import create_app

    with fresh_database("sqlite", tmp_path) as url:
        services = build_services(Settings(data_dir=tmp_path / "data", database_url=url,
                                           workers=1, job_poll_s=0.05, secret_key="k" * 32))
        running = attach_running(services, settings=RUNNING_LIMITS, pipeline=ScriptedPipeline())
        done = threading.Event()
        orig = running.mark_success

        def mark_success(analysis_id, **values):  # noqa: ANN001, ANN202
            ok = orig(analysis_id, **values)
            done.set()
            return ok

        running.mark_success = mark_success  # type: ignore[method-assign]
        c = services.clients.create("live", credits=5)
        key = running.issue_api_key(c.id)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:  # startup handshake of the server thread, not a job wait
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        try:
            yield Live(f"http://127.0.0.1:{port}", services, running, c.id, c.secret, key, done)
        finally:
            server.should_exit = True
            thread.join(30)
            services.close()
