"""The Running Analysis job: video -> pose -> side/back analysis -> results -> annotated media.

Job kind ``running_analysis`` (args ``{"analysis_id": ...}``, exported in
:data:`RUNNING_JOB_KINDS`, given to the runner by the container), so it runs under the same
leases, retries and shutdown handling as the Video API's jobs. The work is a
:class:`RunningPipeline` (a dependency: the container gives :class:`RealRunningPipeline`; tests
inject a controllable one through :func:`repstride.service.running.service.attach_running`).

Results first: the analysis is ``success`` (results, calculated and raw data readable) as soon as
the pose and the analysis are done; the annotated video and thumbnail are rendered afterwards in
the same job (the pipeline's ``render_media``) with ``media_status`` ``pending`` meanwhile, then
``ready`` (or ``failed`` with a ``media_reason``). A job released or crashed while rendering is
run again by the runner and renders only; one that gives up leaves the media ``failed``. A
pipeline without ``render_media`` may return its media in the :class:`RunningOutcome` instead
(stored before ``success``).

Progress: the pipeline reports a fraction 0..1 through its real stages: pose estimation frame
by frame (:data:`POSE_SHARE`), gait events and metrics (:data:`EVENTS_AT`, :data:`METRICS_AT`);
the job maps it to the ``percentage`` the API shows while ``analyzing`` (monotonic, 1..99; 100
only with ``success``). The pose takes nearly all of the analysis' wall time (IMG_5396, 388
frames: pose 32.8 s, analysis 0.5 s; the render, 22.8 s, now follows ``success``).

Failures: an input error (``InvalidInput`` family, ``LowQualityPose``) fails the analysis without
refund; a server-side error (``NotImplementedFeature``, a crash after the last retry, a dead
worker) fails it and refunds the credit.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from repstride.errors import NotFound, RepstrideError
from repstride.service.blobs.port import BlobStore
from repstride.service.jobs.deletion import DeletionWatch
from repstride.service.running.models import RunningAnalysis
from repstride.service.running.service import (
    RUN_RUNNING_ANALYSIS, RunningService, blob_key, is_client_fault,
)
from repstride.service.running.models import MEDIA_PENDING
from repstride.service.running.params import RunningParams
from repstride.service.running.records import RunningRecord
from repstride.service.jobs.runner import JobControl, JobKind

if TYPE_CHECKING:
    from repstride.analysis.track import PoseTrack

log = logging.getLogger(__name__)

#: progress(fraction 0..1) reported by a pipeline.
Progress = Callable[[float], None]

#: Share of the bar each stage takes, in proportion to its wall time (see the module docstring).
POSE_SHARE = (0.02, 0.95)
EVENTS_AT = 0.96
METRICS_AT = 0.97
#: Fractions of the rendering itself (reported to ``render_media``'s ``progress``; the
#: analysis is ``success`` by then, so they only let a shutdown interrupt the render).
RENDER_SHARE = (0.0, 0.98)
RENDER_DONE = 0.99


@dataclass(frozen=True, eq=False)
class RunningMedia:
    """Rendered media: files in the job's work directory (or None, with ``media_reason`` a
    message key saying why)."""

    thumbnail: Path | None = None
    output_video: Path | None = None
    media_reason: str | None = None


@dataclass(frozen=True, eq=False)
class RunningOutcome:
    """What a pipeline's analysis produced. A pipeline that renders afterwards
    (``render_media``) leaves the media fields empty; one that does not may fill them (stored
    before ``success``, like the media of :class:`RunningMedia`)."""

    track: PoseTrack
    analysis: dict[str, Any]
    thumbnail: Path | None = None
    output_video: Path | None = None
    media_reason: str | None = None

    @property
    def media(self) -> RunningMedia | None:
        """The media the pipeline returned with the analysis, or None (to be rendered)."""
        if self.thumbnail is None and self.output_video is None and self.media_reason is None:
            return None
        return RunningMedia(self.thumbnail, self.output_video, self.media_reason)


class RunningPipeline(Protocol):
    """The analysis (``__call__``); a pipeline may also offer ``render_media(video, params,
    track, analysis, *, workdir, progress) -> RunningMedia``, run after ``success``."""

    def __call__(self, video: Path, params: RunningParams, *, workdir: Path,
                 progress: Progress) -> RunningOutcome: ...


class RealRunningPipeline:
    """Production: :func:`repstride.pipeline.extract_video_pose` (pose model), then
    :func:`repstride.pipeline.analyze_running_track` (side- or back-view analysis); after
    ``success``, :meth:`render_media`: :func:`repstride.render.render_running_video` (annotated
    MP4 + JPEG thumbnail)."""

    def __call__(self, video: Path, params: RunningParams, *, workdir: Path,
                 progress: Progress) -> RunningOutcome:
        from repstride.pipeline import extract_video_pose

        lo, hi = POSE_SHARE

        def pose_progress(done: int, total: int) -> None:
            progress(lo + (hi - lo) * min(1.0, done / max(total, 1)))

        pose = extract_video_pose(video, progress=pose_progress)
        track = pose.track
        progress(EVENTS_AT)
        result = self.analyze(track, params)
        progress(METRICS_AT)
        from repstride.wire.running import running_json

        return RunningOutcome(track=track, analysis=running_json(result))

    def render_media(self, video: Path, params: RunningParams, track: PoseTrack,
                     analysis: dict[str, Any], *, workdir: Path,
                     progress: Progress) -> RunningMedia:
        """The annotated video and thumbnail of a finished analysis (:meth:`render`)."""
        thumb, out, reason = self.render(video, track, analysis, workdir, progress,
                                         lang=params.language)
        return RunningMedia(thumbnail=thumb, output_video=out, media_reason=reason)

    @staticmethod
    def analyze(track: PoseTrack, params: RunningParams) -> Any:
        """The analysis stage alone on a track (:func:`repstride.pipeline.analyze_running_track`)."""
        from repstride.pipeline import analyze_running_track

        return analyze_running_track(track, **_running_args(params))

    @staticmethod
    def render(video: Path, track: PoseTrack, wire: dict[str, Any], workdir: Path,
               progress: Progress, *, lang: str = "en",
               ) -> tuple[Path | None, Path | None, str | None]:
        """Annotated video + thumbnail; a render problem nulls the media, never the analysis."""
        try:
            from repstride.render import render_running_video
        except ImportError:
            return None, None, "running_api.media.renderer_unavailable"
        out, thumb = workdir / "annotated.mp4", workdir / "thumbnail.jpg"
        lo, hi = RENDER_SHARE

        def render_progress(done: int, total: int) -> None:
            progress(lo + (hi - lo) * min(1.0, done / max(total, 1)))

        try:
            written = render_running_video(
                video, track, metrics=render_metrics(wire, lang), events=render_events(wire),
                out_path=out, thumbnail_path=thumb, progress=render_progress)
        except RepstrideError as exc:
            log.warning("running render failed: %s", exc.message)
            return None, None, "running_api.media.render_failed"
        progress(RENDER_DONE)
        return (Path(written["thumbnail"]) if "thumbnail" in written else None,
                Path(written.get("running", out)), None)


def _running_args(params: RunningParams) -> dict[str, Any]:
    """The analysis arguments of :mod:`repstride.pipeline` from the request's parameters."""
    return {"view": params.analysis_type, "height_cm": params.height_cm,
            "weight_kg": params.weight_kg, "treadmill": params.treadmill,
            "pace_s_per_km": params.pace_s_per_km, "full_body": params.full_body,
            "slow_motion_factor": params.slow_motion_factor}


