"""The worker: ``JobRunner.run_job(job_id)`` is a plain function of a job id.

It acquires the job (lease), renews the lease while the handler works, and records the outcome.
The handlers are given to the runner per job kind (``JobRunner(services, kinds)``): each API's
job module exports its own table (``VIDEO_JOB_KINDS``, ``RUNNING_JOB_KINDS``) and the container
(:func:`repstride.service.container.build_services`) composes them, so there is no registry that
an import fills in, and this module knows nothing above the job store.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from repstride.errors import RepstrideError, ServiceUnavailable, StorageError, StorageFull
from repstride.service.jobs.store import JobQueue, JobRecord, JobStore, owner_id
from repstride.service.observability import Metrics, log_event, request_id

log = logging.getLogger(__name__)

#: After the grace period, how long interrupted jobs get to stop at their next progress check
#: before their leases are released from outside.
INTERRUPT_WAIT_S = 5.0


class JobHost(Protocol):
    """What the runner itself uses of the services it is given (the container's ``Services``
    is one); each handler receives the same object and types what it needs of it."""

    jobs: JobStore
    queue: JobQueue
    metrics: Metrics


@dataclass(frozen=True)
class JobKind:
    #: run(services, args, ctl); raise InvalidInput-family errors for permanent failures.
    run: Callable[[Any, dict[str, Any], JobControl], None]
    #: give_up(services, args, reason): record a final failure (after the last attempt).
    give_up: Callable[[Any, dict[str, Any], str], None]


class Interrupted(Exception):
    """Raised inside a job when the server shuts down; the job is released, not failed."""


@dataclass
class JobControl:
    """What a running handler may use: progress that honours shutdown."""

    interrupt: threading.Event

    def check(self) -> None:
        if self.interrupt.is_set():
            raise Interrupted()

    def progress(self, done: int, total: int) -> None:
        self.check()


class JobRunner:
    def __init__(self, services: JobHost, kinds: Mapping[str, JobKind] = (), *,
                 owner: str | None = None) -> None:
        self.services = services
        #: job kind -> handlers (copied: :meth:`register` adds to this runner only)
        self.kinds: dict[str, JobKind] = dict(kinds)
        self.host = socket.gethostname()
        self.owner = owner or owner_id(self.host)
        self.interrupt = threading.Event()
        #: set by :meth:`drain`: ``run_job`` acquires nothing new
        self.draining = threading.Event()
        self._active: set[str] = set()
        self._idle = threading.Condition()

    def register(self, name: str, kind: JobKind) -> None:
        """Add (or replace) the handlers of one job kind (tests, plug-ins)."""
        self.kinds[name] = kind

    def model_threads(self) -> int | None:
        """Threads per pose-model call for a job starting now, from this machine's current load:
        the usable cores shared by the jobs that workers on this host hold right now (leases in
        the jobs table, every process; this job included). A lone job uses every core, two on
        two cores one each. None (the pose stage's own in-process count) when the table cannot
        say (e.g. an owner that does not start with the host name)."""
        if not self.owner.startswith(f"{self.host}:"):
            return None
        try:
            running = self.services.jobs.running_on(f"{self.host}:")
        except Exception:  # the load is a hint: never fail a job over it
            log.debug("could not count the running jobs", exc_info=True)
            return None
        from repstride.pipeline import usable_cores

        return max(1, usable_cores() // max(1, running))

    def run_job(self, job_id: str) -> str | None:
        """Run one job if it can be acquired. Returns its final state (``done``, ``failed``,
        ``queued`` when it will be retried or was released) or None if not acquired.

        Logs one line when the job starts and one when it ends (id, kind, attempt, the request
        that created it, duration, outcome and reason), and times it in ``services.metrics``."""
        if self.draining.is_set():
            return None  # shutting down: the job stays queued for another worker
        job = self.services.jobs.acquire(job_id, self.owner)
        if job is None:
            return None
        with self._idle:
            self._active.add(job.id)
        token = request_id.set(job.request_id)
        started = time.monotonic()
        log_event(log, "job started", job_id=job.id, kind=job.kind, attempt=job.attempts)
        reason: list[str] = []
        state = "failed"
        try:
            state = self._run_acquired(job, reason)
            return state
        finally:
            seconds = time.monotonic() - started
            log_event(log, "job " + {"done": "done", "queued": "released"}.get(state, "failed"),
                      logging.INFO if state != "failed" else logging.WARNING, job_id=job.id,
                      kind=job.kind, attempt=job.attempts, state=state,
                      duration_s=round(seconds, 3), reason=reason[0] if reason else None)
            self.services.metrics.observe_job(job.kind, state, seconds)
            request_id.reset(token)
            with self._idle:
                self._active.discard(job.id)
                self._idle.notify_all()

    # -- graceful shutdown -----------------------------------------------------------------

    def active(self) -> list[str]:
        """Ids of the jobs this runner is running now."""
        with self._idle:
            return sorted(self._active)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs here (True) or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True

    def drain(self, grace_s: float) -> list[str]:
        """Shut down gracefully: take no new job, give the running ones ``grace_s`` to finish,
        then interrupt them (they are released at their next progress check) and release the
        leases of those that still run after :data:`INTERRUPT_WAIT_S`, so another worker (or
        the next start) takes them at once. Returns the ids handed back."""
        self.draining.set()
        if self.wait_idle(grace_s):
            return []
        handed_back = self.active()
        log_event(log, "shutdown: grace period over, handing jobs back", logging.WARNING,
                  jobs=",".join(handed_back), grace_s=grace_s)
        self.interrupt.set()
        if not self.wait_idle(INTERRUPT_WAIT_S):
            for job_id in self.active():
                try:
                    self.services.jobs.release(job_id, self.owner)
                except Exception:  # the database is away: the lease runs out as usual
                    log.exception("could not release job %s", job_id)
        return handed_back

    def resume(self) -> None:
        """Take jobs again after :meth:`drain` (tests, a restarted queue)."""
        self.draining.clear()
        self.interrupt.clear()

    def _run_acquired(self, job: JobRecord, reason: list[str]) -> str:
        store, job_id = self.services.jobs, job.id
        kind = self.kinds.get(job.kind)
        if kind is None:
            reason.append("unknown_job_kind")
            store.fail(job_id, self.owner, f"unknown job kind {job.kind!r}", retry=False)
            return "failed"
        if job.attempts > job.max_attempts:
            # Every previous holder died mid-job (lease expired each time): stop trying.
            reason.append("processing_failed")
            store.fail(job_id, self.owner, "gave up: the worker died on every attempt", retry=False)
            self._give_up(kind, job.args, "processing_failed")
            return "failed"
        ctl = JobControl(self.interrupt)
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop_beat), daemon=True)
        beat.start()
        try:
            from repstride.pipeline import model_threads

            with model_threads(self.model_threads()):
                kind.run(self.services, job.args, ctl)
        except Interrupted:
            reason.append("interrupted")
            store.release(job_id, self.owner)
            return "queued"
        except ServiceUnavailable as exc:
            # infrastructure trouble with a stable reason (database, blob store, disk full):
            # retried, and recorded with that reason after the last attempt
            reason.append(exc.code)
            log.warning("job %s (%s) attempt %d: %s: %s", job_id, job.kind, job.attempts,
                        exc.code, exc.__cause__ or exc)
            return self._retry_or_give_up(kind, job, f"{exc.code}: {exc.__cause__ or exc}",
                                          code=exc.code)
        except RepstrideError as exc:
            # Our own errors are deterministic (bad input): retrying cannot help.
            reason.append(exc.code)
            store.fail(job_id, self.owner, f"{exc.code}: {exc.message}", retry=False)
            self._give_up(kind, job.args, exc.code)
            return "failed"
        except Exception as exc:  # infrastructure trouble (I/O, memory): retry, then give up
            reason.append(type(exc).__name__)
            log.exception("job %s (%s) failed on attempt %d", job_id, job.kind, job.attempts)
            # a full disk anywhere (a blob store of any kind, the job's temporary files)
            full = isinstance(exc, OSError) and isinstance(StorageError.from_os_error(exc),
                                                            StorageFull)
            return self._retry_or_give_up(kind, job, traceback.format_exc(),
                                          code=StorageFull.code if full else "processing_failed")
        finally:
            stop_beat.set()
            beat.join()
        store.complete(job_id, self.owner)
        return "done"

    def _retry_or_give_up(self, kind: JobKind, job: JobRecord, error: str, *,
                          code: str = "processing_failed") -> str:
        try:
            if self.services.jobs.fail(job.id, self.owner, error, retry=True):
                self.services.queue.submit(job.id)
                return "queued"
        except ServiceUnavailable:
            return "queued"  # cannot even record it: the lease expires and the job is retried
        self._give_up(kind, job.args, code)
        return "failed"

    def _give_up(self, kind: JobKind, args: dict[str, Any], reason: str) -> None:
        try:
            kind.give_up(self.services, args, reason)
        except Exception:
            log.exception("could not record the failure of a job (%s)", args)

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        # Four renewals per lease: three may fail (a busy database) before the job is at risk.
        period = max(0.05, self.services.jobs.lease_s / 4)
        while not stop.wait(period):
            try:
                if not self.services.jobs.heartbeat(job_id, self.owner):
                    log.warning("job %s: lease lost to another worker", job_id)
                    return
            except Exception:
                log.exception("job %s: heartbeat failed", job_id)


__all__ = ["INTERRUPT_WAIT_S", "Interrupted", "JobControl", "JobHost", "JobKind", "JobRunner"]
