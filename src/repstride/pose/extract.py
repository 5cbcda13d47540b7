"""Video -> PoseResult.

First version: the stock single-person MediaPipe Pose graph (BlazePose Full). The multi-person
tracker replaces the internals; the signature stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from repstride.analysis.track import NUM_JOINTS, PoseTrack
from repstride.media import VideoInfo, iter_frames, probe

ProgressFn = Callable[[int, int], None]  # (frames done, frames expected)


@dataclass(frozen=True, eq=False)
class PoseResult:
    """The subject's track plus every tracked person's boxes (the Video API's ``objects``)."""

    info: VideoInfo
    track: PoseTrack
    #: person id -> (T, 5) array ``x1, y1, x2, y2, score`` normalised, NaN where absent.
    people: dict[int, np.ndarray] = field(default_factory=dict)
    subject_id: int | None = None


def extract_pose(path: str | Path, *, progress: ProgressFn | None = None) -> PoseResult:
    import mediapipe as mp

    info = probe(path)
    xy, score, world, ts, idx = [], [], [], [], []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                                smooth_landmarks=True) as pose:
        for frame in iter_frames(path):
            res = pose.process(frame.rgb)
            ts.append(frame.timestamp_s)
            idx.append(frame.index)
            if res.pose_landmarks is None:
                xy.append(np.full((NUM_JOINTS, 2), np.nan))
                score.append(np.zeros(NUM_JOINTS))
                world.append(np.full((NUM_JOINTS, 3), np.nan))
            else:
                lm = res.pose_landmarks.landmark
                xy.append([[p.x, p.y] for p in lm])
                score.append([p.visibility for p in lm])
                wl = res.pose_world_landmarks.landmark
                world.append([[p.x, p.y, p.z] for p in wl])
            if progress is not None:
                progress(frame.index + 1, info.frames)
    xy_a = np.asarray(xy, float).reshape(-1, NUM_JOINTS, 2)
    lo = np.nanmin(xy_a, axis=1) if len(xy_a) else np.zeros((0, 2))
    hi = np.nanmax(xy_a, axis=1) if len(xy_a) else np.zeros((0, 2))
    track = PoseTrack(
        xy=xy_a, score=np.asarray(score, float).reshape(-1, NUM_JOINTS),
        world=np.asarray(world, float).reshape(-1, NUM_JOINTS, 3),
        timestamps_s=np.asarray(ts, float), frame_index=np.asarray(idx, np.int64),
        bbox=np.concatenate([lo, hi], axis=1).reshape(-1, 4),
        fps=info.fps or 30.0, width=info.width, height=info.height,
    )
    boxes = np.concatenate([track.bbox, np.where(track.detected, 1.0, np.nan)[:, None]], axis=1)
    return PoseResult(info=info, track=track, people={0: boxes}, subject_id=0)
