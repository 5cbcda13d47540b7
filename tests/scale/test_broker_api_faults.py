"""Redis restarted (without persistence) between enqueue and pick-up, and the API process
restarted while jobs run: nothing lost, nothing duplicated, each video Complete once."""

from __future__ import annotations

import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fault_support import Deployment, deployment_settings
from scale_helpers import PrivateRedis, free_port, processes, start_api, wait_for
from svc_helpers import make_video

pytestmark = [pytest.mark.services,
              pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:  # noqa: ANN001
    d = tmp_path_factory.mktemp("clips")
    return [make_video(d / f"c{n}.mp4", n) for n in (9, 10, 11, 12)]


@pytest.fixture
def dep(tmp_path: Path, pg_url: str, celery_cfg) -> Iterator[Deployment]:  # noqa: ANN001
    with processes() as procs:
        d = Deployment(tmp_path, deployment_settings(tmp_path, pg_url, celery_cfg), procs)
        try:
            yield d
        finally:
            d.close()


@pytest.fixture
def private_redis(tmp_path: Path, require_service) -> Iterator[PrivateRedis]:  # noqa: ANN001
    """A redis-server of this test alone: restarting the shared one would disturb others.
    Always stopped at the end, whatever happened."""
    if shutil.which("redis-server") is None:
        require_service("redis")  # CI: a Redis is required; its binary is what we start here
        pytest.skip("redis-server binary not installed")
    r = PrivateRedis(tmp_path)
    r.start()
    try:
        yield r
    finally:
        r.stop()


def test_redis_restart_between_enqueue_and_pickup(dep: Deployment, clips: list[Path],
                                                 private_redis: PrivateRedis) -> None:
    dep.settings.update(broker_url=private_redis.url, celery_key_prefix="")
    client, lost, _ = dep.upload(clips[0])  # its message is in Redis memory only ...
    private_redis.shutdown_nosave()  # ... and gone with this
    _, while_down, job_down = dep.upload(clips[1])  # enqueue fails: logged, job stays queued
    assert dep.producer().jobs.get(job_down).state == "queued"
    try:
        private_redis.start()  # same port, empty
        dep.worker(concurrency=1)
        dep.wait_complete(client, [lost, while_down])
    finally:
        if not private_redis.ping():
            private_redis.start()
    assert dep.counts("analyze") == Counter({9: 1, 10: 1})
    dep.wait_jobs({"done": 2})


def _token(base: str, dep: Deployment) -> str:
    c = dep.producer().clients.create("http")
    r = requests.post(f"{base}/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": c.id, "client_secret": c.secret})
    r.raise_for_status()
    return r.json()["access_token"]


def test_api_restart_while_jobs_run(dep: Deployment, clips: list[Path]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    dep.hold.touch()
    api = start_api(dep.env(), dep.tmp / "api1.log", port=port)
    dep.procs.append(api)
    dep.worker(concurrency=2)
    token = _token(base, dep)
    ids = []
    for clip in clips:
        created = requests.post(f"{base}/videos", headers={"Authorization": token}, timeout=30,
                                json={"filename": clip.name, "size": clip.stat().st_size}).json()
        with open(clip, "rb") as f:
            r = requests.post(created["url"], data=created["fields"], files={"file": f},
                              timeout=30)
        assert r.status_code == 204, r.text
        ids.append(created["id"])
    wait_for(lambda: dep.producer().jobs.counts().get("running") == 2, timeout=60,
             what="both worker processes to hold a job")
    api.kill_group(signal.SIGKILL)
    api.p.wait(10)
    dep.hold.unlink()  # the jobs go on while no API runs
    api2 = start_api(dep.env(), dep.tmp / "api2.log", port=port)
    dep.procs.append(api2)

    def analysis(vid: str) -> dict:
        return requests.get(f"{base}/videos/{vid}/analysis", headers={"Authorization": token},
                            timeout=30).json()

    results = wait_for(lambda: (rs := [analysis(v) for v in ids])
                       and all(a["status"] != "Pending" for a in rs) and rs,
                       timeout=90, what="every analysis to be final", interval=0.2)
    assert [a["status"] for a in results] == ["Complete"] * 4
    assert [len(a["reps"]) for a in results] == [n // 2 for n in (9, 10, 11, 12)]  # no mix-ups
    assert dep.counts("analyze") == Counter({9: 1, 10: 1, 11: 1, 12: 1})
    assert dep.counts("pose-start") == Counter({9: 1, 10: 1, 11: 1, 12: 1})
    dep.wait_jobs({"done": 4})
