"""Video -> PoseTrack -> analysis -> artifacts. One function, the same in-process or on Celery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from repstride.analysis import ActivityResult, analyze_activity
from repstride.analysis.running.field_markers import FieldMarkers
from repstride.analysis.track import PoseTrack
from repstride.pose import PoseResult, extract_pose

#: progress(stage, fraction 0..1)
StageProgress = Callable[[str, float], None]


@dataclass(frozen=True, eq=False)
class VideoAnalysis:
    pose: PoseResult
    analysis: ActivityResult


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

    pose = extract_pose(path, progress=pose_progress)
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
    markers = (_sprint_markers(video_path, track)
               if activity == "sprint" and video_path is not None else None)
    return analyze_activity(track, domain=domain, activity=activity, rep_count=rep_count,
                            markers=markers)


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
