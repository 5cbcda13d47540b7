"""Shared by the fault tests: a deployment on this machine (PostgreSQL schema, Celery queue on
Redis, a data dir), the producer side in-process, ``repstride worker`` subprocesses running
:class:`scale_fakes.HeldPipeline`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scale_fakes import read_events
from scale_helpers import Proc, scale_env, start_worker, wait_for
from svc_helpers import FastPipeline

from repstride.service import Services, Settings, build_services
from repstride.service.videos.service import VideoCreate


@dataclass
class Deployment:
    tmp: Path
    settings: dict[str, Any]
    procs: list[Proc]
    services: Services | None = None
    n_logs: int = 0
    clients: dict[str, Any] = field(default_factory=dict)

    @property
    def events(self) -> Path:
        return self.tmp / "events.jsonl"

    @property
    def hold(self) -> Path:
        return self.tmp / "hold"

    def env(self, **extra: Any) -> dict[str, str]:
        return scale_env(**{**self.settings, **extra}, REPSTRIDE_TEST_EVENTS=self.events,
                         REPSTRIDE_TEST_HOLD=self.hold)

    def producer(self, **extra: Any) -> Services:
        """The API side in this process (enqueues through Celery, runs no workers)."""
        if self.services is None:
            self.services = build_services(Settings(**{**self.settings, **extra}),
                                           pipeline=FastPipeline())
        return self.services

    def worker(self, *, concurrency: int = 1, **extra: Any) -> Proc:
        self.n_logs += 1
        p = start_worker(self.env(**extra), self.tmp / f"worker{self.n_logs}.log",
                         concurrency=concurrency)
        self.procs.append(p)
        return p

    def upload(self, clip: Path) -> tuple[str, str, str]:
        """Create + store + mark uploaded (enqueues); returns (client id, video id, job id)."""
        s = self.producer()
        client = self.clients.get("c") or s.clients.create("faults")
        self.clients["c"] = client
        video, _ = s.videos.create(client.id, VideoCreate(filename=clip.name,
                                                          size=clip.stat().st_size),
                                   base_url="http://x")
        s.blobs.put_file(video.video_key, clip)
        return client.id, video.id, s.videos.upload_received(video.id, clip.stat().st_size)

    def wait_complete(self, client_id: str, video_ids: list[str], *, timeout: float = 90) -> None:
        s = self.producer()

        def done() -> bool:
            return all(s.videos.get(client_id, v).analysis_status == "Complete"
                       for v in video_ids)

        wait_for(done, timeout=timeout, what=f"{len(video_ids)} video(s) to be Complete",
                 interval=0.1)

    def wait_jobs(self, want: dict[str, int], *, timeout: float = 30) -> None:
        """Wait until the job table holds exactly ``want``: a video's analysis is written (and
        visible) before its job finishes the artifact steps and is marked done."""
        jobs = self.producer().jobs
        wait_for(lambda: jobs.counts() == want, timeout=timeout,
                 what=f"the job table to hold {want}", interval=0.1)

    def counts(self, event: str) -> Counter[int]:
        """How often ``event`` happened per clip (clips are told apart by frame count)."""
        return Counter(e["frames"] for e in read_events(self.events) if e["event"] == event)

    def close(self) -> None:
        if self.services is not None:
            self.services.queue.app.close()
            self.services.close()


def deployment_settings(tmp: Path, pg_url: str, celery_cfg: dict[str, Any]) -> dict[str, Any]:
    return {"data_dir": tmp / "data", "database_url": pg_url, "secret_key": "s" * 32,
            "queue": "celery", "pipeline": "scale_fakes:HeldPipeline",
            # short lease / redelivery so that a dead worker's job is retried within seconds
            "job_lease_s": 2, "job_redeliver_s": 1, "celery_visibility_timeout_s": 30,
            **celery_cfg}
