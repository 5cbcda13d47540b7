"""The worker: ``JobRunner.run_job(job_id)`` is a plain function of a job id.

It acquires the job (lease), renews the lease while the handler works, and records the outcome.
Handlers are registered per job kind in :data:`JOB_KINDS` (another API adds its own with
:func:`register_job_kind`). The analysis pipeline is a dependency (:class:`Pipeline`), so tests
can run the real flow or inject a fast one; production loads ``Settings.pipeline``.

Video analysis steps (``analyze_video`` job):
    download blob -> probe (fps, size, limits) -> pose (PoseTrack) -> store track.npz, j2p.json,
    objects.json -> analysis (from the stored track) -> artifact steps (:data:`ARTIFACT_STEPS`).
``reanalyze_video`` (after PUT) reloads track.npz and repeats the last two steps only.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import tempfile
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import update

from repstride.errors import RepstrideError, ServiceUnavailable, VideoTooLong
from repstride.service.jobs.store import JobRecord
from repstride.service.models import Video
from repstride.service.videos.service import (
    ANALYZE_VIDEO, COMPLETE, FAILED, OVERLAY_TYPES, REANALYZE_VIDEO, THUMBNAIL, blob_key,
)

if TYPE_CHECKING:
    from repstride.analysis.results import ActivityResult
    from repstride.analysis.track import PoseTrack
    from repstride.pose import PoseResult
    from repstride.service.container import Services

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


# --- the pipeline dependency ------------------------------------------------------------------


class Pipeline(Protocol):
    """The two stages of ``repstride.pipeline.analyze_video``, callable separately so that the
    track is stored before the analysis runs and ``PUT`` can re-analyse without the pose model."""

    def pose(self, path: Path, *, progress: ProgressFn | None = None) -> PoseResult: ...

    def analyze(self, track: PoseTrack, *, domain: str | None, activity: str | None,
                rep_count: int | None, video_path: Path | None = None) -> ActivityResult: ...


class RealPipeline:
    """Production: :func:`repstride.pose.extract_pose` and
    :func:`repstride.pipeline.analyze_track` (what ``pipeline.analyze_video`` composes)."""

    def pose(self, path: Path, *, progress: ProgressFn | None = None) -> PoseResult:
        from repstride.pose import extract_pose

        return extract_pose(path, progress=progress)

    def analyze(self, track: PoseTrack, *, domain: str | None, activity: str | None,
                rep_count: int | None, video_path: Path | None = None) -> ActivityResult:
        from repstride.pipeline import analyze_track

        return analyze_track(track, domain=domain, activity=activity, rep_count=rep_count,
                             video_path=video_path)


def load_pipeline(spec: str) -> Pipeline:
    """``"module:attribute"`` -> an instance (a class is instantiated without arguments)."""
    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    return obj() if isinstance(obj, type) else obj


# --- artifacts (overlays) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactContext:
    services: Services
    video_id: str
    video_path: Path
    track: PoseTrack
    analysis: ActivityResult
    workdir: Path


#: A step renders something from the video + results, stores it with
#: ``ctx.services.blobs.put_file(blob_key(ctx.video_id, name), path)`` and returns the overlays
#: it produced: ``{"skeleton": {"status": "Complete", "key": <blob key>}}``. The API signs the key
#: into ``uri``. Overlays no step produces stay ``{"status": "Pending"}``.
ArtifactStep = Callable[[ArtifactContext], dict[str, dict[str, Any]]]

#: The render engineer appends the overlay renderers here (empty: overlays stay Pending).
ARTIFACT_STEPS: list[ArtifactStep] = []


#: What the render step records on the video: the two overlays and the thumbnail.
RENDERED: tuple[str, ...] = (*OVERLAY_TYPES, THUMBNAIL)


def render_overlays_step(ctx: ArtifactContext) -> dict[str, dict[str, Any]]:
    """Both Video API overlays and a thumbnail from one decode of the source (``repstride.render``).

    Stored as ``overlay_skeleton.mp4``, ``overlay_all.mp4`` and ``thumbnail.jpg`` next to the
    video's other blobs. A rendering problem marks the overlays ``Failed`` (with a reason) and
    never touches the analysis; storage errors propagate (the job is retried).
    """
    from repstride.render.artifacts import render_video_artifacts

    try:
        objects = json.loads(ctx.services.blobs.get_bytes(blob_key(ctx.video_id, "objects.json")))
    except RepstrideError:
        objects = None  # boxes of other people are optional decoration
    try:
        files = render_video_artifacts(ctx.video_path, ctx.track, ctx.analysis,
                                       out_dir=ctx.workdir / "overlays", objects=objects)
    except RepstrideError as exc:
        log.warning("overlays of video %s failed: %s", ctx.video_id, exc.message)
        return {name: {"status": FAILED, "reason": exc.code} for name in RENDERED}
    except Exception:  # a renderer bug on this input: deterministic, so recorded, not retried
        log.exception("overlays of video %s failed", ctx.video_id)
        return {name: {"status": FAILED, "reason": "render_failed"} for name in RENDERED}
    produced: dict[str, dict[str, Any]] = {}
    for name, path in files.items():
        key = blob_key(ctx.video_id, path.name)
        ctx.services.blobs.put_file(key, path)
        if name in RENDERED:
            produced[name] = {"status": COMPLETE, "key": key}
    return produced


ARTIFACT_STEPS.append(render_overlays_step)


# --- job kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    #: run(services, args, ctl); raise InvalidInput-family errors for permanent failures.
    run: Callable[[Services, dict[str, Any], JobControl], None]
    #: give_up(services, args, reason): record a final failure (after the last attempt).
    give_up: Callable[[Services, dict[str, Any], str], None]


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(name: str, kind: JobKind) -> None:
    JOB_KINDS[name] = kind


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
    def __init__(self, services: Services, *, owner: str | None = None) -> None:
        self.services = services
        self.host = os.uname().nodename
        self.owner = owner or f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.interrupt = threading.Event()

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
        from repstride.pose.extract import usable_cores

        return max(1, usable_cores() // max(1, running))

    def run_job(self, job_id: str) -> str | None:
        """Run one job if it can be acquired. Returns its final state (``done``, ``failed``,
        ``queued`` when it will be retried or was released) or None if not acquired."""
        store = self.services.jobs
        job = store.acquire(job_id, self.owner)
        if job is None:
            return None
        kind = JOB_KINDS.get(job.kind)
        if kind is None:
            store.fail(job_id, self.owner, f"unknown job kind {job.kind!r}", retry=False)
            return "failed"
        if job.attempts > job.max_attempts:
            # Every previous holder died mid-job (lease expired each time): stop trying.
            store.fail(job_id, self.owner, "gave up: the worker died on every attempt", retry=False)
            self._give_up(kind, job.args, "processing_failed")
            return "failed"
        ctl = JobControl(self.interrupt)
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop_beat), daemon=True)
        beat.start()
        try:
            from repstride.pose.extract import model_threads

            with model_threads(self.model_threads()):
                kind.run(self.services, job.args, ctl)
        except Interrupted:
            store.release(job_id, self.owner)
            return "queued"
        except ServiceUnavailable as exc:
            return self._retry_or_give_up(kind, job, f"{exc.code}: {exc.__cause__ or exc}")
        except RepstrideError as exc:
            # Our own errors are deterministic (bad input): retrying cannot help.
            store.fail(job_id, self.owner, f"{exc.code}: {exc.message}", retry=False)
            self._give_up(kind, job.args, exc.code)
            return "failed"
        except Exception:  # infrastructure trouble (I/O, memory): retry, then give up
            log.exception("job %s (%s) failed on attempt %d", job_id, job.kind, job.attempts)
            return self._retry_or_give_up(kind, job, traceback.format_exc())
        finally:
            stop_beat.set()
            beat.join()
        store.complete(job_id, self.owner)
        return "done"

    def _retry_or_give_up(self, kind: JobKind, job: JobRecord, error: str) -> str:
        try:
            if self.services.jobs.fail(job.id, self.owner, error, retry=True):
                self.services.queue.submit(job.id)
                return "queued"
        except ServiceUnavailable:
            return "queued"  # cannot even record it: the lease expires and the job is retried
        self._give_up(kind, job.args, "processing_failed")
        return "failed"

    def _give_up(self, kind: JobKind, args: dict[str, Any], reason: str) -> None:
        try:
            kind.give_up(self.services, args, reason)
        except Exception:
            log.exception("could not record the failure of a job (%s)", args)

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        period = max(0.05, self.services.jobs.lease_s / 3)
        while not stop.wait(period):
            try:
                if not self.services.jobs.heartbeat(job_id, self.owner):
                    log.warning("job %s: lease lost to another worker", job_id)
                    return
            except Exception:
                log.exception("job %s: heartbeat failed", job_id)


# --- video jobs -------------------------------------------------------------------------------


def _set(services: Services, video_id: str, *, rev: int | None = None, **values: Any) -> bool:
    """Idempotent result write; with ``rev`` only if no PUT happened since the job started."""
    with services.db.session() as s:
        stmt = update(Video).where(Video.id == video_id)
        if rev is not None:
            stmt = stmt.where(Video.analysis_rev == rev)
        res = s.execute(stmt.values(updated_at=services.clock(), **values)
                        .execution_options(synchronize_session=False))
        return res.rowcount == 1


def _load(services: Services, video_id: str):  # noqa: ANN202
    from repstride.service.videos.service import VideoRecord

    with services.db.session() as s:
        v = s.get(Video, video_id)
        return VideoRecord.of(v) if v is not None else None


def objects_to_wire(pose: PoseResult) -> list[dict[str, Any]]:
    """Every tracked person's boxes (normalised), the analysed subject marked ``subject: true``."""
    t = pose.track
    out = []
    for pid, boxes in sorted(pose.people.items()):
        boxes = np.asarray(boxes, float)
        rows = []
        for i in np.flatnonzero(~np.isnan(boxes[:, :4]).any(axis=1)):
            x1, y1, x2, y2 = np.clip(boxes[i, :4], 0.0, 1.0)
            sc = boxes[i, 4] if boxes.shape[1] > 4 and not np.isnan(boxes[i, 4]) else None
            rows.append({"frame_idx": int(t.frame_index[i]),
                         "timestamp": round(float(t.timestamps_s[i]), 5),
                         "x1": round(float(x1), 5), "y1": round(float(y1), 5),
                         "x2": round(float(x2), 5), "y2": round(float(y2), 5),
                         "score": None if sc is None else round(float(sc), 4)})
        out.append({"type": "person", "id": int(pid), "subject": pid == pose.subject_id,
                    "boundingBoxes": rows})
    return out


