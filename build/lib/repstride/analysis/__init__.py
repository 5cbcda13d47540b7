"""Pure-numpy analysis of pose tracks. Never imports av, mediapipe, sqlalchemy, fastapi, boto3 or
httpx (a test enforces it)."""

from repstride.analysis.activities import ACTIVITY_DOMAIN, ALL_ACTIVITIES, DOMAINS, resolve_activity
from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.track import Joint, PoseTrack
from repstride.analysis.dispatch import analyze_activity

__all__ = [
    "ACTIVITY_DOMAIN", "ALL_ACTIVITIES", "DOMAINS", "resolve_activity",
    "ActivityResult", "Rep", "RepAnalysis", "Joint", "PoseTrack", "analyze_activity",
]
