"""Fixtures of the scale-out tests: Redis broker settings unique per test (queue name and key
prefix, cleaned afterwards), a fresh PostgreSQL schema, an S3 server (moto, server mode, HTTP on
loopback) with a bucket per test. Missing services skip locally and fail in CI."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "service")]

from scale_helpers import free_port  # noqa: E402
from svc_helpers import fresh_database  # noqa: E402

#: Redis database the tests use; every key also carries a per-test prefix.
REDIS_DB = int(os.environ.get("REPSTRIDE_TEST_REDIS_DB", "9"))
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:10]


def _delete_prefixed(url: str, prefix: str) -> None:
    import redis

    r = redis.Redis.from_url(url)
    try:
        keys = list(r.scan_iter(match=prefix + "*", count=500))
        if keys:
            r.delete(*keys)
    finally:
        r.close()


@pytest.fixture
def celery_cfg(require_service, run_id: str) -> Iterator[dict[str, object]]:
    """Settings for a Celery queue on the shared Redis, isolated from other runs/agents."""
    require_service("redis")
    prefix = f"rstest-{run_id}:"
    cfg: dict[str, object] = {"broker_url": f"redis://127.0.0.1:6379/{REDIS_DB}",
                              "celery_queue": f"rstest-{run_id}", "celery_key_prefix": prefix}
    yield cfg
    _delete_prefixed(str(cfg["broker_url"]), prefix)


@pytest.fixture
def pg_url(require_service, tmp_path: Path) -> Iterator[str]:
    require_service("postgres")
    with fresh_database("postgres", tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in server mode on a free loopback port (real HTTP, real SigV4 URLs)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # the dev extra is missing
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise
        pytest.skip(f"moto[server] not installed: {exc}")
    saved = {k: os.environ.get(k) for k in AWS_ENV}
    os.environ.update(AWS_ENV)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def s3_bucket(s3_endpoint: str, run_id: str) -> str:
    from repstride.service.blobs.s3 import make_client

    name = f"rstest-{run_id}"
    make_client(s3_endpoint).create_bucket(Bucket=name)
    return name
