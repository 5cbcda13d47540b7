"""Video -> PoseTrack -> analysis: the one place the chain is composed.

Every job (the Video API's ``analyze_video``/``reanalyze_video``, the Running Analysis API's
``running_analysis``) and every local CLI command (``repstride analyze``, ``run-analysis``,
``pose``) goes through these functions, the same in-process or on a Celery worker:

- :func:`extract_video_pose`: the pose model on one file (every tracked person, the subject's
  :class:`PoseTrack`);
- :func:`analyze_video` / :func:`analyze_track`: the exercise/sprint analysis
  (:class:`~repstride.analysis.ActivityResult`);
- :func:`analyze_running` / :func:`analyze_running_track`: the side- or back-view running
  analysis;
- :func:`track_to_bytes` / :func:`track_from_bytes`: how a stored track looks (``.npz``), so
  a job can store the pose before the analysis and re-analyse later without the pose model.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from repstride.analysis.track import PoseTrack
from repstride.pose import PoseResult, SubjectHint, extract_pose
from repstride.pose.j2p import to_j2p
from repstride.pose.extract import model_threads, usable_cores
from repstride.pose.models import warm_up as warm_up_pose

if TYPE_CHECKING:
    # The engines are imported where they run: `repstride pose` (which imports this module for
    # extract_video_pose) does not pay ~0.7 s for the exercise and running engines.
    from repstride.analysis import ActivityResult
    from repstride.analysis.running.back_view import BackViewResult
    from repstride.analysis.running.field_markers import FieldMarkers
    from repstride.analysis.running.side_view import SideViewResult

#: progress(stage, fraction 0..1)
StageProgress = Callable[[str, float], None]
#: progress(frames done, frames in total) of the pose model.
FrameProgress = Callable[[int, int], None]
#: Where the camera stands for a running analysis.
RunningView = Literal["side_view", "back_view"]
if TYPE_CHECKING:
    RunningResult = SideViewResult | BackViewResult


def __getattr__(name: str) -> Any:
    """``RunningResult`` (side- or back-view result) is built on first use (PEP 562)."""
    if name == "RunningResult":
        from repstride.analysis.running.back_view import BackViewResult
        from repstride.analysis.running.side_view import SideViewResult

        globals()[name] = value = SideViewResult | BackViewResult
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, eq=False)
class VideoAnalysis:
    pose: PoseResult
    analysis: ActivityResult


@dataclass(frozen=True, eq=False)
class RunningVideoAnalysis:
    pose: PoseResult
    analysis: RunningResult


def extract_video_pose(path: str | Path, *, progress: FrameProgress | None = None,
                       subject: SubjectHint | None = None, model: str | None = None,
                       ) -> PoseResult:
    """The pose model on one video file: the subject's track and every tracked person's boxes.

    ``model`` is the landmark model (``full``/``heavy``; None: ``$REPSTRIDE_POSE_MODEL``, else
    full)."""
    options: dict[str, object] = {}
    if subject is not None:
        options["subject"] = subject
    if model is not None:
        options["model"] = model
    return extract_pose(path, progress=progress, **options)


def analyze_video(
    path: str | Path,
    *,
    domain: str | None = None,
    activity: str | None = None,
    rep_count: int | None = None,
    progress: StageProgress | None = None,
) -> VideoAnalysis:
    """Run pose estimation then the activity analysis on one video file."""

    def pose_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("pose", min(1.0, done / max(total, 1)))

    pose = extract_video_pose(path, progress=pose_progress)
    result = analyze_track(pose.track, domain=domain, activity=activity, rep_count=rep_count,
                           video_path=path)
    if progress is not None:
        progress("analysis", 1.0)
    return VideoAnalysis(pose=pose, analysis=result)


def analyze_track(
    track: PoseTrack,
    *,
    domain: str | None = None,
    activity: str | None = None,
    rep_count: int | None = None,
    video_path: str | Path | None = None,
) -> ActivityResult:
    """The analysis stage alone (the server stores the track first, then calls this).

    For a sprint, ``video_path`` (when given) is searched for yard lines and cones, which then
    give the runner's distance; without it distance comes from the runner's body size.
    """
    from repstride.analysis import analyze_activity

    markers = (_sprint_markers(video_path, track)
               if activity == "sprint" and video_path is not None else None)
    return analyze_activity(track, domain=domain, activity=activity, rep_count=rep_count,
                            markers=markers)


def analyze_running(
    path: str | Path,
    *,
    view: RunningView = "side_view",
    height_cm: float,
    weight_kg: float,
    treadmill: bool = False,
    pace_s_per_km: float | None = None,
    full_body: bool = True,
    slow_motion_factor: float = 1.0,
    progress: FrameProgress | None = None,
) -> RunningVideoAnalysis:
    """The pose model, then the side- or back-view running analysis, on one video file.

    ``progress`` follows the pose model (it is almost all of the time). Raises
    :class:`~repstride.errors.LowQualityPose` when no stride can be found.
    """
    pose = extract_video_pose(path, progress=progress)
    result = analyze_running_track(pose.track, view=view, height_cm=height_cm,
                                   weight_kg=weight_kg, treadmill=treadmill,
                                   pace_s_per_km=pace_s_per_km, full_body=full_body,
                                   slow_motion_factor=slow_motion_factor)
    return RunningVideoAnalysis(pose=pose, analysis=result)


def analyze_running_track(
    track: PoseTrack,
    *,
    view: RunningView = "side_view",
    height_cm: float,
    weight_kg: float,
    treadmill: bool = False,
    pace_s_per_km: float | None = None,
    full_body: bool = True,
    slow_motion_factor: float = 1.0,
) -> RunningResult:
    """The running analysis stage alone. ``height_cm``, ``weight_kg``, ``treadmill`` and
    ``pace_s_per_km`` (a treadmill's belt speed) are used by the side view, ``full_body``
    (False: pronation only) by the back view; ``slow_motion_factor`` by both."""
    if view == "side_view":
        from repstride.analysis.running.side_view import analyze_side_view

        return analyze_side_view(track, height_cm=height_cm, weight_kg=weight_kg,
                                 treadmill=treadmill, pace_s_per_km=pace_s_per_km,
                                 slow_motion_factor=slow_motion_factor)
    if view == "back_view":
        from repstride.analysis.running.back_view import analyze_back_view

        return analyze_back_view(track, full_body=full_body,
                                 slow_motion_factor=slow_motion_factor)
    raise ValueError(f"unknown running view {view!r} (side_view or back_view)")


# --- track storage --------------------------------------------------------------------------


def track_to_bytes(track: PoseTrack) -> bytes:
    """A track as a compressed ``.npz`` (what the jobs store as ``track.npz``)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **track.to_arrays())
    return buf.getvalue()


