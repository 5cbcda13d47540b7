"""The JobQueue contract (tests/service/test_jobs.py) on the Celery adapter: Redis as broker and
result backend; jobs table on PostgreSQL. The worker runs in a thread of
this process (``celery.contrib.testing``) with the same sweeper ``repstride worker`` runs."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter

import pytest
from test_jobs import test_queue_delivers_every_job_exactly_once  # the shared contract

from repstride.service.db import Database
from repstride.service.jobs.store import JobStore
from repstride.service.migrate import upgrade
from repstride.service.jobs.celery import (
    CeleryJobQueue, JobSweeper, make_celery_app, process_runner, result_backend_url,
)
from repstride.service.settings import Settings

__all__ = ["test_queue_delivers_every_job_exactly_once"]

# celery's Redis result backend calls redis-py's deprecated ``setex`` (third-party, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")


class EmbeddedCeleryQueue(CeleryJobQueue):
    """CeleryJobQueue + an in-thread worker + the sweeper: what a deployment runs, in one
    process."""

    def __init__(self, app, settings: Settings, run) -> None:  # noqa: ANN001
        super().__init__(app, queue=settings.celery_queue)
        app.repstride_run_job = run
        self.sweeper = JobSweeper(settings.resolved_database_url, self.submit,
                                  redeliver_s=settings.job_redeliver_s)
        self._worker: contextlib.ExitStack | None = None

    def start(self) -> None:
        from celery.contrib.testing.worker import start_worker

        self._worker = contextlib.ExitStack()
        self._worker.enter_context(start_worker(
            self.app, pool="solo", concurrency=1, perform_ping_check=False,
            queues=[self.queue], loglevel="WARNING", shutdown_timeout=30))
        self.sweeper.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.sweeper.stop()
        if self._worker is not None:
            self._worker.close()
            self._worker = None


@pytest.fixture
def broker_cfg(celery_cfg):  # noqa: ANN001, ANN201
    # RabbitMQ as broker is covered by a `repstride worker` subprocess in test_worker_faults.py
    # (py-amqp connections are not meant to be shared with an in-thread test worker).
    return celery_cfg


@pytest.fixture
def settings(pg_url: str, broker_cfg, tmp_path) -> Settings:  # noqa: ANN001
    return Settings(data_dir=tmp_path / "data", database_url=pg_url, queue="celery",
                    job_redeliver_s=0.5, **broker_cfg)


@pytest.fixture
def store(settings: Settings):  # noqa: ANN201
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    yield JobStore(db, lease_s=30, max_attempts=3)  # real clock: the sweeper compares ages
    db.dispose()


@pytest.fixture
def queue_factory(settings: Settings):  # noqa: ANN201
    apps = []

    def make(store: JobStore, run) -> EmbeddedCeleryQueue:  # noqa: ANN001
        app = make_celery_app(settings)
        apps.append(app)
        return EmbeddedCeleryQueue(app, settings, run)

    yield make
    for app in apps:
        app.close()


def test_app_is_json_only_with_late_acks(settings: Settings) -> None:
    app = make_celery_app(settings)
    c = app.conf
    assert (c.task_serializer, c.result_serializer, list(c.accept_content)) == ("json", "json", ["json"])
    assert c.task_acks_late and c.task_reject_on_worker_lost and c.worker_prefetch_multiplier == 1
    assert c.broker_transport_options["visibility_timeout"] == settings.celery_visibility_timeout_s
    assert c.task_default_queue == settings.celery_queue
    assert result_backend_url(settings) == (settings.result_backend or settings.broker_url)
    app.close()


def test_pickle_payloads_are_refused(settings: Settings, store: JobStore) -> None:
    """A message in any other serializer is rejected by the worker, never executed."""
    app = make_celery_app(settings)
    ran: list[str] = []
    queue = EmbeddedCeleryQueue(app, settings, ran.append)
    queue.start()
    try:
        app.send_task("repstride.run_job", args=["pickled"], queue=settings.celery_queue,
                      serializer="pickle")
        marker = store.create("k", {})
        queue.submit(marker)
        deadline = time.monotonic() + 30
        while marker not in ran and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        queue.stop()
        app.close()
    assert ran == [marker]  # the JSON one ran; the pickled one did not


def test_sweeper_resends_each_stale_job_once(settings: Settings, store: JobStore) -> None:
    sent: list[str] = []
    fresh = store.create("k", {})
    stale = store.create("k", {})
    dead = store.create("k", {})
    now = time.time()
    from sqlalchemy import update

    from repstride.service.models import Job

    with store.db.session() as s:  # age two of them; lease of "dead" expired
        s.execute(update(Job).where(Job.id == stale).values(updated_at=now - 60))
        s.execute(update(Job).where(Job.id == dead).values(
            state="running", owner="gone", lease_until=now - 1, updated_at=now - 60))
    sweepers = [JobSweeper(settings.resolved_database_url, sent.append, redeliver_s=30)
                for _ in range(4)]
    barrier = threading.Barrier(len(sweepers))

    def run(sw: JobSweeper) -> None:
        barrier.wait()
        sw.sweep()

    threads = [threading.Thread(target=run, args=(sw,)) for sw in sweepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for sw in sweepers:
        sw.stop()
    assert Counter(sent) == Counter({stale: 1, dead: 1})  # once across 4 sweepers; not fresh
    assert fresh not in sent


def test_submit_with_the_broker_down_does_not_raise(settings: Settings, store: JobStore) -> None:
    from repstride.service.settings import Settings as S

    down = S(**{**settings.model_dump(), "broker_url": "redis://127.0.0.1:1/0"})
    queue = CeleryJobQueue.from_settings(down)
    job_id = store.create("k", {})
    t0 = time.monotonic()
    queue.submit(job_id)  # logged; the sweep delivers it later
    assert time.monotonic() - t0 < 5  # the API request that enqueues must not stall
    assert store.get(job_id).state == "queued"
    queue.app.close()


def test_process_runner_is_built_once_per_process(settings: Settings) -> None:
    app = make_celery_app(settings)
    calls: list[str] = []
    app.repstride_run_job = calls.append
    assert process_runner(app) is process_runner(app)
    app.close()


def test_a_worker_process_knows_every_job_kind(settings: Settings) -> None:
    """A fresh process (no API routes imported) that initialises like a pool process can run
    the Video API's and the Running Analysis API's jobs."""
    import subprocess
    import sys

    code = ("from repstride.service.jobs.celery import make_celery_app\n"
            "from repstride.service.jobs.celery_app import init_worker_process\n"
            "from repstride.service.settings import Settings\n"
            "import json, sys\n"
            "app = make_celery_app(Settings.model_validate_json(sys.argv[1]))\n"
            "init_worker_process(app)\n"
            "print(json.dumps(sorted(app.repstride_services.runner.kinds)))\n"
            "app.repstride_services.close()\n")
    upgrade(settings.resolved_database_url)
    out = subprocess.run([sys.executable, "-c", code, settings.model_dump_json()],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    kinds = out.stdout.strip().splitlines()[-1]
    assert all(k in kinds for k in ("analyze_video", "reanalyze_video", "running_analysis"))