#: Languages whose script the video font (ASCII Hershey) cannot draw: labels stay English there.
_NON_LATIN = ("zh", "ja", "ko")


def _ascii_fold(text: str) -> str:
    """``Cadência`` -> ``Cadencia``: the annotated video's font is ASCII only."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in folded if ord(ch) < 128)


def render_metrics(wire: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    """The metrics the annotated video shows: ``{label: {"value", "unit"}}`` with labels in the
    analysis' language (accents folded; English for zh/ja/ko, which the font cannot draw)."""
    from repstride.i18n import translate

    label_lang = "en" if lang in _NON_LATIN else lang
    out: dict[str, Any] = {}
    for name, m in (wire.get("metrics") or {}).items():
        if isinstance(m, dict) and isinstance(m.get("value"), (int, float)):
            label = _ascii_fold(translate(str(m.get("title_key") or name), label_lang))
            out[label] = {"value": m["value"], "unit": m.get("unit") or ""}
    if isinstance(wire.get("total_score"), (int, float)):
        out[_ascii_fold(translate("total_score.title", label_lang))] = {
            "value": wire["total_score"], "unit": ""}
    return out


def render_events(wire: dict[str, Any]) -> list[dict[str, Any]]:
    """Gait events of the analysis in the renderer's vocabulary (contact / toe_off)."""
    events = ((wire.get("gait_events") or {}).get("events")) or []
    kinds = {"TD": "contact", "TO": "toe_off"}
    return [{"time_s": e["timestampMs"] / 1000.0, "kind": kinds[e["type"]], "side": e["side"]}
            for e in events
            if e.get("type") in kinds and e.get("side") in ("left", "right")
            and isinstance(e.get("timestampMs"), (int, float))]


