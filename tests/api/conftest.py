from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from svc_helpers import FastPipeline, fresh_database  # noqa: E402

from repstride.service import Settings, build_services  # noqa: E402


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path, require_service):  # noqa: ANN001, ANN201
    if request.param == "postgres":
        require_service("postgres")
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pipeline() -> FastPipeline:
    return FastPipeline()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # shutdown_grace_s=0: stopping a test server hands a running job back at once
    return Settings(data_dir=tmp_path / "data", database_url=db_url, workers=0,
                    secret_key="k" * 32, max_upload_bytes=5_000_000, token_rate_per_minute=5,
                    shutdown_grace_s=0)


@pytest.fixture
def services(settings: Settings, pipeline: FastPipeline, clock: Clock):  # noqa: ANN201
    s = build_services(settings, pipeline=pipeline, clock=clock)
    yield s
    s.close()


@pytest.fixture
def api(services):  # noqa: ANN001, ANN201
    import warnings

    with warnings.catch_warnings():
        # starlette 1.x prefers the httpx2 fork for its TestClient; plain httpx works the same.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from repstride.api import create_app

    with TestClient(create_app(services, start_workers=False),
                    raise_server_exceptions=False) as c:
        yield c


def _token(api, services, name: str = "app") -> str:  # noqa: ANN001
    c = services.clients.create(name, credits=1)
    r = api.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": c.id,
                                        "client_secret": c.secret, "scope": ""})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest.fixture
def token(api, services) -> str:  # noqa: ANN001
    return _token(api, services)


@pytest.fixture
def other_token(api, services) -> str:  # noqa: ANN001
    return _token(api, services, "other")
