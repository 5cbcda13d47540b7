"""Job store (leases, retries, JSON payloads) on SQLite and PostgreSQL, and the JobQueue
contract parametrized over adapters (the Celery adapter adds a param)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from repstride.service.db import Database
from repstride.service.jobs.store import JobQueue, JobStore, LocalJobQueue
from repstride.service.migrate import upgrade


@pytest.fixture
def store(db_url: str, clock):  # noqa: ANN001, ANN201
    upgrade(db_url)
    db = Database(db_url)
    yield JobStore(db, lease_s=30, max_attempts=3, clock=clock)
    db.dispose()


def test_args_must_be_plain_json(store: JobStore) -> None:
    with pytest.raises(TypeError):
        store.create("k", {"obj": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.create("k", {"t": (1, 2)})  # a tuple would come back as a list
    job_id = store.create("k", {"video_id": "abc", "rev": 2})
    assert store.get(job_id).args == {"video_id": "abc", "rev": 2}


def test_acquire_is_exclusive(store: JobStore) -> None:
    job_id = store.create("k", {})
    assert store.acquire(job_id, "w1") is not None
    assert store.acquire(job_id, "w2") is None
    assert store.ready_ids() == []


def test_concurrent_acquire_has_one_winner(store: JobStore) -> None:
    job_id = store.create("k", {})
    wins: list[str] = []
    barrier = threading.Barrier(8)

    def grab(i: int) -> None:
        barrier.wait()
        if store.acquire(job_id, f"w{i}") is not None:
            wins.append(f"w{i}")

    threads = [threading.Thread(target=grab, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


def test_expired_lease_is_retried_by_another_worker(store: JobStore, clock) -> None:  # noqa: ANN001
    job_id = store.create("k", {})
    store.acquire(job_id, "dead-worker")
    clock.advance(29)
    assert store.acquire(job_id, "w2") is None  # lease still valid
    clock.advance(2)
    assert store.ready_ids() == [job_id]
    job = store.acquire(job_id, "w2")
    assert job is not None and job.attempts == 2 and job.owner == "w2"
    assert not store.complete(job_id, "dead-worker")  # the dead one cannot finish it any more
    assert store.complete(job_id, "w2")
    assert store.get(job_id).state == "done"


def test_heartbeat_keeps_the_lease(store: JobStore, clock) -> None:  # noqa: ANN001
    job_id = store.create("k", {})
    store.acquire(job_id, "w1")
    for _ in range(5):
        clock.advance(20)
        assert store.heartbeat(job_id, "w1")
    assert store.acquire(job_id, "w2") is None


def test_fail_retries_until_max_attempts(store: JobStore) -> None:
    job_id = store.create("k", {})
    for attempt in (1, 2):
        assert store.acquire(job_id, "w").attempts == attempt
        assert store.fail(job_id, "w", "boom", retry=True)
    store.acquire(job_id, "w")
    assert not store.fail(job_id, "w", "boom", retry=True)
    rec = store.get(job_id)
    assert (rec.state, rec.attempts, rec.error) == ("failed", 3, "boom")


def test_permanent_failure_is_not_retried(store: JobStore) -> None:
    job_id = store.create("k", {})
    store.acquire(job_id, "w")
    assert not store.fail(job_id, "w", "bad input", retry=False)
    assert store.get(job_id).state == "failed"


def test_release_does_not_count_an_attempt(store: JobStore) -> None:
    job_id = store.create("k", {})
    store.acquire(job_id, "w")
    assert store.release(job_id, "w")
    rec = store.get(job_id)
    assert (rec.state, rec.attempts) == ("queued", 0)


# --- JobQueue contract -------------------------------------------------------------------------


def _local_queue(store: JobStore, run) -> JobQueue:  # noqa: ANN001
    return LocalJobQueue(store, run, workers=3, poll_s=0.05)


@pytest.fixture(params=[_local_queue], ids=["local"])
def queue_factory(request):  # noqa: ANN001, ANN201
    return request.param


def test_queue_delivers_every_job_exactly_once(store: JobStore, queue_factory) -> None:  # noqa: ANN001
    seen: Counter[str] = Counter()
    lock = threading.Lock()
    all_done = threading.Event()
    n = 25

    def run(job_id: str) -> None:
        job = store.acquire(job_id, "test")
        if job is None:
            return
        with lock:
            seen[job.args["i"]] += 1
            if len(seen) == n:
                all_done.set()
        store.complete(job_id, "test")

    queue = queue_factory(store, run)
    assert isinstance(queue, JobQueue)
    ids = [store.create("k", {"i": str(i)}) for i in range(10)]  # queued before start: durable
    queue.start()
    try:
        for i in range(10, n):
            ids.append(store.create("k", {"i": str(i)}))
            queue.submit(ids[-1])
        assert all_done.wait(30)
    finally:
        queue.stop()
    assert seen == Counter({str(i): 1 for i in range(n)})
    assert {store.get(j).state for j in ids} == {"done"}


# --- leases: a live worker keeps its job, a dead one's job comes back at once ------------------


def test_jobs_of_dead_processes_of_this_host_are_reclaimed(store: JobStore) -> None:
    import os
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that existed and is gone
    host = socket.gethostname()
    dead = store.create("k", {"n": "dead"})
    alive = store.create("k", {"n": "alive"})
    remote = store.create("k", {"n": "remote"})
    legacy = store.create("k", {"n": "legacy"})
    store.acquire(dead, f"{host}:{gone.pid}:abcd1234")
    store.acquire(alive, f"{host}:{os.getppid()}:abcd1234")
    store.acquire(remote, f"other-host-{host}:{gone.pid}:abcd1234")
    store.acquire(legacy, "w1")
    assert store.reclaim_dead_local() == [dead]
    rec = store.get(dead)
    assert (rec.state, rec.owner, rec.attempts) == ("queued", None, 1)
    assert {store.get(j).state for j in (alive, remote, legacy)} == {"running"}
    assert store.ready_ids() == [dead]


def test_a_job_longer_than_its_lease_on_a_live_worker_runs_once(db_url: str) -> None:
    """The heartbeat renews the lease: another worker asking for the job all along never gets
    it, although the job runs for five leases."""
    import time
    from types import SimpleNamespace

    from repstride.service.jobs.runner import JobKind, JobRunner
    from repstride.service.observability import Metrics

    upgrade(db_url)
    db = Database(db_url)
    store = JobStore(db, lease_s=0.4, max_attempts=3)
    runs: list[str] = []
    stolen: list[object] = []
    services = SimpleNamespace(jobs=store, metrics=Metrics())
    kinds: dict[str, JobKind] = {}
    rival = JobRunner(services, kinds, owner="rival")  # type: ignore[arg-type]

    def run(_services, args, ctl) -> None:  # noqa: ANN001
        runs.append(args["n"])
        end = time.monotonic() + 5 * store.lease_s  # work that outlasts the lease
        while time.monotonic() < end:
            got = rival.run_job(job_id)
            if got is not None:
                stolen.append(got)
            time.sleep(0.02)

    kinds["test_long_job"] = JobKind(run=run, give_up=lambda *a: None)
    rival.register("test_long_job", kinds["test_long_job"])
    job_id = store.create("test_long_job", {"n": "x"})
    try:
        assert JobRunner(services, kinds).run_job(job_id) == "done"  # type: ignore[arg-type]
    finally:
        db.dispose()
    assert runs == ["x"] and stolen == []


def test_the_visibility_timeout_must_outlast_the_lease() -> None:
    from pydantic import ValidationError

    from repstride.service.settings import Settings

    assert Settings().celery_visibility_timeout_s > Settings().job_lease_s
    with pytest.raises(ValidationError, match="VISIBILITY_TIMEOUT"):
        Settings(job_lease_s=60, celery_visibility_timeout_s=30)