# --- the job --------------------------------------------------------------------------------


class RunningJobHost(Protocol):
    """What the job uses of the services (the container's ``Services`` is one)."""

    blobs: BlobStore
    running: RunningService


class _ProgressWriter:
    """Maps pipeline fractions to a monotonic 1..99 percentage, one DB write per point gained."""

    def __init__(self, svc: RunningService, analysis_id: str, ctl: JobControl,
                 watch: DeletionWatch) -> None:
        self.svc = svc
        self.analysis_id = analysis_id
        self.ctl = ctl
        self.watch = watch
        self.last = 0

    def __call__(self, fraction: float) -> None:
        self.ctl.check()  # shutdown: the job is released and resumed by the next worker
        self.watch.check()  # deleted: the job ends (reason ``deleted``), its blobs removed
        pct = int(max(0.0, min(0.99, float(fraction))) * 100)
        if pct > self.last:
            step = self.svc.progress_step()
            passed = pct // step > self.last // step
            self.last = pct
            if self.svc.set_percentage(self.analysis_id, pct) and passed:
                self.svc.notify(self.analysis_id, "analysis.progress")


def _store_track(svc: RunningService, analysis_id: str, track: PoseTrack) -> str:
    from repstride.pipeline import track_to_bytes

    key = blob_key(analysis_id, "track.npz")
    svc.services.blobs.put_bytes(key, track_to_bytes(track))
    return key


def _watch(services: RunningJobHost, analysis_id: str) -> DeletionWatch:
    """The job's watch over its analysis (:mod:`repstride.service.jobs.deletion`)."""
    svc = services.running

    def exists() -> bool:
        with svc.db.session() as s:
            return s.scalar(select(RunningAnalysis.id)
                            .where(RunningAnalysis.id == analysis_id)) is not None

    return DeletionWatch(exists, lambda: services.blobs.delete_prefix(f"running/{analysis_id}"),
                         what=f"Analysis {analysis_id}")


def _store_media(services: RunningJobHost, analysis_id: str, media: RunningMedia,
                 ) -> dict[str, Any]:
    """Blobs of the rendered files; the record's media columns (a reason when one is missing)."""
    values: dict[str, Any] = {}
    for path, name, column in ((media.thumbnail, "thumbnail.jpg", "thumbnail_key"),
                               (media.output_video, "annotated.mp4", "output_video_key")):
        if path is not None and path.is_file():
            key = blob_key(analysis_id, name)
            services.blobs.put_file(key, path)
            values[column] = key
    if "thumbnail_key" not in values or "output_video_key" not in values:
        values["media_reason"] = media.media_reason or "running_api.media.render_failed"
    return values


def _render_after_success(services: RunningJobHost, analysis_id: str, video: Path,
                          track: PoseTrack | None, workdir: Path, ctl: JobControl,
                          watch: DeletionWatch) -> None:
    """The annotated media of a ``success`` whose media are pending (see the module docstring)."""
    svc = services.running
    rec = svc.load(analysis_id)
    if rec is None or rec.media_status != MEDIA_PENDING:
        return
    render = getattr(svc.pipeline, "render_media", None)
    if render is None:
        svc.set_media(analysis_id, media_reason="running_api.media.renderer_unavailable")
        return
    if track is None:
        track = svc.load_track(rec)

    def check(_fraction: float) -> None:
        ctl.check()  # shutdown: released; the next worker renders (the results stay success)
        watch.check()  # deleted meanwhile: the job ends (reason ``deleted``)

    media = render(video, rec.params, track, rec.result or {}, workdir=workdir, progress=check)
    svc.set_media(analysis_id, **_store_media(services, analysis_id, media))