def track_from_bytes(data: bytes) -> PoseTrack:
    """The inverse of :func:`track_to_bytes`."""
    with np.load(io.BytesIO(data)) as z:
        return PoseTrack.from_arrays({k: z[k] for k in z.files})


def track_to_j2p(track: PoseTrack) -> dict:
    """The Video API's joint data (``j2p.json``) of a track."""
    return to_j2p(track)


# --- sprint field markers -------------------------------------------------------------------


def _sprint_markers(path: str | Path, track: PoseTrack) -> FieldMarkers | None:
    """Yard lines / cones of a sprint video, looked for in the runner's direction of travel and
    outside the runner (bright limbs are not lines, an orange shirt is not a cone). None when
    the runner's legs cannot be followed: the sprint analysis then fails on its own."""
    from repstride.analysis.running.gait import detect_gait_events
    from repstride.errors import LowQualityPose
    from repstride.vision.field_markers import detect_field_markers_in_video

    try:
        direction = detect_gait_events(track).direction or 1
    except LowQualityPose:
        return None
    scale = np.array([track.width, track.height, track.width, track.height], float)
    people = {int(i): [tuple(b * scale)] for i, b in zip(track.frame_index, track.bbox)
              if np.isfinite(b).all()}
    return detect_field_markers_in_video(path, direction=direction, people=people)


__all__ = ["FrameProgress", "PoseResult", "RunningResult", "RunningVideoAnalysis",
           "RunningView", "StageProgress", "SubjectHint", "VideoAnalysis", "analyze_running",
           "analyze_running_track", "analyze_track", "analyze_video", "extract_video_pose",
           "model_threads", "track_from_bytes", "track_to_bytes", "track_to_j2p", "usable_cores",
           "warm_up_pose"]
