"""Job-queue adapter for scale-out: Celery (broker Redis, or RabbitMQ) delivers job ids to
``repstride worker`` processes on any number of machines.

The jobs table stays the record (:class:`~repstride.service.jobs.store.JobStore`); Celery is only the
fast delivery path. That split is what makes failures harmless:

- **Duplicate deliveries are no-ops.** The task calls the same
  :meth:`~repstride.service.jobs.runner.JobRunner.run_job` as the embedded worker, which first
  *acquires* the job (one conditional UPDATE): a job that is done, failed, or leased to a live
  worker is not run again, and its result writes are keyed by video id (idempotent).
- **A worker killed mid-job (SIGKILL) loses nothing.** Tasks are ``acks_late`` with
  ``reject_on_worker_lost``: the message goes back to the broker (at once when only the pool
  process died; after the Redis *visibility timeout* when the whole worker died). Whichever
  worker gets it runs the job once the dead holder's lease has expired.
- **A lost message is sent again.** Every ``repstride worker`` runs a :class:`JobSweeper` that
  re-publishes jobs the table still holds as queued (or running with an expired lease) and that
  have not changed for ``job_redeliver_s``: a broker restarted without persistence, an enqueue
  that happened while the broker was down, a message acknowledged as a no-op while the lease
  was still held. Each resend is claimed by a conditional UPDATE, so several sweepers do not
  multiply messages; a backlog costs at most one extra (no-op) message per job and period.

Payloads are JSON (``[job_id]``); pickle is refused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, or_, pool, select, update
from sqlalchemy.engine import Engine

from repstride.service.jobs.store import QUEUED, RUNNING
from repstride.service.jobs.periodic import Periodic
from repstride.service.models import Job

if TYPE_CHECKING:
    from celery import Celery

    from repstride.service.settings import Settings

log = logging.getLogger(__name__)

#: Celery task name of ``run_job(job_id)``.
TASK_NAME = "repstride.run_job"
#: Longest pause between two sweeps (shorter when ``job_redeliver_s`` is short).
MAX_SWEEP_PERIOD_S = 10.0
#: Jobs re-sent per sweep at most (the rest wait for the next sweep).
SWEEP_BATCH = 200

RunJob = Callable[[str], Any]


def result_backend_url(settings: Settings) -> str | None:
    if settings.result_backend:
        return settings.result_backend
    if settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return settings.broker_url
    return None


def _is_redis(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in ("redis", "rediss", "unix")  # type: ignore[union-attr]


def make_celery_app(settings: Settings) -> Celery:
    """The Celery application for ``settings``: JSON only, late acks, prefetch 1, the
    ``run_job`` task registered. The task resolves its runner per process (see
    :func:`process_runner`)."""
    from celery import Celery

    backend = result_backend_url(settings)
    app = Celery("repstride", broker=settings.broker_url, backend=backend, set_as_current=False)
    transport: dict[str, Any] = {"visibility_timeout": settings.celery_visibility_timeout_s}
    backend_transport: dict[str, Any] = {}
    if settings.celery_key_prefix:
        # Isolates deployments (or test runs) sharing one Redis: every kombu key is prefixed.
        if _is_redis(settings.broker_url):
            transport["global_keyprefix"] = settings.celery_key_prefix
        if _is_redis(backend):
            backend_transport["global_keyprefix"] = settings.celery_key_prefix
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.celery_queue,
        task_create_missing_queues=True,
        broker_transport_options=transport,
        result_backend_transport_options=backend_transport,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        # Enqueue must not hang the API when the broker is away: the sweep resends.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.0,
                                   "interval_step": 0.5, "interval_max": 1.0},
        broker_connection_timeout=3.0,
        # A running job is protected by its lease; cancelling it on a broker blip wastes it.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    app.repstride_settings = settings  # type: ignore[attr-defined]
    app.repstride_run_job = None  # type: ignore[attr-defined]
    app.repstride_init = None  # type: ignore[attr-defined]

    @app.task(name=TASK_NAME, bind=True, shared=False, acks_late=True, reject_on_worker_lost=True)
    def run_job_task(self: Any, job_id: str) -> str | None:
        return process_runner(self.app)(job_id)

    return app


# --- per-process runner (the pose model and the DB pool live once per worker process) -----------

_PROCESS_LOCK = threading.Lock()


def process_runner(app: Celery) -> RunJob:
    """The ``run_job`` of this process: set explicitly (tests, the worker bootstrap of
    :mod:`repstride.service.jobs.celery_app`) or built lazily on the first task (solo / threads
    pools) by the app's ``repstride_init`` hook, which the worker app sets. This adapter never
    builds services itself: it does not know the container."""
    fn = getattr(app, "repstride_run_job", None)
    if fn is not None:
        return fn
    with _PROCESS_LOCK:
        if getattr(app, "repstride_run_job", None) is None:
            init = getattr(app, "repstride_init", None)
            if init is None:
                raise RuntimeError("this Celery app runs no repstride jobs: build it with "
                                   "repstride.service.jobs.celery_app.create_worker_app")
            init(app)
        return app.repstride_run_job  # type: ignore[attr-defined]


# --- the JobQueue port -----------------------------------------------------------------------------


class CeleryJobQueue:
    """``submit`` publishes ``run_job(job_id)``; this process runs no workers (``start``/``stop``
    do nothing), ``repstride worker`` processes do."""

    def __init__(self, app: Celery, *, queue: str) -> None:
        self.app = app
        self.queue = queue

    @classmethod
    def from_settings(cls, settings: Settings) -> CeleryJobQueue:
        return cls(make_celery_app(settings), queue=settings.celery_queue)

    def submit(self, job_id: str) -> None:
        try:
            # ignore_result: nobody waits on an AsyncResult (outcomes are in the jobs/videos
            # tables), so the API does not subscribe to result keys -- no per-task pub/sub
            # state in long-lived API processes, no stall on the result store when Redis is down.
            self.app.send_task(TASK_NAME, args=[job_id], queue=self.queue, ignore_result=True)
        except Exception:  # broker unreachable: the job is durable, a sweep resends it
            log.warning("could not publish job %s to the broker; the workers' sweep will "
                        "deliver it", job_id, exc_info=True)

    def start(self) -> None:
        """No local workers with Celery: ``repstride worker`` runs them."""

    def stop(self, timeout: float = 30.0) -> None:
        """Nothing runs here."""

    def ready(self) -> str:
        """One connection to the broker (raises when it is unreachable)."""
        with self.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return f"celery, queue {self.queue}"


# --- the sweeper --------------------------------------------------------------------------------


def _acquirable(now: float):  # noqa: ANN202
    # Same condition as JobStore.acquire: queued, or running under an expired lease.
    return or_(Job.state == QUEUED, (Job.state == RUNNING) & (Job.lease_until < now))


class JobSweeper(Periodic):
    """Re-publishes jobs whose message may be lost (see the module docstring).

    Runs as a thread in the ``repstride worker`` main process; uses its own connection per
    sweep (no pool), so nothing is inherited by the forked pool processes.
    """

    thread_name = "repstride-sweeper"

    def __init__(self, database_url: str, submit: Callable[[str], None], *,
                 redeliver_s: float, clock: Callable[[], float] = time.time) -> None:
        self.engine: Engine = create_engine(database_url, poolclass=pool.NullPool)
        self.submit = submit
        self.redeliver_s = redeliver_s
        self.clock = clock
        self.period_s = min(MAX_SWEEP_PERIOD_S, max(0.2, redeliver_s / 2))
        super().__init__()

    def sweep(self) -> list[str]:
        """One pass: claim and re-publish stale acquirable jobs. Returns their ids."""
        now = self.clock()
        stale = _acquirable(now) & (Job.updated_at < now - self.redeliver_s)
        claimed: list[str] = []
        with self.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(
                select(Job.id).where(stale).order_by(Job.created_at).limit(SWEEP_BATCH))]
            for job_id in ids:
                res = conn.execute(update(Job).where(Job.id == job_id, stale)
                                   .values(updated_at=now))
                if res.rowcount == 1:
                    claimed.append(job_id)
        for job_id in claimed:
            self.submit(job_id)
        if claimed:
            log.info("re-sent %d job(s) whose delivery may have been lost", len(claimed))
        return claimed

    step = sweep

    def stop(self) -> None:
        super().stop()
        self.engine.dispose()


__all__ = ["CeleryJobQueue", "JobSweeper", "TASK_NAME", "make_celery_app", "process_runner",
           "result_backend_url"]
