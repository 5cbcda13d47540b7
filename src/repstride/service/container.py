"""Wiring: :func:`build_services` turns one :class:`Settings` into the service objects.

This is the one place that knows every part: the job kinds of both APIs
(``VIDEO_JOB_KINDS``, ``RUNNING_JOB_KINDS``) are given to the runner here, the Video API's
overlay renderers (``ARTIFACT_STEPS``) and the Running Analysis API's service and pipeline are
installed here. Nothing imports this module but the entry points (CLI, app factory, the Celery
worker bootstrap), so the parts never import each other through it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from repstride.service.auth import ClientService
from repstride.service.blobs.local import LocalBlobStore
from repstride.service.blobs.port import BlobStore
from repstride.service.credits import CreditLedger
from repstride.service.quotas import Quotas
from repstride.service.db import Database, count_by
from repstride.service.jobs.store import JobQueue, JobStore, LocalJobQueue
from repstride.service.observability import Metrics, log_event
from repstride.service.security import Signer, load_or_create_key
from repstride.service.settings import Settings
from repstride.service.jobs.runner import INTERRUPT_WAIT_S, JobRunner
from repstride.service.retention import RETENTION_JOB_KINDS
from repstride.service.running.jobs import RUNNING_JOB_KINDS, RealRunningPipeline
from repstride.service.running.service import RunningService
from repstride.service.videos.jobs import (
    ARTIFACT_STEPS, VIDEO_JOB_KINDS, ArtifactStep, Pipeline, load_pipeline,
)
from repstride.service.videos.events import notify_video
from repstride.service.videos.service import VideoService
from repstride.service.webhooks.models import WebhookDelivery
from repstride.service.webhooks.service import WebhookService

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
    #: per-client limits on new analyses (``REPSTRIDE_QUOTA_*``)
    quotas: Quotas
    clock: Callable[[], float] = time.time
    #: the Video API's overlay renderers, run in order after an analysis
    artifact_steps: tuple[ArtifactStep, ...] = ARTIFACT_STEPS
    queue: JobQueue = field(init=False)
    runner: JobRunner = field(init=False)
    #: request, job and table metrics (``/metrics``), one registry per Services
    metrics: Metrics = field(init=False)
    webhooks: WebhookService = field(init=False)
    running: RunningService = field(init=False)
    #: The webhook sender thread (``service.webhooks.sender.WebhookDispatcher``), once started.
    webhook_dispatcher: Any = field(default=None, init=False, repr=False)
    #: Queues the retention sweep periodically (``service.retention``), once started.
    retention_scheduler: Any = field(default=None, init=False, repr=False)

    def start_workers(self) -> None:
        """The job workers and the webhook sender thread (``service.webhooks.sender``)."""
        from repstride.service.webhooks.sender import WebhookDispatcher, WebhookSender

        self.queue.start()
        if self.settings.retention.enabled and self.settings.queue == "local":
            # with Celery, `repstride worker` schedules the sweep (service.jobs.celery_app)
            from repstride.service.retention import RetentionScheduler

            if self.retention_scheduler is None:
                self.retention_scheduler = RetentionScheduler.for_services(self)
            self.retention_scheduler.start()
        if self.webhook_dispatcher is None:
            self.webhook_dispatcher = WebhookDispatcher(WebhookSender(self.webhooks))
        self.webhook_dispatcher.start()

    def stop_workers(self, grace_s: float | None = None) -> None:
        """Graceful shutdown (SIGTERM): take no new job, let the running ones finish within
        ``grace_s`` (default ``settings.shutdown_grace_s``), hand the rest back to the queue
        (released, not failed: another worker or the next start runs them at once), join."""
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        if self.retention_scheduler is not None:
            self.retention_scheduler.stop()
        self.runner.draining.set()
        if running := self.runner.active():
            log_event(log, "shutdown: waiting for running jobs", jobs=",".join(running),
                      grace_s=grace)
        self.queue.stop(grace)  # idle worker threads leave at once, busy ones after their job
        self.runner.drain(0.0)  # what still runs is interrupted, then released
        self.queue.stop(INTERRUPT_WAIT_S)
        self.runner.resume()
        if self.webhook_dispatcher is not None:
            self.webhook_dispatcher.stop(max(grace, 1.0))

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
    if settings.blob_store == "s3":
        from repstride.service.blobs.s3 import S3BlobStore

        blobs: BlobStore = S3BlobStore.from_settings(settings)
    else:
        blobs = LocalBlobStore(settings.blob_dir, Signer(key), clock=clock)
    jobs = JobStore(db, lease_s=settings.job_lease_s, max_attempts=settings.job_max_attempts,
                    clock=clock)
    quotas = Quotas(db, settings.quotas, clock=clock)
    services = Services(
        settings=settings, db=db, blobs=blobs, jobs=jobs, quotas=quotas,
        clients=ClientService(db, token_ttl_s=settings.token_ttl_s,
                              rate_per_minute=settings.token_rate_per_minute, clock=clock,
                              auth_cache_s=settings.auth_cache_s),
        credits=CreditLedger(db, clock=clock),
        videos=VideoService(db, blobs, jobs, submit=lambda job_id: services.queue.submit(job_id),
                           settings=settings, quotas=quotas, clock=clock,
                           notify=lambda s, vid, event: notify_video(services.webhooks, s, vid,
                                                                     event)),
        pipeline=pipeline if pipeline is not None else load_pipeline(settings.pipeline),
        clock=clock,
    )
    services.metrics = Metrics(jobs=jobs.counts,
                               deliveries=lambda: count_by(db, WebhookDelivery.state))
    services.webhooks = WebhookService(services, settings.webhooks)
    services.running = RunningService(services, settings.running, RealRunningPipeline())
    services.runner = JobRunner(services, {**VIDEO_JOB_KINDS, **RUNNING_JOB_KINDS,
                                           **RETENTION_JOB_KINDS})
    if settings.queue == "celery":
        # Delivery through the broker; `repstride worker` processes run the jobs.
        from repstride.service.jobs.celery import CeleryJobQueue

        services.queue = CeleryJobQueue.from_settings(settings)
    else:
        services.queue = LocalJobQueue(jobs, services.runner.run_job, workers=settings.workers,
                                       poll_s=settings.job_poll_s)
    return services