def run_running_analysis(services: RunningJobHost, args: dict[str, Any], ctl: JobControl) -> None:
    """The job (a plain function of ids): see the module docstring. An analysis deleted while
    this runs ends the job with :class:`~repstride.errors.Deleted` (reason ``deleted``), its
    blobs removed."""
    svc = services.running
    analysis_id = str(args["analysis_id"])
    rec = svc.load(analysis_id)
    if rec is None:
        return  # deleted
    media_only = rec.media_status == MEDIA_PENDING  # a retry after the results were stored
    if not media_only and not svc.mark_analyzing(analysis_id):
        return  # already final (a duplicate delivery)
    watch = _watch(services, analysis_id)
    try:
        _run(services, rec, ctl, watch, media_only=media_only)
    except NotFound:
        watch.check(now=True)  # a blob vanished with its analysis: that is the reason
        raise
    watch.check(now=True)  # every blob this job stored is followed by this check


def _run(services: RunningJobHost, rec: RunningRecord, ctl: JobControl, watch: DeletionWatch,
         *, media_only: bool) -> None:
    svc = services.running
    analysis_id = rec.id
    with tempfile.TemporaryDirectory(prefix="repstride-running-") as tmp:
        workdir = Path(tmp)
        video = workdir / Path(rec.video_key).name
        services.blobs.download_to(rec.video_key, video)
        if media_only:
            _render_after_success(services, analysis_id, video, None, workdir, ctl, watch)
            return
        progress = _ProgressWriter(svc, analysis_id, ctl, watch)
        progress(0.01)
        try:
            outcome = svc.pipeline(video, rec.params, workdir=workdir, progress=progress)
        except RepstrideError as exc:
            svc.mark_failed(analysis_id, code=exc.code, detail=exc.message,
                            refund=not is_client_fault(exc))
            raise  # the runner records the job as failed (no retry for our own errors)
        values: dict[str, Any] = {"result": outcome.analysis,
                                  "track_key": _store_track(svc, analysis_id, outcome.track)}
        if outcome.media is not None:
            values.update(_store_media(services, analysis_id, outcome.media))
        elif getattr(svc.pipeline, "render_media", None) is None:
            values["media_reason"] = "running_api.media.renderer_unavailable"
        if svc.mark_success(analysis_id, **values) and outcome.media is None:
            _render_after_success(services, analysis_id, video, outcome.track, workdir, ctl,
                                  watch)


def give_up_running_analysis(services: RunningJobHost, args: dict[str, Any], reason: str) -> None:
    """Final failure decided by the runner (crash after the last retry, dead workers, or our own
    error already recorded by the job): fail the analysis and refund unless the video was at
    fault (``mark_failed`` is idempotent, so a failure the job recorded keeps its reason)."""
    svc = services.running
    analysis_id = str(args["analysis_id"])
    # a stable infrastructure reason (storage_full, storage_error, ...) is the code itself
    code = "internal_error" if reason == "processing_failed" else reason
    svc.mark_failed(analysis_id, code=code,
                    detail=f"processing failed ({reason})", refund=True)
    rec = svc.load(analysis_id)
    if rec is not None and rec.media_status == MEDIA_PENDING:
        # the results are final; the media that will never be rendered are failed, not pending
        svc.set_media(analysis_id, media_reason="running_api.media.render_failed")


#: The Running Analysis API's job kinds (composed with the Video API's by the container).
RUNNING_JOB_KINDS: Mapping[str, JobKind] = MappingProxyType({
    RUN_RUNNING_ANALYSIS: JobKind(run=run_running_analysis, give_up=give_up_running_analysis),
})

__all__ = ["RUNNING_JOB_KINDS", "RealRunningPipeline", "RunningJobHost", "RunningMedia",
           "RunningOutcome", "RunningPipeline", "render_events", "render_metrics",
           "run_running_analysis"]
