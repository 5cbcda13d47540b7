"""Shared by tests/service and tests/api: databases (SQLite file / fresh PostgreSQL schema),
tiny real videos, a fast injected pipeline, and a live server on a free port."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def fresh_database(kind: str, tmp: Path) -> Iterator[str]:
    """A SQLAlchemy URL to an empty database: a new SQLite file, or a new PostgreSQL schema
    (dropped afterwards) selected through ``search_path``."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'test.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                           "pid <> pg_backend_pid() AND query LIKE :q"), {"q": "%" + schema + "%"})
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_video(path: Path, frames: int, *, size: int = 64, fps: int = 10) -> Path:
    """A real (tiny) H.264 MP4 whose frame count identifies it."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            img = np.full((size, size, 3), (i * 37) % 255, np.uint8)
            for pkt in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


class FastPipeline:
    """Injected in tests that exercise the service, not the models: the "pose" is a synthetic
    track with one row per decoded frame, and the "analysis" reports one rep per 2 frames, so a
    result can be traced back to the upload it came from (no mix-ups)."""

    def __init__(self) -> None:
        self.pose_calls = 0
        self.analyze_calls = 0
        self.video_paths: list[tuple[str | None, bool]] = []  # (activity, source file given)
        self.block: threading.Event | None = None  # set to hold pose until released
        self.started = threading.Event()

    def pose(self, path, *, progress=None):  # noqa: ANN001, ANN201
        from repstride.analysis.track import PoseTrack
        from repstride.media import iter_frames, probe
        from repstride.pose import PoseResult

        info = probe(path)
        n = sum(1 for _ in iter_frames(path))
        self.pose_calls += 1
        self.started.set()
        if self.block is not None:
            while not self.block.wait(0.05):
                if progress is not None:
                    progress(0, n)
        if progress is not None:
            progress(n, n)
        rng = np.random.default_rng(n)
        track = PoseTrack.empty(n, fps=info.fps or 10.0, width=info.width, height=info.height)
        xy = rng.uniform(0.2, 0.8, size=track.xy.shape)
        bbox = np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1)
        track = track.replace(xy=xy, score=np.full(track.score.shape, 0.9),
                              world=np.zeros(track.world.shape), bbox=bbox)
        boxes = np.concatenate([bbox, np.full((n, 1), 0.9)], axis=1)
        return PoseResult(info=info, track=track, people={0: boxes, 1: boxes * 0.5},
                          subject_id=0)

    def analyze(self, track, *, domain, activity, rep_count, video_path=None):  # noqa: ANN001, ANN201
        from repstride.analysis.results import ActivityResult, Rep, RepAnalysis

        self.analyze_calls += 1
        self.video_paths.append((activity, video_path is not None and Path(video_path).is_file()))
        n = len(track) // 2 if rep_count is None else rep_count
        reps = tuple(Rep(start_ms=i * 200, mid_ms=i * 200 + 100, end_ms=i * 200 + 200,
                         analyses=(RepAnalysis("FRAMES", float(len(track))),)) for i in range(n))
        return ActivityResult(status="Complete", domain=domain or "calisthenics",
                              activity=activity or "bodyweight_squat", reps=reps)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc, timeout: float = 60.0) -> None:  # noqa: ANN001
    """Wait until a ``repstride serve`` subprocess answers ``GET /health`` (it must stay alive)."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)


class ThreadServer:
    """uvicorn serving ``create_app(services)`` in a thread, on a free port."""

    def __init__(self, services, *, start_workers: bool = True) -> None:  # noqa: ANN001
        import uvicorn

        from repstride.api import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(services, start_workers=start_workers)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def wait_until_final(get, *, timeout: float = 120.0, interval: float = 0.1):  # noqa: ANN001, ANN201
    """Poll like a client: until the analysis is no longer Pending (or the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        body = get()
        if body.get("status") != "Pending" or time.monotonic() > deadline:
            return body
        time.sleep(interval)


class EnvPipeline(FastPipeline):
    """For ``repstride serve`` subprocesses (``REPSTRIDE_PIPELINE=svc_helpers:EnvPipeline``):
    the pose stalls forever while ``REPSTRIDE_TEST_STALL=1``, so a test can kill the process
    mid-job; with ``REPSTRIDE_TEST_POSE_S`` it takes that long (reporting progress, so a
    shutdown can interrupt it), and with ``REPSTRIDE_TEST_POSE_LOG`` it appends ``start <pid>``
    and ``done <pid>`` lines to that file."""

    def __init__(self) -> None:
        import os

        super().__init__()
        if os.environ.get("REPSTRIDE_TEST_STALL") == "1":
            self.block = threading.Event()

    def pose(self, path, *, progress=None):  # noqa: ANN001, ANN201
        import os

        log = os.environ.get("REPSTRIDE_TEST_POSE_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"start {os.getpid()}\n")
        end = time.monotonic() + float(os.environ.get("REPSTRIDE_TEST_POSE_S", "0"))
        while time.monotonic() < end:
            if progress is not None:
                progress(0, 1)
            time.sleep(0.05)
        result = super().pose(path, progress=progress)
        if log:
            with open(log, "a") as f:
                f.write(f"done {os.getpid()}\n")
        return result

class Receiver:
    """A loopback HTTP server answering the scripted statuses (then 200), recording requests."""

    def __init__(self, statuses: list[int] | None = None, *, body: bytes = b"ok") -> None:
        self.statuses = list(statuses or [])
        self.body = body
        self.requests: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                data = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, data))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("content-length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def events(self) -> list[dict]:
        return [json.loads(b) for _, b in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
