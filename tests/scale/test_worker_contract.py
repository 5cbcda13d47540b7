"""``run_job`` (tests/service/test_video_jobs.py) on the production adapters together: PostgreSQL,
S3 (moto server) for every blob the worker reads and writes, and the Celery queue for every
submit. Plus the direct-upload completion detection of :class:`DirectUploadVideoService`."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests
import test_video_jobs as _contract
from svc_helpers import FastPipeline, make_video

from repstride.service import Settings, build_services
from repstride.service.blobs.s3 import DirectUploadVideoService, S3BlobStore
from repstride.service.jobs.celery import CeleryJobQueue
from repstride.service.videos.service import VideoCreate

# The shared run_job contract, every test of it (new ones included), collected again here on
# these adapters, with its module fixture ``clip``.
clip = _contract.clip
for _name in dir(_contract):
    if _name.startswith("test_"):
        globals()[_name] = getattr(_contract, _name)


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pipeline() -> FastPipeline:
    return FastPipeline()


@pytest.fixture
def settings(pg_url, s3_endpoint, s3_bucket, celery_cfg, tmp_path: Path) -> Settings:  # noqa: ANN001
    return Settings(data_dir=tmp_path / "data", database_url=pg_url, workers=0, job_lease_s=60,
                    secret_key="k" * 32, queue="celery", blob_store="s3", s3_bucket=s3_bucket,
                    s3_endpoint_url=s3_endpoint, **celery_cfg)


@pytest.fixture
def services(settings: Settings, pipeline: FastPipeline, clock: Clock):  # noqa: ANN201
    s = build_services(settings, pipeline=pipeline, clock=clock)
    yield s
    s.queue.app.close()
    s.close()


def test_factory_selects_the_scale_out_adapters(services) -> None:  # noqa: ANN001
    assert isinstance(services.blobs, S3BlobStore)
    assert isinstance(services.queue, CeleryJobQueue)
    assert isinstance(services.videos, DirectUploadVideoService)
    assert services.db.engine.dialect.name == "postgresql"
    pool = services.db.engine.pool
    assert pool.size() == services.settings.db_pool_size and pool._pre_ping


def _create(services, clip: Path):  # noqa: ANN001, ANN202
    client = services.clients.create("app")
    video, post = services.videos.create(
        client.id, VideoCreate(filename=clip.name, size=clip.stat().st_size), base_url="http://x")
    return client, video, post


def test_upload_is_detected_on_poll_and_enqueued_once(services, clip: Path) -> None:  # noqa: ANN001
    client, video, post = _create(services, clip)
    assert post.url.startswith(services.settings.s3_endpoint_url)
    assert services.videos.get(client.id, video.id).status == "Pending"  # HEAD: not there yet
    assert services.jobs.counts() == {}
    with open(clip, "rb") as f:  # the seed's snippet
        r = requests.post(post.url, data=post.fields, files={"file": f}, timeout=30)
    assert r.status_code == 204
    # Eight API requests polling at once (threads, each its own DB connection): one job.
    barrier = threading.Barrier(8)
    seen: list[str] = []

    def poll() -> None:
        barrier.wait()
        seen.append(services.videos.get(client.id, video.id).status)

    threads = [threading.Thread(target=poll) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == ["Success"] * 8
    assert services.jobs.counts() == {"queued": 1}
    (job_id,) = services.jobs.ready_ids()
    assert services.runner.run_job(job_id) == "done"
    v = services.videos.get(client.id, video.id)
    assert (v.analysis_status, v.size) == ("Complete", clip.stat().st_size)
    assert services.jobs.counts() == {"done": 1}


def test_larger_upload_than_declared_is_refused(services, tmp_path: Path) -> None:  # noqa: ANN001
    small = make_video(tmp_path / "s.mp4", 3)
    client, video, post = _create(services, small)
    big = make_video(tmp_path / "b.mp4", 40)
    assert big.stat().st_size > small.stat().st_size
    # moto does not enforce content-length-range (S3 does); the API must not analyse it anyway.
    with open(big, "rb") as f:
        requests.post(post.url, data=post.fields, files={"file": f}, timeout=30)
    v = services.videos.get(client.id, video.id)
    assert (v.status, v.reason) == ("Failed", "file_too_large")
    assert services.jobs.counts() == {} and not services.blobs.exists(video.video_key)


def test_store_outage_keeps_the_video_pending(services, clip: Path, monkeypatch) -> None:  # noqa: ANN001
    client, video, _ = _create(services, clip)

    def down(key: str) -> int:
        raise ConnectionError("s3 unreachable")

    monkeypatch.setattr(services.blobs, "head_size", down)
    v = services.videos.get(client.id, video.id)
    assert v.status == "Pending"
    assert services.videos.analysis_wire(v)["status"] == "Pending"  # never a transient error
