"""The Running Analysis job: video -> pose -> side/back analysis -> annotated media -> results.

Registered with the worker as job kind ``running_analysis`` (args ``{"analysis_id": ...}``), so
it runs under the same leases, retries and shutdown handling as the Video API's jobs. The work is
a :class:`RunningPipeline` (a dependency: production uses :class:`RealRunningPipeline`; tests
inject a controllable one through :func:`repstride.service.running.service.attach_running`).

Progress: the pipeline reports a fraction 0..1 (pose dominates); the job maps it to the
``percentage`` the API shows while ``analyzing`` (monotonic, 1..99; 100 only with ``success``).

Failures: an input error (``InvalidInput`` family, ``LowQualityPose``) fails the analysis without
refund; a server-side error (``NotImplementedFeature``, a crash after the last retry, a dead
worker) fails it and refunds the credit.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from repstride.errors import NotImplementedFeature, RepstrideError
from repstride.service.running.service import (
    RUN_RUNNING_ANALYSIS, RunningService, blob_key, is_client_fault, running_service,
)
from repstride.service.running.params import RunningParams
from repstride.service.videos.jobs import JobControl, JobKind, register_job_kind

if TYPE_CHECKING:
    from repstride.analysis.track import PoseTrack
    from repstride.service.container import Services

log = logging.getLogger(__name__)

#: progress(fraction 0..1) reported by a pipeline.
Progress = Callable[[float], None]

#: Share of the bar each stage takes (pose estimation dominates the wall time).
POSE_SHARE = (0.02, 0.85)
ANALYSIS_AT = 0.88
RENDER_DONE = 0.99


@dataclass(frozen=True, eq=False)
class RunningOutcome:
    """What a pipeline produced. Media paths are files in the job's work directory (or None,
    with ``media_reason`` a message key saying why)."""

    track: PoseTrack
    analysis: dict[str, Any]
    thumbnail: Path | None = None
    output_video: Path | None = None
    media_reason: str | None = None


class RunningPipeline(Protocol):
    def __call__(self, video: Path, params: RunningParams, *, workdir: Path,
                 progress: Progress) -> RunningOutcome: ...


class RealRunningPipeline:
    """Production: :func:`repstride.pose.extract_pose`, then
    :func:`repstride.analysis.running.side_view.analyze_side_view` or
    :func:`repstride.analysis.running.back_view.analyze_back_view`, then
    :func:`repstride.render.render_running_video` (annotated MP4 + JPEG thumbnail)."""

    def __call__(self, video: Path, params: RunningParams, *, workdir: Path,
                 progress: Progress) -> RunningOutcome:
        from repstride.pose import extract_pose

        lo, hi = POSE_SHARE

        def pose_progress(done: int, total: int) -> None:
            progress(lo + (hi - lo) * min(1.0, done / max(total, 1)))

        pose = extract_pose(video, progress=pose_progress)
        track = pose.track
        result = self.analyze(track, params)
        progress(ANALYSIS_AT)
        wire = result.to_wire()
        thumb, out, reason = self.render(video, track, wire, workdir, progress,
                                         lang=params.language)
        return RunningOutcome(track=track, analysis=wire, thumbnail=thumb, output_video=out,
                              media_reason=reason)

    @staticmethod
    def analyze(track: PoseTrack, params: RunningParams) -> Any:
        if params.analysis_type == "side_view":
            from repstride.analysis.running.side_view import analyze_side_view

            return analyze_side_view(track, height_cm=params.height_cm,
                                     weight_kg=params.weight_kg, treadmill=params.treadmill,
                                     pace_s_per_km=params.pace_s_per_km,
                                     slow_motion_factor=params.slow_motion_factor)
        try:
            from repstride.analysis.running.back_view import analyze_back_view
        except ImportError as exc:
            raise NotImplementedFeature("The back-view running analysis is not built yet.") from exc
        return analyze_back_view(track, full_body=params.full_body,
                                 slow_motion_factor=params.slow_motion_factor)

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
        try:
            written = render_running_video(
                video, track, metrics=render_metrics(wire, lang), events=render_events(wire),
                out_path=out, thumbnail_path=thumb)
        except RepstrideError as exc:
            log.warning("running render failed: %s", exc.message)
            return None, None, "running_api.media.render_failed"
        progress(RENDER_DONE)
        return (Path(written["thumbnail"]) if "thumbnail" in written else None,
                Path(written.get("running", out)), None)


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


class _ProgressWriter:
    """Maps pipeline fractions to a monotonic 1..99 percentage, one DB write per point gained."""

    def __init__(self, svc: RunningService, analysis_id: str, ctl: JobControl) -> None:
        self.svc = svc
        self.analysis_id = analysis_id
        self.ctl = ctl
        self.last = 0

    def __call__(self, fraction: float) -> None:
        self.ctl.check()  # shutdown: the job is released and resumed by the next worker
        pct = int(max(0.0, min(0.99, float(fraction))) * 100)
        if pct > self.last:
            self.last = pct
            self.svc.set_percentage(self.analysis_id, pct)


def _store_track(svc: RunningService, analysis_id: str, track: PoseTrack) -> str:
    buf = io.BytesIO()
    np.savez_compressed(buf, **track.to_arrays())
    key = blob_key(analysis_id, "track.npz")
    svc.services.blobs.put_bytes(key, buf.getvalue())
    return key


def run_running_analysis(services: Services, args: dict[str, Any], ctl: JobControl) -> None:
    """The job (a plain function of ids): see the module docstring."""
    svc = running_service(services)
    analysis_id = str(args["analysis_id"])
    rec = svc.load(analysis_id)
    if rec is None or not svc.mark_analyzing(analysis_id):
        return  # deleted, or already final (a duplicate delivery)
    progress = _ProgressWriter(svc, analysis_id, ctl)
    progress(0.01)
    with tempfile.TemporaryDirectory(prefix="repstride-running-") as tmp:
        workdir = Path(tmp)
        video = workdir / Path(rec.video_key).name
        services.blobs.download_to(rec.video_key, video)
        try:
            outcome = svc.pipeline(video, rec.params, workdir=workdir, progress=progress)
        except RepstrideError as exc:
            svc.mark_failed(analysis_id, code=exc.code, detail=exc.message,
                            refund=not is_client_fault(exc))
            raise  # the runner records the job as failed (no retry for our own errors)
        values: dict[str, Any] = {"result": outcome.analysis,
                                  "track_key": _store_track(svc, analysis_id, outcome.track)}
        if outcome.thumbnail is not None and outcome.thumbnail.is_file():
            key = blob_key(analysis_id, "thumbnail.jpg")
            services.blobs.put_file(key, outcome.thumbnail)
            values["thumbnail_key"] = key
        if outcome.output_video is not None and outcome.output_video.is_file():
            key = blob_key(analysis_id, "annotated.mp4")
            services.blobs.put_file(key, outcome.output_video)
            values["output_video_key"] = key
        if "thumbnail_key" not in values or "output_video_key" not in values:
            values["media_reason"] = outcome.media_reason or "running_api.media.render_failed"
        svc.mark_success(analysis_id, **values)


def give_up_running_analysis(services: Services, args: dict[str, Any], reason: str) -> None:
    """Final failure decided by the runner (crash after the last retry, dead workers, or our own
    error already recorded by the job): fail the analysis and refund unless the video was at
    fault (``mark_failed`` is idempotent, so a failure the job recorded keeps its reason)."""
    svc = running_service(services)
    svc.mark_failed(str(args["analysis_id"]), code="internal_error",
                    detail=f"processing failed ({reason})", refund=True)


register_job_kind(RUN_RUNNING_ANALYSIS, JobKind(run=run_running_analysis,
                                                give_up=give_up_running_analysis))

__all__ = ["RealRunningPipeline", "RunningOutcome", "RunningPipeline", "render_events",
           "render_metrics", "run_running_analysis"]
