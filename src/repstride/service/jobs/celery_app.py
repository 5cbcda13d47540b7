"""Celery worker wiring: ``repstride worker`` (or ``celery -A repstride.service.jobs.celery_app
worker``) runs :data:`TASK_NAME` tasks with the same ``run_job(job_id)`` as the embedded worker.

Per process (prefork child): its own services (database pool, blob client, pipeline), built in
``worker_process_init`` after the fork by :func:`init_worker_process`, with the pose model loaded
before the first job. The worker's main process runs the
:class:`~repstride.service.jobs.celery.JobSweeper`. The bootstrap lives here, with the worker
app, so the queue adapter (:mod:`repstride.service.jobs.celery`, which the container imports)
never imports the container.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from repstride.service.container import build_services
from repstride.service.jobs.celery import TASK_NAME, CeleryJobQueue, JobSweeper, make_celery_app

if TYPE_CHECKING:
    from celery import Celery

    from repstride.service.settings import Settings

log = logging.getLogger(__name__)


def init_worker_process(app: Celery) -> None:
    """Build this process's services (its own DB pool, blob client, pipeline; the job kinds are
    registered by the container) and load the pose model. Called from Celery's
    ``worker_process_init`` in each prefork child, so nothing opened in the parent is shared
    across a fork, or on the first task of a solo / threads pool."""
    settings = app.repstride_settings  # type: ignore[attr-defined]
    services = build_services(settings, migrate=False)
    try:  # jobs of a worker process of this host that was killed: deliver them again now
        for job_id in services.jobs.reclaim_dead_local():
            services.queue.submit(job_id)
    except Exception:
        log.exception("could not look for jobs held by dead processes")
    warm_up(services.pipeline)
    app.repstride_services = services  # type: ignore[attr-defined]
    app.repstride_run_job = services.runner.run_job  # type: ignore[attr-defined]


def warm_up(pipeline: object) -> None:
    """Load the pose model before the first job (imports, TFLite runtime, model files): the
    pipeline's own ``warm_up`` when it has one (``RealPipeline`` does)."""
    hook = getattr(pipeline, "warm_up", None)
    if callable(hook):
        hook()


def create_worker_app(settings: Settings) -> Celery:
    """A Celery app whose worker processes build their services at start and whose main
    process sweeps for lost deliveries."""
    from celery import signals

    app = make_celery_app(settings)
    app.repstride_init = init_worker_process  # type: ignore[attr-defined]
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


__all__ = ["TASK_NAME", "create_worker_app", "init_worker_process", "warm_up", "worker_argv"]
