"""Retention: delete what ``Settings.retention`` no longer keeps, and say so in the database.

:func:`sweep` looks at the finished videos (Video API: analysis ``Complete`` or ``Failed``) and
analyses (Running Analysis API: ``success`` or ``failed``) with no queued or running job, whose
upload is older than a category's ``REPSTRIDE_RETAIN_*_DAYS``, and frees that category's blobs
(:mod:`repstride.service.artifacts`): the source video, the pose data, the rendered media, or the
whole record (``results``). A running job is never touched.

Each item is first *claimed* in the database (one conditional UPDATE, or DELETE for results,
that also checks the item is still finished and, for a video, not re-analysed since it was
read), and only the process whose claim succeeded deletes the blobs. So any number of sweeps
(the workers' periodic job, ``repstride gc`` in a shell) may overlap without deleting twice,
and a client never finds a record pointing at a missing blob: what was swept reads as expired
(Video API overlays and thumbnail ``Expired``, ``/j2p`` and ``/objects`` 410 ``expired``; the
Running Analysis API's media URLs null with a ``media_reason``, ``raw_data`` 410 ``expired``).

The workers run the sweep as the job ``retention_sweep`` (a fixed id): :class:`RetentionScheduler`
re-queues it every ``sweep_interval_s`` with one conditional UPDATE, so however many processes
schedule it, it is queued once, and its lease lets one worker run it at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from repstride.service.artifacts import (
    ANALYSIS, OVERLAYS, TRACKS, UPLOADS, VIDEO, StoredBlob, delete_blobs, resource_blobs,
    resource_prefix,
)
from repstride.service.blobs.port import BlobStore
from repstride.service.db import Database
from repstride.service.jobs.runner import JobControl, JobKind
from repstride.service.jobs.store import DONE, FAILED, QUEUED, RUNNING, JobStore
from repstride.service.jobs.periodic import Periodic
from repstride.service.models import Job, Video
from repstride.service.observability import log_event
from repstride.service.running.models import RunningAnalysis
from repstride.service.settings import Settings

log = logging.getLogger(__name__)

DAY_S = 86400.0
#: The category that deletes the whole record (its results and every blob left).
RESULTS = "results"
#: Job kind and fixed job id of the periodic sweep.
RETENTION_SWEEP = "retention_sweep"
SWEEP_JOB_ID = "retention-sweep"
#: Video API overlay / thumbnail status once the sweep deleted it.
EXPIRED = "Expired"
#: Running Analysis API ``media_reason`` once the sweep deleted the annotated media.
MEDIA_EXPIRED = "running_api.media.expired"
#: How often a scheduler looks whether the sweep is due (at most).
MAX_SCHEDULER_PERIOD_S = 60.0


class RetentionHost(Protocol):
    """What the sweep uses of the services (the container's ``Services`` is one)."""

    settings: Settings
    db: Database
    blobs: BlobStore
    jobs: JobStore
    clock: Callable[[], float]


@dataclass(frozen=True)
class Freed:
    """One blob the sweep freed (or, in a dry run, would free), and why."""

    resource: str
    resource_id: str
    category: str
    key: str
    size: int
    reason: str


@dataclass(frozen=True)
class SweepReport:
    items: tuple[Freed, ...]
    #: videos / analyses whose record was deleted (``results``)
    records: int
    dry_run: bool

    @property
    def total_bytes(self) -> int:
        return sum(i.size for i in self.items)


# --- the two tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """How one API's table is swept."""

    resource: str
    model: type
    #: the job argument naming a row (a row with a queued or running job is never swept)
    job_arg: str
    #: finished rows only
    terminal: Any
    #: when the upload arrived (the age the settings count from), in SQL and of a row
    uploaded: Any
    uploaded_at: Callable[[Any], float]
    #: extra column values when a category expires (the wire state of what was deleted)
    on_expire: Callable[[Any, str], dict[str, Any]]
    #: extra conditions of a claim (the row was not changed since it was read)
    unchanged: Callable[[Any], list[Any]]


def _video_expire(row: Video, category: str) -> dict[str, Any]:
    if category != OVERLAYS:
        return {}
    overlays = {name: ({"status": EXPIRED, "reason": "retention"}
                       if o.get("status") == "Complete" else o)
                for name, o in (row.overlays or {}).items()}
    return {"overlays": overlays}


def _analysis_expire(row: RunningAnalysis, category: str) -> dict[str, Any]:
    if category == TRACKS:
        return {"track_key": None}
    if category == OVERLAYS:
        values: dict[str, Any] = {"thumbnail_key": None, "output_video_key": None}
        if row.thumbnail_key or row.output_video_key:
            values["media_reason"] = MEDIA_EXPIRED
        return values
    return {}


_TABLES: tuple[_Table, ...] = (
    _Table(VIDEO, Video, "video_id", Video.analysis_status.in_(("Complete", "Failed")),
           func.coalesce(Video.uploaded_at, Video.created_at),
           lambda row: row.uploaded_at or row.created_at, _video_expire,
           lambda row: [Video.analysis_rev == row.analysis_rev]),
    _Table(ANALYSIS, RunningAnalysis, "analysis_id",
           RunningAnalysis.status.in_(("success", "failed")), RunningAnalysis.created_at,
           lambda row: row.created_at, _analysis_expire, lambda row: []),
)


def _expired_column(table: _Table, category: str) -> Any:
    return getattr(table.model, f"{category}_expired_at")


# --- the sweep ------------------------------------------------------------------------------


def sweep(services: RetentionHost, *, now: float | None = None, dry_run: bool = False,
          check: Callable[[], None] = lambda: None) -> SweepReport:
    """Free (or with ``dry_run`` only list) what the retention settings no longer keep at
    ``now`` (default: the services' clock). ``check`` is called before each item (a job's
    shutdown check). Logs one line per blob freed and one summary line."""
    now = services.clock() if now is None else now
    r = services.settings.retention
    busy = _busy_ids(services.db)
    items: list[Freed] = []
    gone: set[tuple[str, str]] = set()
    for table in _TABLES:
        for category, days in ((RESULTS, r.results_days), (UPLOADS, r.uploads_days),
                               (TRACKS, r.tracks_days), (OVERLAYS, r.overlays_days)):
            if not days:
                continue
            for row in _due(services.db, table, category, now - days * DAY_S):
                if row.id in busy or (table.resource, row.id) in gone:
                    continue
                check()
                freed = _sweep_row(services, table, category, row, now=now, days=days,
                                   dry_run=dry_run)
                if freed is None:
                    continue  # claimed by another sweep, or changed since it was read
                items += freed
                if category == RESULTS:
                    gone.add((table.resource, row.id))
    report = SweepReport(tuple(items), len(gone), dry_run)
    if not dry_run and (items or gone):
        log_event(log, "retention sweep", blobs=len(items), freed_bytes=report.total_bytes,
                  records=len(gone))
    return report


def _busy_ids(db: Database) -> set[str]:
    """Ids of videos / analyses that a queued or running job works on."""
    with db.session() as s:
        rows = s.scalars(select(Job.args).where(Job.state.in_((QUEUED, RUNNING))))
        return {str(args.get(a)) for args in rows for a in ("video_id", "analysis_id")
                if isinstance(args, dict) and args.get(a)}


def _due(db: Database, table: _Table, category: str, cutoff: float) -> list[Any]:
    where = [table.terminal, table.uploaded < cutoff]
    if category != RESULTS:
        where.append(_expired_column(table, category).is_(None))
    with db.session() as s:
        rows = list(s.scalars(select(table.model).where(*where)
                              .order_by(table.model.created_at)))
        s.expunge_all()
        return rows


def _sweep_row(services: RetentionHost, table: _Table, category: str, row: Any, *, now: float,
               days: float, dry_run: bool) -> list[Freed] | None:
    blobs = resource_blobs(services.blobs, table.resource, row.id, source_key=row.video_key)
    if category != RESULTS:
        blobs = [b for b in blobs if b.category == category]
    reason = _reason(category, days, float(table.uploaded_at(row)), now)
    freed = [Freed(table.resource, row.id, category, b.key, b.size, reason) for b in blobs]
    if dry_run:
        return freed
    if not _claim(services, table, category, row, now):
        return None
    _delete(services.blobs, table, category, row.id, blobs)
    for f in freed:
        log_event(log, "retention freed", key=f.key, bytes=f.size, category=f.category,
                  reason=f.reason)
    return freed


def _reason(category: str, days: float, uploaded: float, now: float) -> str:
    when = datetime.fromtimestamp(uploaded, timezone.utc).date().isoformat()
    what = "the record and its results" if category == RESULTS else category
    return (f"{what} kept {days:g} days (REPSTRIDE_RETAIN_{category.upper()}_DAYS); "
            f"uploaded {when}, {(now - uploaded) / DAY_S:.1f} days ago")


def _claim(services: RetentionHost, table: _Table, category: str, row: Any, now: float) -> bool:
    """Record the expiry (or delete the record) if the row is still finished and unchanged;
    True for the one sweep that did it."""
    where = [table.model.id == row.id, table.terminal, *table.unchanged(row)]
    with services.db.session() as s:
        if category == RESULTS:
            res = s.execute(delete(table.model).where(*where)
                            .execution_options(synchronize_session=False))
        else:
            res = s.execute(update(table.model)
                            .where(*where, _expired_column(table, category).is_(None))
                            .values({f"{category}_expired_at": now, "updated_at": now,
                                     **table.on_expire(row, category)})
                            .execution_options(synchronize_session=False))
        return res.rowcount == 1


def _delete(blobs: BlobStore, table: _Table, category: str, resource_id: str,
            items: list[StoredBlob]) -> None:
    if category == RESULTS:
        blobs.delete_prefix(resource_prefix(table.resource, resource_id))
    else:
        delete_blobs(blobs, items)


# --- the periodic job -----------------------------------------------------------------------


def run_retention_sweep(services: RetentionHost, args: dict[str, Any], ctl: JobControl) -> None:
    """The job: one sweep at the services' clock, stopping at a shutdown (released)."""
    sweep(services, check=ctl.check)


def _give_up_sweep(services: Any, args: dict[str, Any], reason: str) -> None:
    log.warning("the retention sweep failed (%s); the next one is scheduled as usual", reason)


#: The sweep's job kind (composed with the APIs' by the container).
RETENTION_JOB_KINDS: Mapping[str, JobKind] = MappingProxyType({
    RETENTION_SWEEP: JobKind(run=run_retention_sweep, give_up=_give_up_sweep),
})


def schedule_sweep(jobs: JobStore, *, interval_s: float, now: float) -> bool:
    """Queue the sweep job if it never ran or its last run ended ``interval_s`` ago. One
    conditional UPDATE (or the first INSERT), so concurrent callers queue it once: True for the
    caller that did (it then delivers the job id to its queue)."""
    with jobs.db.session() as s:
        res = s.execute(update(Job).where(Job.id == SWEEP_JOB_ID, Job.state.in_((DONE, FAILED)),
                                          Job.updated_at <= now - interval_s)
                        .values(state=QUEUED, attempts=0, owner=None, lease_until=None,
                                error=None, updated_at=now)
                        .execution_options(synchronize_session=False))
        if res.rowcount == 1:
            return True
        if s.get(Job, SWEEP_JOB_ID) is not None:
            return False
    try:
        jobs.create(RETENTION_SWEEP, {}, job_id=SWEEP_JOB_ID)
    except IntegrityError:  # another process created it first
        return False
    return True


class RetentionScheduler(Periodic):
    """A thread that looks every ``min(interval_s, 60 s)`` whether the sweep is due and then
    queues it (:func:`schedule_sweep`). The first look comes one period after start: start-up
    stays quick, and whether the sweep is due is read from the table, so frequent restarts do
    not delay it."""

    thread_name = "repstride-retention"
    run_at_start = False

    def __init__(self, jobs: JobStore, submit: Callable[[str], None], *, interval_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.jobs = jobs
        self.submit = submit
        self.interval_s = interval_s
        self.clock = clock
        self.period_s = min(MAX_SCHEDULER_PERIOD_S, interval_s)
        super().__init__()

    @classmethod
    def for_services(cls, services: Any) -> RetentionScheduler:
        return cls(services.jobs, services.queue.submit,
                   interval_s=services.settings.retention.sweep_interval_s, clock=services.clock)

    def tick(self) -> bool:
        """Queue and deliver the sweep if it is due; True when this call did."""
        if schedule_sweep(self.jobs, interval_s=self.interval_s, now=self.clock()):
            self.submit(SWEEP_JOB_ID)
            return True
        return False

    step = tick


__all__ = ["EXPIRED", "Freed", "MEDIA_EXPIRED", "RESULTS", "RETENTION_JOB_KINDS",
           "RETENTION_SWEEP", "RetentionHost", "RetentionScheduler", "SWEEP_JOB_ID",
           "SweepReport", "run_retention_sweep", "schedule_sweep", "sweep"]