def _store_pose(services: Services, video_id: str, pose: PoseResult) -> None:
    from repstride.pose.j2p import to_j2p

    buf = io.BytesIO()
    np.savez_compressed(buf, **pose.track.to_arrays())
    blobs = services.blobs
    blobs.put_bytes(blob_key(video_id, "track.npz"), buf.getvalue())
    blobs.put_bytes(blob_key(video_id, "j2p.json"),
                    json.dumps(to_j2p(pose.track), separators=(",", ":")).encode())
    blobs.put_bytes(blob_key(video_id, "objects.json"),
                    json.dumps(objects_to_wire(pose), separators=(",", ":")).encode())


def load_track(services: Services, video_id: str) -> PoseTrack:
    from repstride.analysis.track import PoseTrack

    with np.load(io.BytesIO(services.blobs.get_bytes(blob_key(video_id, "track.npz")))) as z:
        return PoseTrack.from_arrays({k: z[k] for k in z.files})


def _analyze_and_store(services: Services, video_id: str, track: PoseTrack,
                       video_path: Path | None, workdir: Path) -> None:
    v = _load(services, video_id)
    if v is None:
        return
    if video_path is None and v.activity == "sprint":
        # a sprint's field markers are found in the video itself (re-analysis after a PUT)
        video_path = workdir / "source"
        services.blobs.download_to(v.video_key, video_path)
    try:
        result = services.pipeline.analyze(track, domain=v.domain, activity=v.activity,
                                           rep_count=v.rep_count, video_path=video_path)
    except RepstrideError as exc:
        _set(services, video_id, rev=v.analysis_rev, analysis_status=FAILED,
             analysis_reason=exc.code, analysis={
                 "status": FAILED, "reason": exc.code, "domain": v.domain,
                 "activity": v.activity, "reps": [], "repstride": {"message": exc.message}})
        return
    except Exception:
        # A bug in an analysis on this track: deterministic, so recorded rather than retried.
        log.exception("analysis of video %s failed", video_id)
        _set(services, video_id, rev=v.analysis_rev, analysis_status=FAILED,
             analysis_reason="analysis_error", analysis=None)
        return
    wire = result.to_wire()
    if not _set(services, video_id, rev=v.analysis_rev, analysis_status=result.status,
                analysis_reason=result.reason, analysis=wire):
        return  # a PUT changed the parameters meanwhile: its own job writes the result
    if ARTIFACT_STEPS:
        _run_artifacts(services, video_id, track, result, video_path, workdir)


