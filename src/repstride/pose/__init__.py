"""Pose estimation: MediaPipe BlazePose (from the mediapipe wheel) -> ``PoseTrack``."""

from repstride.analysis.track import Joint, PoseTrack
from repstride.pose.extract import PoseResult, extract_pose

__all__ = ["Joint", "PoseTrack", "PoseResult", "extract_pose"]
