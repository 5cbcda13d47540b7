"""Durable jobs: the ``jobs`` table (the record every adapter shares) and the job-queue port.

A job is a row ``(kind, args)`` with JSON args holding ids only. Running it means *acquiring* it:
a conditional UPDATE that succeeds for one worker only and gives it a lease; the worker renews the
lease while it works. A job whose lease ran out (its worker died) can be acquired again; after
``max_attempts`` acquisitions it is given up. The queue port only *delivers* job ids to whatever
runs :func:`repstride.service.jobs.runner.JobRunner.run_job`:

- :class:`LocalJobQueue` (embedded default): worker threads inside ``repstride serve`` that poll
  the table, woken at once by in-process submits;
- a Celery adapter (scale-out) would send ``run_job(job_id)`` tasks; nothing else changes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from repstride.service.db import Database, count_by
from repstride.service.observability import request_id
from repstride.service.models import Job

log = logging.getLogger(__name__)

Clock = Callable[[], float]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

#: Default job lease (seconds). The runner renews it every ``lease_s / 4`` while the job runs,
#: so a live worker keeps its job however long it takes, and a dead worker's job can be taken
#: at most this long after its last renewal.
DEFAULT_LEASE_S = 12.0


def owner_id(host: str | None = None, pid: int | None = None) -> str:
    """A lease holder's name: ``host:pid:random`` (the random part tells apart two runners of
    one process and a recycled pid)."""
    return f"{host or socket.gethostname()}:{pid or os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


def dead_local_owner(owner: str | None, host: str | None = None) -> bool:
    """True when ``owner`` names a process of this host that no longer exists."""
    if not owner:
        return False
    parts = owner.split(":")
    if len(parts) < 2 or parts[0] != (host or socket.gethostname()) or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    return pid != os.getpid() and not _pid_alive(pid)


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str
    args: dict[str, Any]
    state: str
    attempts: int
    max_attempts: int
    owner: str | None
    lease_until: float | None
    error: str | None
    request_id: str | None = None
    created_at: float | None = None

    @classmethod
    def of(cls, j: Job) -> JobRecord:
        return cls(id=j.id, kind=j.kind, args=dict(j.args), state=j.state, attempts=j.attempts,
                   max_attempts=j.max_attempts, owner=j.owner, lease_until=j.lease_until,
                   error=j.error, request_id=j.request_id, created_at=j.created_at)


class JobStore:
    """The jobs table. Every state change is one conditional UPDATE (no read-modify-write)."""

    def __init__(self, db: Database, *, lease_s: float = DEFAULT_LEASE_S, max_attempts: int = 3,
                 clock: Clock = time.time) -> None:
        self.db = db
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.clock = clock

    def create(self, kind: str, args: dict[str, Any], *, session: Session | None = None,
               job_id: str | None = None) -> str:
        """Add a queued job (inside ``session`` when given, so it commits with the caller's
        changes). ``args`` must survive a JSON round trip unchanged. ``job_id``: a fixed id
        (a singleton job such as the retention sweep); default a new uuid."""
        if json.loads(json.dumps(args)) != args:
            raise TypeError("job args must be plain JSON (ids, numbers, strings)")
        now = self.clock()
        job = Job(id=job_id or uuid.uuid4().hex, kind=kind, args=args, state=QUEUED, attempts=0,
                  max_attempts=self.max_attempts, request_id=request_id.get(),
                  created_at=now, updated_at=now)
        if session is not None:
            session.add(job)
        else:
            with self.db.session() as s:
                s.add(job)
        return job.id

    def get(self, job_id: str) -> JobRecord | None:
        with self.db.session() as s:
            j = s.get(Job, job_id)
            return JobRecord.of(j) if j else None

    def _acquirable(self, now: float):  # noqa: ANN202
        return or_(Job.state == QUEUED, (Job.state == RUNNING) & (Job.lease_until < now))

    def ready_ids(self, limit: int = 10) -> list[str]:
        """Jobs a worker may acquire now, oldest first."""
        now = self.clock()
        with self.db.session() as s:
            rows = s.execute(select(Job.id).where(self._acquirable(now))
                             .order_by(Job.created_at).limit(limit))
            return [r[0] for r in rows]

    def acquire(self, job_id: str, owner: str) -> JobRecord | None:
        """Take the job under a lease; ``None`` if it is done, failed, or leased to another."""
        now = self.clock()
        with self.db.session() as s:
            res = s.execute(
                update(Job).where(Job.id == job_id, self._acquirable(now))
                .values(state=RUNNING, owner=owner, lease_until=now + self.lease_s,
                        attempts=Job.attempts + 1, updated_at=now)
                .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                return None
            return JobRecord.of(s.get(Job, job_id))

    def heartbeat(self, job_id: str, owner: str) -> bool:
        """Extend the lease; False when the job is no longer ours (lease expired and taken)."""
        now = self.clock()
        return self._finish(job_id, owner, lease_until=now + self.lease_s)

    def complete(self, job_id: str, owner: str) -> bool:
        return self._finish(job_id, owner, state=DONE, lease_until=None, error=None)

    def fail(self, job_id: str, owner: str, error: str, *, retry: bool) -> bool:
        """Record a failure; with ``retry`` the job goes back to the queue (attempts permitting).
        Returns True when it will be retried."""
        with self.db.session() as s:
            j = s.get(Job, job_id)
            can_retry = retry and j is not None and j.attempts < j.max_attempts
        self._finish(job_id, owner, state=QUEUED if can_retry else FAILED, lease_until=None,
                     error=error[:4000])
        return can_retry

    def release(self, job_id: str, owner: str) -> bool:
        """Give the job back without counting the attempt (graceful shutdown)."""
        return self._finish(job_id, owner, state=QUEUED, lease_until=None,
                            attempts=Job.attempts - 1, new_owner=None)

    def _finish(self, job_id: str, owner: str, **values: Any) -> bool:
        if "new_owner" in values:
            values["owner"] = values.pop("new_owner")
        with self.db.session() as s:
            res = s.execute(
                update(Job).where(Job.id == job_id, Job.owner == owner, Job.state == RUNNING)
                .values(updated_at=self.clock(), **values)
                .execution_options(synchronize_session=False))
            return res.rowcount == 1

    def reclaim_dead_local(self, host: str | None = None) -> list[str]:
        """Give back at once the running jobs whose holder was a process of this host that is
        gone (``kill -9``, OOM, power cut of a one-machine install), instead of waiting for
        their leases to run out. The attempt stays counted. Returns the ids released."""
        with self.db.session() as s:
            rows = s.execute(select(Job.id, Job.owner).where(Job.state == RUNNING)).all()
        released = []
        for job_id, owner in rows:
            if not dead_local_owner(owner, host):
                continue
            with self.db.session() as s:
                res = s.execute(
                    update(Job).where(Job.id == job_id, Job.owner == owner, Job.state == RUNNING)
                    .values(state=QUEUED, owner=None, lease_until=None, updated_at=self.clock())
                    .execution_options(synchronize_session=False))
                if res.rowcount == 1:
                    released.append(job_id)
        if released:
            log.info("reclaimed %d job(s) held by dead processes of this host", len(released))
        return released

    def delete_for(self, key: str, value: str) -> None:
        """Forget queued jobs whose ``args[key] == value`` (the video was deleted)."""
        with self.db.session() as s:
            for j in s.scalars(select(Job).where(Job.state == QUEUED)):
                if j.args.get(key) == value:
                    s.delete(j)

    def running_on(self, owner_prefix: str) -> int:
        """Jobs running now (lease not expired) whose owner starts with ``owner_prefix``: a
        worker's current load, e.g. every job held by a worker process on this machine."""
        from sqlalchemy import func

        now = self.clock()
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(Job).where(
                Job.state == RUNNING, Job.lease_until >= now,
                Job.owner.startswith(owner_prefix, autoescape=True))) or 0)

    def counts(self) -> dict[str, int]:
        return count_by(self.db, Job.state)