def _run_artifacts(services: Services, video_id: str, track: PoseTrack, result: ActivityResult,
                   video_path: Path | None, workdir: Path) -> None:
    if video_path is None:
        v = _load(services, video_id)
        if v is None:
            return
        video_path = workdir / "source"
        services.blobs.download_to(v.video_key, video_path)
    ctx = ArtifactContext(services=services, video_id=video_id, video_path=video_path,
                          track=track, analysis=result, workdir=workdir)
    for step in ARTIFACT_STEPS:
        produced = step(ctx)
        v = _load(services, video_id)
        if v is None:
            return
        _set(services, video_id, overlays={**v.overlays, **produced})


def run_analyze_video(services: Services, args: dict[str, Any], ctl: JobControl) -> None:
    video_id = args["video_id"]
    v = _load(services, video_id)
    if v is None:
        return  # deleted meanwhile
    with tempfile.TemporaryDirectory(prefix="repstride-job-") as tmp:
        workdir = Path(tmp)
        suffix = Path(v.filename).suffix[:10] if Path(v.filename).suffix.isascii() else ""
        path = workdir / f"source{suffix}"
        services.blobs.download_to(v.video_key, path)
        if v.pose_status == COMPLETE:
            track = load_track(services, video_id)  # a retry after the pose was stored
        else:
            from repstride.media import probe

            info = probe(path)
            _set(services, video_id, fps=info.fps or None, width=info.width, height=info.height,
                 duration_s=info.duration_s)
            if info.duration_s > services.settings.max_video_duration_s:
                raise VideoTooLong(f"The video lasts {info.duration_s:.0f} s; the limit is "
                                   f"{services.settings.max_video_duration_s:.0f} s.")
            ctl.check()
            pose = services.pipeline.pose(path, progress=ctl.progress)
            if _load(services, video_id) is None:
                return
            _store_pose(services, video_id, pose)
            track = pose.track
            _set(services, video_id, pose_status=COMPLETE, fps=track.fps,
                 width=track.width, height=track.height)
            if _load(services, video_id) is None:  # deleted while storing: leave no orphans
                services.blobs.delete_prefix(f"videos/{video_id}")
                return
        _analyze_and_store(services, video_id, track, path, workdir)


