"""The Video API's jobs (``analyze_video``, ``reanalyze_video``), run by
:class:`repstride.service.jobs.runner.JobRunner`. The analysis pipeline is a dependency
(:class:`Pipeline`), so tests can run the real flow or inject a fast one; production loads
``Settings.pipeline``.

Video analysis steps (``analyze_video`` job):
    download blob -> probe (fps, size, limits) -> pose (PoseTrack) -> store track.npz, j2p.json,
    objects.json -> analysis (from the stored track) -> artifact steps (``services.artifact_steps``,
    by default :data:`ARTIFACT_STEPS`).
``reanalyze_video`` (after PUT) reloads track.npz and repeats the last two steps only.

The handlers are exported as :data:`VIDEO_JOB_KINDS`; the container gives them to the runner.
They type what they use of the services as :class:`VideoJobHost` (the container's ``Services``
is one), so this module does not import the container.
"""

from __future__ import annotations

import importlib
import json
import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sqlalchemy import select

from repstride.errors import Expired, NotFound, RepstrideError, VideoTooLong
from repstride.service.blobs.port import BlobStore
from repstride.service.db import Database, update_where
from repstride.service.jobs.deletion import DeletionWatch
from repstride.service.jobs.runner import JobControl, JobKind
from repstride.service.settings import Settings
from repstride.service.models import Video
from repstride.service.videos.artifacts import (
    ARTIFACT_STEPS, RENDERED, ArtifactContext, ArtifactStep,
)
from repstride.service.videos.events import (
    ANALYSIS_FAILED, OVERLAYS_COMPLETED, analysis_event, notify_video,
)
from repstride.service.videos.service import (
    ANALYZE_VIDEO, COMPLETE, EXPIRED, FAILED, REANALYZE_VIDEO, VideoRecord, blob_key,
    video_prefix,
)

if TYPE_CHECKING:
    from repstride.analysis.results import ActivityResult
    from repstride.analysis.track import PoseTrack
    from repstride.pipeline import PoseResult

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
    """Production: :func:`repstride.pipeline.extract_video_pose` and
    :func:`repstride.pipeline.analyze_track` (what ``pipeline.analyze_video`` composes)."""

    def pose(self, path: Path, *, progress: ProgressFn | None = None) -> PoseResult:
        from repstride.pipeline import extract_video_pose

        return extract_video_pose(path, progress=progress)

    def analyze(self, track: PoseTrack, *, domain: str | None, activity: str | None,
                rep_count: int | None, video_path: Path | None = None) -> ActivityResult:
        from repstride.pipeline import analyze_track

        return analyze_track(track, domain=domain, activity=activity, rep_count=rep_count,
                             video_path=video_path)

    def warm_up(self) -> None:
        """Load the pose model before the first job (imports, TFLite runtime, model files).

        A job runs with 1 thread per model call when others run beside it and with every core
        when it is alone (:meth:`JobRunner.model_threads`): both interpreters are made ready."""
        from repstride.pipeline import usable_cores, warm_up_pose

        for threads in sorted({1, usable_cores()}):
            warm_up_pose(num_threads=threads)


def load_pipeline(spec: str) -> Pipeline:
    """``"module:attribute"`` -> an instance (a class is instantiated without arguments)."""
    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    return obj() if isinstance(obj, type) else obj


# --- the services the jobs use -----------------------------------------------------------------


class VideoJobHost(Protocol):
    """What the Video API's jobs use of the services (the container's ``Services`` is one)."""

    settings: Settings
    db: Database
    blobs: BlobStore
    pipeline: Pipeline
    #: the :class:`~repstride.service.webhooks.service.WebhookService` (video events)
    webhooks: Any
    clock: Callable[[], float]
    #: the overlay renderers, run in order after the analysis (:data:`ARTIFACT_STEPS`)
    artifact_steps: tuple[ArtifactStep, ...]


# --- video jobs -------------------------------------------------------------------------------


def _set(services: VideoJobHost, video_id: str, *, rev: int | None = None,
         event: str | None = None, **values: Any) -> bool:
    """Idempotent result write; with ``rev`` only if no PUT happened since the job started.
    ``event``: the webhook event the write reports, written in the same transaction
    (:mod:`repstride.service.videos.events`)."""
    where = [Video.id == video_id] + ([Video.analysis_rev == rev] if rev is not None else [])
    with services.db.session() as s:
        done = update_where(s, Video, *where, updated_at=services.clock(), **values)
        if done and event is not None:
            notify_video(services.webhooks, s, video_id, event)
        return done


