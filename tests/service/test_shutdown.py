"""SIGTERM to a real ``repstride serve`` mid-job: with a grace period longer than the job, the
job completes and the process exits 0 (taking no new job meanwhile); with a shorter one, the
job is handed back to the queue (not lost, attempt not counted) and after a restart it
completes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from svc_helpers import free_port, make_video, wait_healthy

from repstride.service import Settings, build_services

EXE = Path(sys.executable).parent / "repstride"


@pytest.fixture
def deployment(tmp_path: Path):  # noqa: ANN201
    data = tmp_path / "data"
    env = {**os.environ, "REPSTRIDE_DATA_DIR": str(data), "REPSTRIDE_SECRET_KEY": "k" * 32,
           "REPSTRIDE_PIPELINE": "svc_helpers:EnvPipeline", "REPSTRIDE_JOB_POLL_S": "0.2",
           "REPSTRIDE_TEST_POSE_LOG": str(tmp_path / "pose.log"),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent),
                                          os.environ.get("PYTHONPATH", "")])}
    env.pop("REPSTRIDE_DATABASE_URL", None)
    observer = build_services(Settings(data_dir=data, secret_key="k" * 32, workers=0))
    observer.client = observer.clients.create("t")  # serve then creates none of its own
    yield env, observer, tmp_path
    observer.close()


def _serve(env: dict[str, str], log: Path, **extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "a") as err:
        proc = subprocess.Popen([str(EXE), "serve", "--port", str(port), "--workers", "1"],
                                env={**env, **extra}, stdout=subprocess.DEVNULL, stderr=err)
    wait_healthy(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def _upload(base: str, observer, clip: Path) -> str:  # noqa: ANN001
    client = observer.client
    token = requests.post(f"{base}/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": client.id,
        "client_secret": client.secret}).json()["access_token"]
    created = requests.post(f"{base}/videos", headers={"Authorization": token}, timeout=30,
                            json={"filename": "clip.mp4", "size": clip.stat().st_size}).json()
    with open(clip, "rb") as f:
        assert requests.post(created["url"], data=created["fields"], files={"file": f},
                             timeout=30).status_code == 204
    return created["id"]


def _wait_running(observer, pose_log: Path) -> None:  # noqa: ANN001
    deadline = time.monotonic() + 60
    while not (pose_log.exists() and "start" in pose_log.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert observer.jobs.counts().get("running") == 1


def _video_jobs(observer) -> dict[str, int]:  # noqa: ANN001
    """States of the analysis jobs (the retention sweep, on by default, is a job too)."""
    from sqlalchemy import select

    from repstride.service.models import Job

    with observer.db.session() as s:
        states = s.scalars(select(Job.state).where(Job.kind == "analyze_video")).all()
    return {st: states.count(st) for st in sorted(set(states))}


def _sweep_state(observer) -> str | None:  # noqa: ANN001
    """State of serve's periodic retention sweep (a job of its own), None before the first."""
    job = observer.jobs.get("retention-sweep")
    return job.state if job else None


def _lines(path: Path, word: str) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.startswith(word))


def test_sigterm_lets_the_running_job_finish_within_the_grace(deployment) -> None:  # noqa: ANN001
    env, observer, tmp = deployment
    clip = make_video(tmp / "clip.mp4", 10)
    proc, base = _serve(env, tmp / "serve.log", REPSTRIDE_SHUTDOWN_GRACE_S="60",
                        REPSTRIDE_TEST_POSE_S="3")
    try:
        first = _upload(base, observer, clip)
        _wait_running(observer, tmp / "pose.log")
        second = _upload(base, observer, clip)  # queued behind the first
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _lines(tmp / "pose.log", "done") == 1  # the first finished; the second never began
    assert _video_jobs(observer) == {"done": 1, "queued": 1}
    videos = {v.id: v for v in observer.videos.list(observer.client.id)[0]}
    assert videos[first].analysis_status == "Complete"
    assert videos[second].analysis_status == "Pending"
    assert "shutdown: waiting for running jobs" in (tmp / "serve.log").read_text()


def test_sigterm_hands_back_a_job_longer_than_the_grace(deployment) -> None:  # noqa: ANN001
    env, observer, tmp = deployment
    clip = make_video(tmp / "clip.mp4", 10)
    proc, base = _serve(env, tmp / "serve.log", REPSTRIDE_SHUTDOWN_GRACE_S="1",
                        REPSTRIDE_TEST_POSE_S="600")
    try:
        vid = _upload(base, observer, clip)
        _wait_running(observer, tmp / "pose.log")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    jobs = [j for j in map(observer.jobs.get, observer.jobs.ready_ids())
            if j.kind == "analyze_video"]
    assert len(jobs) == 1, (_video_jobs(observer), (tmp / "serve.log").read_text()[-3000:])
    job = jobs[0]
    assert (job.state, job.attempts, job.owner) == ("queued", 0, None)  # released, not lost
    assert "handing jobs back" in (tmp / "serve.log").read_text()

    proc, base = _serve(env, tmp / "serve.log", REPSTRIDE_TEST_POSE_S="0",
                        REPSTRIDE_RETAIN_SWEEP_INTERVAL_S="0.5")
    try:
        deadline = time.monotonic() + 60
        while _video_jobs(observer) != {"done": 1} or _sweep_state(observer) != "done":
            assert time.monotonic() < deadline, _video_jobs(observer)
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert (_lines(tmp / "pose.log", "start"), _lines(tmp / "pose.log", "done")) == (2, 1)
    assert observer.jobs.get(job.id).attempts == 1
    (v,) = observer.videos.list(observer.client.id)[0]
    assert (v.id, v.analysis_status) == (vid, "Complete")