def run_reanalyze_video(services: Services, args: dict[str, Any], ctl: JobControl) -> None:
    video_id, rev = args["video_id"], int(args["rev"])
    v = _load(services, video_id)
    if v is None or v.analysis_rev != rev:
        return  # deleted, or superseded by a later PUT (whose job does the work)
    with tempfile.TemporaryDirectory(prefix="repstride-job-") as tmp:
        _analyze_and_store(services, video_id, load_track(services, video_id), None, Path(tmp))


def give_up_video(services: Services, args: dict[str, Any], reason: str) -> None:
    """Final failure: the video (when the pose never completed) and its analysis are Failed."""
    v = _load(services, args["video_id"])
    if v is None:
        return
    if v.pose_status == COMPLETE:
        _set(services, v.id, analysis_status=FAILED, analysis_reason=reason)
        return
    _set(services, v.id, status=FAILED, reason=reason, pose_status=FAILED,
         analysis_status=FAILED, analysis_reason=reason)


register_job_kind(ANALYZE_VIDEO, JobKind(run=run_analyze_video, give_up=give_up_video))
register_job_kind(REANALYZE_VIDEO, JobKind(run=run_reanalyze_video, give_up=give_up_video))

__all__ = ["ARTIFACT_STEPS", "ArtifactContext", "ArtifactStep", "JOB_KINDS",
           "JobControl", "JobKind", "JobRunner", "Pipeline", "RealPipeline", "load_pipeline",
           "load_track", "objects_to_wire", "register_job_kind"]
