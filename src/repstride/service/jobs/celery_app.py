"""Celery worker wiring: ``repstride worker`` (or ``celery -A repstride.service.jobs.celery_app
worker``) runs :data:`TASK_NAME` tasks with the same ``run_job(job_id)`` as the embedded worker.

Per process (prefork child): its own services (database pool, blob client, pipeline), built in
``worker_process_init`` after the fork by :func:`init_worker_process`, with the pose model loaded
before the first job. The worker's main process runs the
:class:`~repstride.service.jobs.celery.JobSweeper`. The bootstrap lives here, with the worker
app, so the queue adapter (:mod:`repstride.service.jobs.celery`, which the container imports)
never imports the container. The main process also schedules the retention sweep
(:class:`~repstride.service.retention.RetentionScheduler`) and, on SIGTERM, hands back the jobs
still running after ``shutdown_grace_s`` (:data:`DRAIN_SIGNAL` to the pool children).
"""

from __future__ import annotations

import logging
import os
import signal as _signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from repstride.service.container import build_services
from repstride.service.db import Database
from repstride.service.jobs.celery import TASK_NAME, CeleryJobQueue, JobSweeper, make_celery_app
from repstride.service.jobs.store import JobStore
from repstride.service.retention import RetentionScheduler

if TYPE_CHECKING:
    from celery import Celery

    from repstride.service.settings import Settings

log = logging.getLogger(__name__)

#: Sent by a worker's main process to its prefork children when the shutdown grace period is
#: over (Celery itself uses SIGTERM, SIGINT, SIGQUIT and SIGUSR1; SIGUSR2 only on request).
DRAIN_SIGNAL = _signal.SIGUSR2


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
    app.repstride_run_job = _installing_drain(services)  # type: ignore[attr-defined]


def _installing_drain(services: Any) -> Callable[[str], Any]:
    """``run_job`` that installs the drain handlers (:func:`_drain_on`) at its first call: a
    prefork child's handlers are reset by billiard after the initializer, before any task."""
    installed: list[bool] = []

    def run_job(job_id: str) -> Any:
        if not installed:
            installed.append(True)
            _drain_on(DRAIN_SIGNAL, services)
        return services.runner.run_job(job_id)

    return run_job


def _drain_on(signum: int, services: Any) -> None:
    """In a prefork child: ``signum`` (sent by the main process when the shutdown grace period
    is over) interrupts the running job; it is released, or its lease is released for it. A
    SIGTERM reaching the child itself (sent to the whole process group, as systemd does) starts
    the same drain after ``shutdown_grace_s`` instead of killing the job; a second one kills."""
    import signal

    def drain(grace_s: float) -> None:
        threading.Thread(target=services.runner.drain, args=(grace_s,), daemon=True,
                         name="repstride-drain").start()

    def on_drain(_signum: int, _frame: object) -> None:
        drain(0.0)

    def on_term(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        log.info("pool process %d: SIGTERM, draining (grace %g s)", os.getpid(),
                 services.settings.shutdown_grace_s)
        drain(services.settings.shutdown_grace_s)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signum, on_drain)
        signal.signal(signal.SIGTERM, on_term)


def _on_shutdown_after_grace(app: Celery, settings: Settings, pool_pids: Callable[[], list[int]]
                             ) -> None:
    """SIGTERM (Celery's warm shutdown: no new task, the running ones finish): after
    ``shutdown_grace_s`` hand back what still runs. A solo / threads pool runs the jobs in
    this process (drained here); prefork children get :data:`DRAIN_SIGNAL`."""
    services = getattr(app, "repstride_services", None)
    if services is not None:
        services.runner.drain(settings.shutdown_grace_s)
        return
    time.sleep(settings.shutdown_grace_s)
    for pid in pool_pids():
        try:
            os.kill(pid, DRAIN_SIGNAL)
        except ProcessLookupError:  # finished its job and left meanwhile
            continue


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

    def on_ready(sender: Any = None, **_: Any) -> None:  # the main process, once the pool runs
        state["consumer"] = sender
        queue = CeleryJobQueue(app, queue=settings.celery_queue)
        sweeper = JobSweeper(settings.resolved_database_url, queue.submit,
                             redeliver_s=settings.job_redeliver_s)
        sweeper.start()
        state["sweeper"] = sweeper
        if settings.retention.enabled:
            scheduler = RetentionScheduler(
                JobStore(Database(settings.resolved_database_url, pool_size=1, max_overflow=1)),
                queue.submit, interval_s=settings.retention.sweep_interval_s)
            scheduler.start()
            state["retention"] = scheduler

    def pool_pids() -> list[int]:
        pool = getattr(state.get("consumer"), "pool", None)
        info = pool.info if pool is not None else {}
        return [int(p) for p in (info.get("processes") or []) if int(p) != os.getpid()]

    def on_shutting_down(**_: Any) -> None:  # the main process, at SIGTERM
        threading.Thread(target=_on_shutdown_after_grace, args=(app, settings, pool_pids),
                         daemon=True, name="repstride-grace").start()

    def on_shutdown(**_: Any) -> None:
        sweeper = state.pop("sweeper", None)
        if sweeper is not None:
            sweeper.stop()
        scheduler = state.pop("retention", None)
        if scheduler is not None:
            scheduler.stop()
            scheduler.jobs.db.dispose()

    signals.worker_process_init.connect(on_process_init, weak=False)
    signals.worker_ready.connect(on_ready, weak=False)
    signals.worker_shutting_down.connect(on_shutting_down, weak=False)
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
