"""The dashboard tests' world: one server with the Video API on the fast test pipeline and the
Running Analysis API on the scripted synthetic runner, a client with credits, tiny clips."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for sub in ("../../service", "../running"):
    p = str((HERE / sub).resolve())
    if p not in sys.path:
        sys.path.insert(0, p)

from running_helpers import ScriptedPipeline  # noqa: E402
from svc_helpers import FastPipeline, make_video  # noqa: E402

from repstride.service import Settings, build_services  # noqa: E402
from repstride.service.running.service import attach_running  # noqa: E402
from repstride.service.running.settings import RunningSettings  # noqa: E402


@dataclass
class World:
    services: Any
    running: Any
    client_id: str
    client_secret: str


def make_world(tmp_path: Path, *, workers: int = 0, cors_origins: str = "",
               real: bool = False) -> World:
    """``real``: the production pose model and analyses (slow) instead of the test pipelines."""
    settings = Settings(data_dir=tmp_path / "data",
                        database_url=f"sqlite:///{tmp_path / 'dash.sqlite3'}", workers=workers,
                        secret_key="k" * 32, cors_origins=cors_origins, job_poll_s=0.1)
    services = build_services(settings, pipeline=None if real else FastPipeline())
    running = attach_running(services, settings=RunningSettings(max_bytes=200_000_000,
                                                                max_duration_s=120.0),
                             pipeline=None if real else ScriptedPipeline())
    c = services.clients.create("coach", credits=20)
    return World(services=services, running=running, client_id=c.id, client_secret=c.secret)


__all__ = ["FastPipeline", "ScriptedPipeline", "World", "make_video", "make_world"]
