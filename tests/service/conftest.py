from __future__ import annotations

from pathlib import Path

import pytest
from svc_helpers import FastPipeline, fresh_database

from repstride.service import Settings, build_services


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path, require_service):  # noqa: ANN001, ANN201
    if request.param == "postgres":
        require_service("postgres")
    with fresh_database(request.param, tmp_path) as url:
        yield url


class Clock:
    """A clock tests move by hand (leases, expiry) instead of sleeping."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pipeline() -> FastPipeline:
    return FastPipeline()


@pytest.fixture
def services(db_url: str, tmp_path: Path, pipeline: FastPipeline, clock: Clock):  # noqa: ANN201
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, workers=0,
                        job_lease_s=60, secret_key="k" * 32)
    s = build_services(settings, pipeline=pipeline, clock=clock)
    yield s
    s.close()
