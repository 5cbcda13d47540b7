"""Celery worker wiring: ``repstride worker`` (or ``celery -A repstride.service.jobs.celery_app
worker``) runs :data:`TASK_NAME` tasks with the same ``run_job(job_id)`` as the embedded worker.

Per process (prefork child): its own services (database pool, blob client, pipeline), built in
``worker_process_init`` after the fork, with the pose model loaded before the first job. The
worker's main process runs the :class:`~repstride.service.jobs.celery.JobSweeper`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from repstride.service.jobs.celery import (
    TASK_NAME, CeleryJobQueue, JobSweeper, init_worker_process, make_celery_app,
)

if TYPE_CHECKING:
    from celery import Celery

    from repstride.service.settings import Settings

log = logging.getLogger(__name__)


def create_worker_app(settings: Settings) -> Celery:
    """A Celery app whose worker processes build their services at start and whose main
    process sweeps for lost deliveries."""
    from celery import signals

    app = make_celery_app(settings)
    state: dict[str, Any] = {}

    def on_process_init(**_: Any) -> None:  # a prefork child, right after the fork
        init_worker_process(app)

    def on_ready(**_: Any) -> None:  # the main process, once the pool runs
        queue = CeleryJobQueue(app, queue=settings.celery_queue)
        sweeper = JobSweeper(settings.resolved_database_url, queue.submit,
                             redeliver_s=settings.job_redeliver_s)
        sweeper.start()
        state["sweeper"] = sweeper

    def on_shutdown(**_: Any) -> None:
        sweeper = state.pop("sweeper", None)
        if sweeper is not None:
            sweeper.stop()

    signals.worker_process_init.connect(on_process_init, weak=False)
    signals.worker_ready.connect(on_ready, weak=False)
    signals.worker_shutdown.connect(on_shutdown, weak=False)
    return app


def worker_argv(settings: Settings, *, loglevel: str = "INFO", pool: str = "prefork",
                hostname: str | None = None) -> list[str]:
    argv = ["worker", f"--concurrency={settings.worker_concurrency}",
            f"--queues={settings.celery_queue}", f"--loglevel={loglevel}", f"--pool={pool}",
            "--without-gossip", "--without-mingle"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    return argv


def __getattr__(name: str) -> Any:
    # ``celery -A repstride.service.jobs.celery_app worker`` looks up ``app``: built on first access
    # from the environment, so importing this module reads nothing.
    if name in ("app", "celery"):
        from repstride.service.settings import load_settings

        app = create_worker_app(load_settings())
        globals()["app"] = globals()["celery"] = app
        return app
    raise AttributeError(name)


__all__ = ["TASK_NAME", "create_worker_app", "worker_argv"]