# --- the queue port ---------------------------------------------------------------------------

JobRunnerFn = Callable[[str], Any]


@runtime_checkable
class JobQueue(Protocol):
    """Delivers job ids (rows already created in :class:`JobStore`) to ``run_job``."""

    def submit(self, job_id: str) -> None: ...
    def start(self) -> None: ...
    def stop(self, timeout: float = 30.0) -> None: ...
    def ready(self) -> str:
        """A short description when jobs can be delivered now; raises when they cannot."""
        ...


class LocalJobQueue:
    """Worker threads in this process. Durable because the table is the queue: jobs queued
    while no worker runs (or left by a dead one) are picked up on the next start."""

    def __init__(self, store: JobStore, run_job: JobRunnerFn, *, workers: int = 1,
                 poll_s: float = 1.0) -> None:
        self.store = store
        self.run_job = run_job
        self.workers = workers
        self.poll_s = poll_s
        self._wake = threading.Condition()
        self._pending = 0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def submit(self, job_id: str) -> None:
        with self._wake:
            self._pending += 1
            self._wake.notify()

    def start(self) -> None:
        if self._threads and not self._stopping.is_set():
            return
        try:  # a previous `repstride serve` of this host killed mid-job: resume its jobs now
            self.store.reclaim_dead_local()
        except Exception:  # the database is away: the leases run out as usual
            log.exception("could not look for jobs held by dead processes")
        self._stopping.clear()  # a thread still finishing a job from before keeps going
        for i in range(len(self._threads), self.workers):
            t = threading.Thread(target=self._loop, name=f"repstride-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        # a thread still finishing its job is kept: a later stop() joins it again
        self._threads = [t for t in self._threads if t.is_alive()]

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def ready(self) -> str:
        alive = sum(t.is_alive() for t in self._threads)
        if self.workers and alive < self.workers:
            raise RuntimeError(f"{alive} of {self.workers} worker threads are running")
        return f"local, {alive} worker(s)"

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                ids = self.store.ready_ids(limit=5)
            except Exception:  # database briefly unavailable: log and try again later
                log.exception("worker could not read the jobs table")
                ids = []
            for job_id in ids:
                if self._stopping.is_set():
                    return
                try:
                    self.run_job(job_id)
                except Exception:  # run_job records failures itself; never kill the thread
                    log.exception("job %s crashed its runner", job_id)
            if ids:
                continue
            with self._wake:
                if self._pending == 0 and not self._stopping.is_set():
                    self._wake.wait(self.poll_s)
                self._pending = 0
