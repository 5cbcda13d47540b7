"""Pose estimation: multi-person BlazePose Full (models from the mediapipe wheel, run with LiteRT)
-> the subject's ``PoseTrack`` plus every tracked person's boxes. See docs/pose.md."""

from repstride.analysis.track import Joint, PoseTrack
from repstride.pose.extract import PoseResult, TrackedPeople, extract_pose, track_people
from repstride.pose.models import warm_up
from repstride.pose.smooth import fix_left_right_swaps, smooth_track
from repstride.pose.subject import SubjectHint

__all__ = ["Joint", "PoseTrack", "PoseResult", "TrackedPeople", "SubjectHint", "extract_pose",
           "track_people", "smooth_track", "fix_left_right_swaps", "warm_up"]
