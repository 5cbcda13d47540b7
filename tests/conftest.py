"""Shared fixtures.

- ``dev_data``: ../shared/data/dev (real clips with ground truth); tests using it skip when absent.
- ``demo_video``: Sports2D's demo.mp4, from the ``sports2d==0.8.34`` wheel on PyPI, downloaded
  once with ``pip download --no-deps`` into the gitignored ``.cache/``.
- ``require_service``: a service the test needs (PostgreSQL, Redis, ...); skips locally when it
  is absent, fails in CI (``CI=true``).
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"
DEV_DATA = Path(os.environ.get("REPSTRIDE_DEV_DATA", ROOT.parent / "shared" / "data" / "dev"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def dev_data() -> Path:
    if not (DEV_DATA / "MANIFEST.csv").is_file():
        pytest.skip(f"development clips not present at {DEV_DATA}")
    return DEV_DATA


@pytest.fixture(scope="session")
def manifest(dev_data: Path) -> list[dict[str, str]]:
    with open(dev_data / "MANIFEST.csv", newline="") as f:
        return list(csv.DictReader(f))


def _sports2d_demo() -> Path:
    out = CACHE / "sports2d" / "demo.mp4"
    if out.is_file():
        return out
    wheel_dir = CACHE / "sports2d" / "wheel"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheels = list(wheel_dir.glob("sports2d-0.8.34-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "sports2d==0.8.34",
             "-d", str(wheel_dir)],
            check=True,
        )
        wheels = list(wheel_dir.glob("sports2d-0.8.34-*.whl"))
    with zipfile.ZipFile(wheels[0]) as zf:
        tmp = out.with_suffix(".part")
        tmp.write_bytes(zf.read("Sports2D/Demo/demo.mp4"))
        tmp.replace(out)
    return out


@pytest.fixture(scope="session")
def demo_video() -> Path:
    try:
        return _sports2d_demo()
    except (subprocess.CalledProcessError, OSError, KeyError, zipfile.BadZipFile) as exc:
        if IN_CI:
            raise
        pytest.skip(f"could not fetch sports2d demo clip: {exc}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


SERVICES = {"postgres": ("127.0.0.1", 5432), "redis": ("127.0.0.1", 6379),
            "rabbitmq": ("127.0.0.1", 5672)}


@pytest.fixture(scope="session")
def require_service():
    def need(name: str) -> None:
        host, port = SERVICES[name]
        if not _port_open(host, port):
            msg = f"{name} not reachable at {host}:{port}"
            if IN_CI:
                pytest.fail(msg)
            pytest.skip(msg)

    return need
