"""SIGTERM to ``repstride worker`` (Celery, prefork) mid-job: within the grace period the job
completes and the worker exits; past it the job is handed back (released, attempt uncounted)
and another worker completes it exactly once. The signal goes to the whole process group (as
``systemd`` sends it) or to the main process only."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import Deployment, deployment_settings
from scale_helpers import processes, wait_for
from svc_helpers import make_video

pytestmark = [pytest.mark.services,
              pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c6.mp4", 6)


@pytest.fixture
def dep(tmp_path: Path, pg_url: str, celery_cfg) -> Iterator[Deployment]:  # noqa: ANN001
    settings = {**deployment_settings(tmp_path, pg_url, celery_cfg), "job_lease_s": 10}
    with processes() as procs:
        d = Deployment(tmp_path, settings, procs)
        try:
            yield d
        finally:
            d.close()


def _start_held(dep: Deployment, clip: Path, grace_s: float):  # noqa: ANN202
    dep.hold.touch()
    worker = dep.worker(concurrency=1, shutdown_grace_s=grace_s)
    client_id, video_id, job_id = dep.upload(clip)
    wait_for(lambda: dep.counts("pose-start")[6] == 1, timeout=60, what="pose to start")
    return worker, client_id, video_id, job_id


def test_sigterm_within_the_grace_lets_the_job_finish(dep: Deployment, clip: Path) -> None:
    worker, client_id, video_id, job_id = _start_held(dep, clip, 60)
    worker.kill_group(signal.SIGTERM)
    wait_for(lambda: "shutdown" in worker.tail(), timeout=10, what="the warm shutdown")
    dep.hold.unlink()  # the job goes on to its end
    wait_for(lambda: not worker.alive(), timeout=60, what="the worker to exit")
    assert worker.p.returncode == 0, worker.tail()
    assert dep.producer().jobs.get(job_id).state == "done"
    assert dep.counts("pose-end")[6] == 1


@pytest.mark.parametrize("to", ["group", "main process"])
def test_sigterm_past_the_grace_hands_the_job_to_another_worker(dep: Deployment, clip: Path,
                                                                to: str) -> None:
    """To the group (systemd) or to the main process only (docker, Kubernetes: the main
    process signals its pool child when the grace is over)."""
    worker, client_id, video_id, job_id = _start_held(dep, clip, 1)
    if to == "group":
        worker.kill_group(signal.SIGTERM)
    else:
        os.kill(worker.pid, signal.SIGTERM)
    wait_for(lambda: not worker.alive(), timeout=60, what="the worker to exit")
    job = dep.producer().jobs.get(job_id)
    assert (job.state, job.attempts, job.owner) == ("queued", 0, None), worker.tail()
    assert dep.counts("pose-end")[6] == 0
    dep.hold.unlink()
    dep.worker(concurrency=1)
    dep.wait_complete(client_id, [video_id])
    dep.wait_jobs({"done": 1})
    assert dep.counts("pose-end")[6] == 1 and dep.producer().jobs.get(job_id).attempts == 1
