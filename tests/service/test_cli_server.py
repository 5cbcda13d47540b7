"""``repstride clients ...``, ``repstride db upgrade`` and ``repstride serve`` (first start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from svc_helpers import free_port, wait_healthy

from repstride.cli import _register, cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("REPSTRIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REPSTRIDE_DATABASE_URL", raising=False)
    _register()
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(cli, list(args), catch_exceptions=False)
    return invoke


def test_clients_create_list_credit_revoke(run) -> None:  # noqa: ANN001
    r = run("clients", "create", "--name", "coach-app", "--credits", "7", "--json")
    assert r.exit_code == 0, r.output
    created = json.loads(r.output)
    assert created["credits"] == 7 and len(created["client_secret"]) >= 40
    listed = json.loads(run("clients", "list", "--json").output)
    assert listed == [{"client_id": created["client_id"], "name": "coach-app", "credits": 7,
                       "revoked": False}]
    assert "10 credits" in run("clients", "credit", created["client_id"], "3").output
    assert run("clients", "revoke", created["client_id"]).exit_code == 0
    assert json.loads(run("clients", "list", "--json").output)[0]["revoked"] is True
    assert "client_secret" not in run("clients", "list").output


def test_clients_create_validates_credits(run) -> None:  # noqa: ANN001
    r = CliRunner().invoke(cli, ["clients", "create", "--name", "x", "--credits", "-1"])
    assert r.exit_code == 2


def test_db_upgrade(run) -> None:  # noqa: ANN001
    r = run("db", "upgrade")
    assert r.exit_code == 0 and "database at revision" in r.output


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "REPSTRIDE_DATA_DIR": str(data_dir)}
    env.pop("REPSTRIDE_DATABASE_URL", None)
    exe = Path(sys.executable).parent / "repstride"
    return subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)


def test_serve_first_start_creates_a_client_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    proc = _start(data, port)
    try:
        creds = {}
        for line in proc.stdout:
            key, _, value = line.strip().partition(":")
            if key in ("client_id", "client_secret"):
                creds[key] = value.strip()
            if len(creds) == 2:
                break
        wait_healthy(port, proc)
        r = requests.post(f"http://127.0.0.1:{port}/oauth2/token", data={
            "grant_type": "client_credentials", **creds}, timeout=10)
        assert r.status_code == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert (data / "repstride.sqlite3").is_file() and (data / "blobs").is_dir()
    port = free_port()
    proc = _start(data, port)  # second start: the client exists, nothing printed
    try:
        wait_healthy(port, proc)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "client_secret" not in out


def test_serve_on_a_taken_port_fails_before_creating_anything(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import socket

    from click.testing import CliRunner

    from repstride.cli import cli

    data = tmp_path / "data"
    monkeypatch.setenv("REPSTRIDE_DATA_DIR", str(data))
    monkeypatch.delenv("REPSTRIDE_DATABASE_URL", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--workers", "0"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output
    assert "client_secret" not in result.output
    assert not (data / "repstride.sqlite3").exists()


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_server_killed_mid_job_resumes_after_restart(tmp_path: Path, db: str,
                                                     require_service) -> None:  # noqa: ANN001
    """kill -9 during the pose stage; the restarted server (default lease) sees that the job's
    holder, a process of this host, is gone and runs the job at once: Complete within 20 s of the
    restart, exactly once."""
    from svc_helpers import fresh_database, make_video

    from repstride.service import Settings, build_services

    if db == "postgres":
        require_service("postgres")
    clip = make_video(tmp_path / "clip.mp4", 10)
    with fresh_database(db, tmp_path) as url:
        data = tmp_path / "data"
        env = {**os.environ, "REPSTRIDE_DATA_DIR": str(data), "REPSTRIDE_DATABASE_URL": url,
               "REPSTRIDE_PIPELINE": "svc_helpers:EnvPipeline",
               "REPSTRIDE_JOB_POLL_S": "0.2",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent),
                                              os.environ.get("PYTHONPATH", "")])}
        exe = Path(sys.executable).parent / "repstride"
        observer = build_services(Settings(data_dir=data, database_url=url, workers=0))
        client = observer.clients.create("t")
        port = free_port()
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "1"],
                                env={**env, "REPSTRIDE_TEST_STALL": "1"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(port, proc)
            base = f"http://127.0.0.1:{port}"
            token = requests.post(f"{base}/oauth2/token", data={
                "grant_type": "client_credentials", "client_id": client.id,
                "client_secret": client.secret}).json()["access_token"]
            created = requests.post(f"{base}/videos", headers={"Authorization": token}, json={
                "filename": "clip.mp4", "size": clip.stat().st_size}).json()
            with open(clip, "rb") as f:
                assert requests.post(created["url"], data=created["fields"],
                                     files={"file": f}).status_code == 204
            deadline = time.monotonic() + 60
            while observer.jobs.counts().get("running") != 1:  # the worker is inside pose
                assert time.monotonic() < deadline
                time.sleep(0.1)
        finally:
            proc.kill()  # no graceful shutdown: the lease is left behind
            proc.wait(30)
        port = free_port()
        restarted = time.monotonic()
        log = open(tmp_path / "restart.log", "w")  # noqa: SIM115
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_healthy(port, proc)
            base = f"http://127.0.0.1:{port}"
            deadline = restarted + 20
            while True:
                a = requests.get(f"{base}/videos/{created['id']}/analysis",
                                 headers={"Authorization": token}).json()
                if a["status"] != "Pending" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(30)
            log.close()
        counts = observer.jobs.counts()
        observer.close()
    assert a["status"] == "Complete" and len(a["reps"]) == 5, a
    assert counts == {"done": 1}
    # taken back from the dead process, not after the lease ran out
    assert "reclaimed 1 job(s) held by dead processes" in (tmp_path / "restart.log").read_text()