def _fail_unmade(services: VideoJobHost, video_id: str, reason: str) -> None:
    """Terminal states are terminal: the overlays and thumbnail that will never be rendered
    (the analysis or the whole video failed) become ``Failed`` with ``reason`` instead of
    staying ``Pending`` for a client that polls them."""
    v = _load(services, video_id)
    if v is None:
        return
    overlays = dict(v.overlays)
    for name in RENDERED:
        if overlays.get(name, {}).get("status") not in (COMPLETE, FAILED):
            overlays[name] = {"status": FAILED, "reason": reason}
    if overlays != v.overlays:
        _set(services, video_id, overlays=overlays)


def _expire_overlays(services: VideoJobHost, v: VideoRecord) -> None:
    """A re-analysis after the retention sweep deleted the source: the overlays cannot be
    rendered again, and the old ones no longer match the analysis: deleted, ``Expired``."""
    for name in RENDERED:
        key = v.overlays.get(name, {}).get("key")
        if key:
            services.blobs.delete_prefix(key)
    expired = {name: {"status": EXPIRED, "reason": "source_expired"} for name in RENDERED}
    _set(services, v.id, overlays={**v.overlays, **expired})


def _load(services: VideoJobHost, video_id: str) -> VideoRecord | None:
    with services.db.session() as s:
        v = s.get(Video, video_id)
        return VideoRecord.of(v) if v is not None else None


def _watch(services: VideoJobHost, video_id: str) -> DeletionWatch:
    """The job's watch over its video (:mod:`repstride.service.jobs.deletion`)."""
    def exists() -> bool:
        with services.db.session() as s:
            return s.scalar(select(Video.id).where(Video.id == video_id)) is not None

    return DeletionWatch(exists, lambda: services.blobs.delete_prefix(video_prefix(video_id)),
                         what=f"Video {video_id}")


def _live(services: VideoJobHost, video_id: str, watch: DeletionWatch) -> VideoRecord:
    """The video, or :class:`~repstride.errors.Deleted` (after the cleanup) when it is gone."""
    v = _load(services, video_id)
    if v is None:
        raise watch.deleted()
    return v


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


def _store_pose(services: VideoJobHost, video_id: str, pose: PoseResult) -> None:
    from repstride.pipeline import track_to_bytes, track_to_j2p

    blobs = services.blobs
    blobs.put_bytes(blob_key(video_id, "track.npz"), track_to_bytes(pose.track))
    blobs.put_bytes(blob_key(video_id, "j2p.json"),
                    json.dumps(track_to_j2p(pose.track), separators=(",", ":")).encode())
    blobs.put_bytes(blob_key(video_id, "objects.json"),
                    json.dumps(objects_to_wire(pose), separators=(",", ":")).encode())


def load_track(services: VideoJobHost, video_id: str) -> PoseTrack:
    """The stored pose track; 410 ``expired`` when the retention sweep deleted it."""
    from repstride.pipeline import track_from_bytes

    v = _load(services, video_id)
    if v is not None and v.tracks_expired_at is not None:
        raise Expired("The pose data of this video was deleted by the server's retention policy.")
    return track_from_bytes(services.blobs.get_bytes(blob_key(video_id, "track.npz")))


def _analyze_and_store(services: VideoJobHost, video_id: str, track: PoseTrack,
                       video_path: Path | None, workdir: Path, watch: DeletionWatch) -> None:
    v = _live(services, video_id, watch)
    if video_path is None and v.activity == "sprint":
        # a sprint's field markers are found in the video itself (re-analysis after a PUT)
        video_path = workdir / "source"
        services.blobs.download_to(v.video_key, video_path)
    try:
        result = services.pipeline.analyze(track, domain=v.domain, activity=v.activity,
                                           rep_count=v.rep_count, video_path=video_path)
    except RepstrideError as exc:
        if _set(services, video_id, rev=v.analysis_rev, event=ANALYSIS_FAILED,
                analysis_status=FAILED, analysis_reason=exc.code, analysis={
                    "status": FAILED, "reason": exc.code, "domain": v.domain,
                    "activity": v.activity, "reps": [], "repstride": {"message": exc.message}}):
            _fail_unmade(services, video_id, exc.code)
        return
    except Exception:
        # A bug in an analysis on this track: deterministic, so recorded rather than retried.
        log.exception("analysis of video %s failed", video_id)
        if _set(services, video_id, rev=v.analysis_rev, event=ANALYSIS_FAILED,
                analysis_status=FAILED, analysis_reason="analysis_error", analysis=None):
            _fail_unmade(services, video_id, "analysis_error")
        return
    from repstride.wire.videos import analysis_json

    wire = analysis_json(result)
    if not _set(services, video_id, rev=v.analysis_rev, event=analysis_event(result.status),
                analysis_status=result.status, analysis_reason=result.reason, analysis=wire):
        return  # a PUT changed the parameters meanwhile: its own job writes the result
    if services.artifact_steps:
        _run_artifacts(services, video_id, track, result, video_path, workdir, watch)


