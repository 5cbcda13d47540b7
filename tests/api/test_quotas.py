"""Per-client quotas on new analyses hold across API processes sharing one database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from svc_helpers import free_port, wait_healthy


def _serve(data: Path, env_extra: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """``repstride serve`` on ``data`` (stderr to ``log``); the caller stops it with _stop."""
    env = {**os.environ, "REPSTRIDE_DATA_DIR": str(data), **env_extra}
    env.pop("REPSTRIDE_DATABASE_URL", None)
    port = free_port()
    exe = Path(sys.executable).parent / "repstride"
    with open(log, "w") as err:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "0"],
                                stdout=subprocess.PIPE, stderr=err, env=env, text=True)
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(30)
    proc.stdout.close()


def test_quotas_return_429_across_two_api_processes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"REPSTRIDE_QUOTA_PER_MINUTE": "3"}
    a, port_a = _serve(data, env, tmp_path / "a.log")
    procs = [a]
    try:
        creds: dict[str, str] = {}
        for line in a.stdout:
            key, _, value = line.strip().partition(":")
            if key in ("client_id", "client_secret", "api_key"):
                creds[key] = value.strip()
            if len(creds) == 3:
                break
        wait_healthy(port_a, a)
        b, port_b = _serve(data, env, tmp_path / "b.log")  # the same SQLite database
        procs.append(b)
        wait_healthy(port_b, b)
        tok = requests.post(f"http://127.0.0.1:{port_a}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}, timeout=10).json()["access_token"]
        headers = {"Authorization": f"Bearer {tok}"}

        def create(port: int) -> requests.Response:
            return requests.post(f"http://127.0.0.1:{port}/videos", headers=headers,
                                 json={"filename": "a.mp4", "size": 1000}, timeout=10)

        assert [create(p).status_code for p in (port_a, port_b, port_a)] == [200, 200, 200]
        refused = create(port_b)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "quota_exceeded"
        assert refused.headers["RateLimit-Limit"] == "3"
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["RateLimit-Reset"] == refused.headers["Retry-After"]
        # the Running Analysis API shares the quota, and answers in its own error shape
        run = requests.post(f"http://127.0.0.1:{port_a}/analysis/start",
                            params={"apiKey": creds["api_key"]},
                            data={"analysis_type": "side_view"},
                            files={"video": ("run.mp4", b"\0" * 2048, "video/mp4")}, timeout=30)
        assert run.status_code == 429, run.text
        assert run.json()["code"] == "quota_exceeded" and run.json()["detail"]
    finally:
        for p in procs:
            _stop(p)
