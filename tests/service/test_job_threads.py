"""Threads per pose-model call are decided by the worker from its current load: the jobs that
workers on this machine hold right now (every process), this one included."""

from __future__ import annotations

from pathlib import Path

import pytest
from svc_helpers import make_video

from repstride.pose.extract import auto_threads, model_threads, usable_cores
from repstride.service.videos.service import VideoCreate


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c.mp4", 6)


def _job(services, path: Path) -> str:  # noqa: ANN001
    client = services.clients.create("app")
    video, _ = services.videos.create(
        client.id, VideoCreate(filename=path.name, size=path.stat().st_size), base_url="http://t")
    services.blobs.put_file(video.video_key, path)
    return services.videos.upload_received(video.id, path.stat().st_size)


def _record_threads(pipeline, seen: list[int]) -> None:  # noqa: ANN001
    real = pipeline.pose

    def pose(path, *, progress=None):  # noqa: ANN001, ANN202
        seen.append(auto_threads())  # what extract_pose(num_threads=None) would use
        return real(path, progress=progress)

    pipeline.pose = pose


def test_a_lone_job_uses_every_core(services, pipeline, clip) -> None:  # noqa: ANN001
    seen: list[int] = []
    _record_threads(pipeline, seen)
    assert services.runner.run_job(_job(services, clip)) == "done"
    assert seen == [usable_cores()]


def test_beside_jobs_of_other_worker_processes_the_cores_are_shared(services, pipeline,
                                                                     clip) -> None:  # noqa: ANN001
    host = services.runner.host
    others = [_job(services, clip) for _ in range(3)]
    # two other worker processes on this machine hold a job each; one elsewhere does not count
    assert services.jobs.acquire(others[0], f"{host}:1111:aaaa") is not None
    assert services.jobs.acquire(others[1], f"{host}:2222:bbbb") is not None
    assert services.jobs.acquire(others[2], "another-machine:1:cccc") is not None
    assert services.jobs.running_on(f"{host}:") == 2
    seen: list[int] = []
    _record_threads(pipeline, seen)
    assert services.runner.run_job(_job(services, clip)) == "done"
    assert seen == [max(1, usable_cores() // 3)]
    assert auto_threads() == usable_cores()  # outside a job: this process's own count again


def test_model_threads_hint_is_scoped() -> None:
    with model_threads(1):
        assert auto_threads() == 1
        with model_threads(None):
            assert auto_threads() == usable_cores()
    assert auto_threads(jobs=usable_cores() + 1) == 1