def _run_artifacts(services: VideoJobHost, video_id: str, track: PoseTrack, result: ActivityResult,
                   video_path: Path | None, workdir: Path, watch: DeletionWatch) -> None:
    if video_path is None:
        v = _live(services, video_id, watch)
        if v.uploads_expired_at is not None:
            _expire_overlays(services, v)
            return
        video_path = workdir / "source"
        services.blobs.download_to(v.video_key, video_path)
    ctx = ArtifactContext(services=services, video_id=video_id, video_path=video_path,
                          track=track, analysis=result, workdir=workdir)
    for step in services.artifact_steps:
        produced = step(ctx)
        v = _live(services, video_id, watch)  # the step stored blobs: none outlives a delete
        _set(services, video_id, overlays={**v.overlays, **produced})
    _set(services, video_id, event=OVERLAYS_COMPLETED)


def run_analyze_video(services: VideoJobHost, args: dict[str, Any], ctl: JobControl) -> None:
    """A video deleted while this runs ends the job with :class:`~repstride.errors.Deleted`
    (reason ``deleted``) within a second of the delete, leaving no blob behind."""
    video_id = args["video_id"]
    v = _load(services, video_id)
    if v is None:
        return  # deleted before the job started
    watch = _watch(services, video_id)
    try:
        _analyze_video(services, v, ctl, watch)
    except NotFound:
        watch.check(now=True)  # a blob vanished with its video: that is the reason
        raise
    watch.check(now=True)


def _analyze_video(services: VideoJobHost, v: VideoRecord, ctl: JobControl,
                   watch: DeletionWatch) -> None:
    video_id = v.id

    def progress(done: int, total: int) -> None:
        ctl.progress(done, total)
        watch.check()

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
            pose = services.pipeline.pose(path, progress=progress)
            watch.check(now=True)
            _store_pose(services, video_id, pose)
            track = pose.track
            _set(services, video_id, pose_status=COMPLETE, fps=track.fps,
                 width=track.width, height=track.height)
            watch.check(now=True)  # deleted while storing: leave no orphans
        _analyze_and_store(services, video_id, track, path, workdir, watch)


def run_reanalyze_video(services: VideoJobHost, args: dict[str, Any], ctl: JobControl) -> None:
    video_id, rev = args["video_id"], int(args["rev"])
    v = _load(services, video_id)
    if v is None or v.analysis_rev != rev:
        return  # deleted, or superseded by a later PUT (whose job does the work)
    watch = _watch(services, video_id)
    try:
        with tempfile.TemporaryDirectory(prefix="repstride-job-") as tmp:
            _analyze_and_store(services, video_id, load_track(services, video_id), None,
                               Path(tmp), watch)
    except NotFound:
        watch.check(now=True)
        raise
    watch.check(now=True)


def give_up_video(services: VideoJobHost, args: dict[str, Any], reason: str) -> None:
    """Final failure: the video (when the pose never completed), its analysis and the overlays
    not yet rendered are Failed."""
    v = _load(services, args["video_id"])
    if v is None:
        return
    if v.pose_status == COMPLETE:
        _set(services, v.id, event=ANALYSIS_FAILED, analysis_status=FAILED,
             analysis_reason=reason)
    else:
        _set(services, v.id, event=ANALYSIS_FAILED, status=FAILED, reason=reason,
             pose_status=FAILED, analysis_status=FAILED, analysis_reason=reason)
    _fail_unmade(services, v.id, reason)


#: The Video API's job kinds (composed with the other API's by the container).
VIDEO_JOB_KINDS: Mapping[str, JobKind] = MappingProxyType({
    ANALYZE_VIDEO: JobKind(run=run_analyze_video, give_up=give_up_video),
    REANALYZE_VIDEO: JobKind(run=run_reanalyze_video, give_up=give_up_video),
})

__all__ = ["ARTIFACT_STEPS", "VIDEO_JOB_KINDS", "VideoJobHost", "ArtifactContext", "ArtifactStep", "Pipeline", "RealPipeline",
           "load_pipeline", "load_track", "objects_to_wire"]
