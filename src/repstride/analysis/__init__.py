"""Pure-numpy analysis of pose tracks. Never imports av, mediapipe, sqlalchemy, fastapi, boto3 or
httpx (a test enforces it).

The names below are loaded on first use (PEP 562): importing one submodule, e.g.
``repstride.analysis.track`` for ``PoseTrack`` in the pose stage, does not pay for the whole
exercise and running engine (scipy.signal / scipy.stats, ~0.5 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ACTIVITY_DOMAIN": "activities", "ALL_ACTIVITIES": "activities", "DOMAINS": "activities",
    "resolve_activity": "activities",
    "ActivityResult": "results", "Rep": "results", "RepAnalysis": "results",
    "Joint": "track", "PoseTrack": "track",
    "analyze_activity": "dispatch",
}

__all__ = list(_EXPORTS)

if TYPE_CHECKING:
    from repstride.analysis.activities import (
        ACTIVITY_DOMAIN, ALL_ACTIVITIES, DOMAINS, resolve_activity,
    )
    from repstride.analysis.dispatch import analyze_activity
    from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
    from repstride.analysis.track import Joint, PoseTrack


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
