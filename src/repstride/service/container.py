"""Wiring: :func:`build_services` turns one :class:`Settings` into the service objects."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from repstride.service.auth import ClientService
from repstride.service.blobs.local import BlobStore, LocalBlobStore
from repstride.service.credits import CreditLedger
from repstride.service.db import Database
from repstride.service.jobs.store import JobQueue, JobStore, LocalJobQueue
from repstride.service.security import Signer, load_or_create_key
from repstride.service.settings import Settings
from repstride.service.videos.service import VideoService
from repstride.service.videos.jobs import JobRunner, Pipeline, load_pipeline

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    jobs: JobStore
    clients: ClientService
    credits: CreditLedger
    videos: VideoService
    pipeline: Pipeline
    clock: Callable[[], float] = time.time
    queue: JobQueue = field(init=False)
    runner: JobRunner = field(init=False)

    def start_workers(self) -> None:
        self.queue.start()

    def stop_workers(self, timeout: float = 30.0) -> None:
        """Interrupt running jobs (released back to the queue, not failed) and join."""
        self.runner.interrupt.set()
        self.queue.stop(timeout)
        self.runner.interrupt.clear()

    def close(self) -> None:
        self.stop_workers()
        self.db.dispose()


def build_services(settings: Settings, *, pipeline: Pipeline | None = None, migrate: bool = True,
                   clock: Callable[[], float] = time.time) -> Services:
    """Everything ``repstride serve`` runs on; ``migrate`` applies pending migrations first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if migrate:
        from repstride.service.migrate import upgrade

        upgrade(url)
    db = Database(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                  pool_recycle=settings.db_pool_recycle_s)
    key = (settings.secret_key.get_secret_value().encode() if settings.secret_key
           else load_or_create_key(settings.data_dir / "secret_key"))
    video_service: type[VideoService] = VideoService
    if settings.blob_store == "s3":
        from repstride.service.blobs.s3 import DirectUploadVideoService, S3BlobStore

        blobs: BlobStore = S3BlobStore.from_settings(settings)
        video_service = DirectUploadVideoService  # detects finished direct uploads on reads
    else:
        blobs = LocalBlobStore(settings.blob_dir, Signer(key), clock=clock)
    jobs = JobStore(db, lease_s=settings.job_lease_s, max_attempts=settings.job_max_attempts,
                    clock=clock)
    services = Services(
        settings=settings, db=db, blobs=blobs, jobs=jobs,
        clients=ClientService(db, token_ttl_s=settings.token_ttl_s,
                              rate_per_minute=settings.token_rate_per_minute, clock=clock),
        credits=CreditLedger(db, clock=clock),
        videos=video_service(db, blobs, jobs, submit=lambda job_id: services.queue.submit(job_id),
                            settings=settings, clock=clock),
        pipeline=pipeline if pipeline is not None else load_pipeline(settings.pipeline),
        clock=clock,
    )
    services.runner = JobRunner(services)
    if settings.queue == "celery":
        # Delivery through the broker; `repstride worker` processes run the jobs.
        from repstride.service.jobs.celery import CeleryJobQueue

        services.queue = CeleryJobQueue.from_settings(settings)
    else:
        services.queue = LocalJobQueue(jobs, services.runner.run_job, workers=settings.workers,
                                       poll_s=settings.job_poll_s)
    return services
