"""Workers killed mid-job (SIGKILL): the job runs again and every video ends Complete exactly
once. ``repstride worker`` subprocesses, Celery on Redis, PostgreSQL; RabbitMQ as broker too."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import Deployment, deployment_settings
from scale_helpers import processes, wait_for
from svc_helpers import make_video

pytestmark = [pytest.mark.services,
              pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:  # noqa: ANN001
    d = tmp_path_factory.mktemp("clips")
    return [make_video(d / f"c{n}.mp4", n) for n in (6, 7, 8)]


@pytest.fixture
def dep(tmp_path: Path, pg_url: str, celery_cfg) -> Iterator[Deployment]:  # noqa: ANN001
    with processes() as procs:
        d = Deployment(tmp_path, deployment_settings(tmp_path, pg_url, celery_cfg), procs)
        try:
            yield d
        finally:
            d.close()


def _running(dep: Deployment, job_id: str):  # noqa: ANN202
    rec = dep.producer().jobs.get(job_id)
    return rec if rec is not None and rec.state == "running" else None


def _warmups_once_per_process(dep: Deployment) -> None:
    from scale_fakes import read_events

    events = read_events(dep.events)
    warm = Counter(e["pid"] for e in events if e["event"] == "warm-up")
    assert warm and set(warm.values()) == {1}
    assert {e["pid"] for e in events if e["event"] == "pose-start"} <= set(warm)


def test_sigkill_of_the_pool_process_mid_job(dep: Deployment, clips: list[Path]) -> None:
    dep.hold.touch()
    worker = dep.worker(concurrency=1)
    client, video, job = dep.upload(clips[0])
    rec = wait_for(lambda: _running(dep, job), timeout=60, what="the job to start")
    child = int(rec.owner.split(":")[1])
    assert child != worker.pid  # the prefork child holds the job, the main process supervises
    wait_for(lambda: dep.counts("pose-start")[6] == 1, timeout=30, what="pose to start")
    os.kill(child, signal.SIGKILL)
    dep.hold.unlink()
    dep.wait_complete(client, [video])
    assert dep.counts("pose-start")[6] == 2  # killed once, run again
    assert dep.counts("analyze") == Counter({6: 1})  # result written exactly once
    # the job row is closed just after the result is written: join on it, don't race it
    rec = wait_for(lambda: (r := dep.producer().jobs.get(job)).state == "done" and r,
                   timeout=30, what="the job row to be closed")
    assert (rec.state, rec.attempts) == ("done", 2)
    assert worker.alive()
    _warmups_once_per_process(dep)


def test_sigkill_of_the_whole_worker_then_another_worker_finishes(dep: Deployment,
                                                                  clips: list[Path]) -> None:
    dep.hold.touch()
    first = dep.worker(concurrency=1)
    client, video, job = dep.upload(clips[1])
    other_client, other, _ = dep.upload(clips[2])  # waits in the broker behind the held one
    wait_for(lambda: _running(dep, job), timeout=60, what="the job to start")
    wait_for(lambda: dep.counts("pose-start")[7] == 1, timeout=30, what="pose to start")
    first.kill_group(signal.SIGKILL)  # main process and pool: nothing acknowledges anything
    first.p.wait(10)
    dep.hold.unlink()
    dep.worker(concurrency=2)
    dep.wait_complete(client, [video, other])
    assert dep.counts("analyze") == Counter({7: 1, 8: 1})
    assert dep.counts("pose-start")[7] == 2
    dep.wait_jobs({"done": 2})
    assert dep.producer().jobs.ready_ids() == []


def test_rabbitmq_as_broker(dep: Deployment, clips: list[Path], require_service,  # noqa: ANN001
                            run_id: str) -> None:
    require_service("rabbitmq")
    amqp = {"broker_url": "amqp://guest:guest@127.0.0.1:5672//",
            "result_backend": dep.settings["broker_url"]}
    dep.settings.update(amqp)
    try:
        dep.worker(concurrency=1)
        uploaded = [dep.upload(c) for c in clips]
        dep.wait_complete(uploaded[0][0], [v for _, v, _ in uploaded])
        assert dep.counts("analyze") == Counter({6: 1, 7: 1, 8: 1})
    finally:
        from kombu import Connection

        with Connection(amqp["broker_url"]) as conn:
            conn.default_channel.queue_delete(dep.settings["celery_queue"])
