"""What the dashboard's pages read besides the public API: the combined list of a client's
videos and running analyses (filtered, paginated), each video's stage, its main joint-angle
series with rep bands and the thresholds behind the opinions, and failure reasons in words.

Everything is read for one client (``client_id``); another client's item is ``not_found``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from repstride.analysis.exercise.specs import SPECS
from repstride.errors import NotFound, RepstrideError
from repstride.render.angles import main_joint_angle
from repstride.service import Services
from repstride.service.videos.jobs import load_track
from repstride.service.dashboard import (  # noqa: F401  (the list lives in the service)
    KINDS, MAX_PER_PAGE, STATUSES, Page, list_items, running_status, video_status,
)
from repstride.service.videos.service import COMPLETE, FAILED, VideoRecord

#: Points of a chart series sent to the browser (longer tracks are decimated evenly).
MAX_CHART_POINTS = 600


def reason_text(code: str | None) -> str | None:
    """A stable error code in words (the error's documented message), or None."""
    if not code:
        return None
    stack: list[type[RepstrideError]] = [RepstrideError]
    while stack:
        cls = stack.pop()
        if cls.__dict__.get("code") == code:
            return cls.default_message
        stack.extend(cls.__subclasses__())
    return code.replace("_", " ").capitalize() + "."


def video_stage(v: VideoRecord) -> dict[str, Any]:
    """Where the analysis is: ``upload`` / ``pose`` / ``analysis`` / ``overlays`` / ``done``."""
    overlays_done = all(o.get("status") in (COMPLETE, FAILED) for o in v.overlays.values())
    if v.status != "Success" and v.status != FAILED:
        stage, frac = "upload", 0.0
    elif v.pose_status not in (COMPLETE, FAILED) and video_status(v) != "failed":
        stage, frac = "pose", 0.25
    elif v.analysis_status not in (COMPLETE, FAILED):
        stage, frac = "analysis", 0.6
    elif not overlays_done and v.analysis_status == COMPLETE:
        stage, frac = "overlays", 0.8
    else:
        stage, frac = "done", 1.0
    return {"stage": stage, "fraction": frac}


def _decimate(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, MAX_CHART_POINTS)).round().astype(int))


def _series(track: Any, activity: str | None) -> dict[str, Any]:
    series = main_joint_angle(track, activity)
    idx = _decimate(len(track)) if len(track) else np.zeros(0, int)
    deg = series.degrees[idx]
    return {"label": f"{series.joint.label} angle ({series.side})", "unit": "deg",
            "times_s": [round(float(t), 3) for t in track.timestamps_s[idx]],
            "values": [None if not np.isfinite(d) else round(float(d), 1) for d in deg]}


def video_detail(services: Services, video: VideoRecord) -> dict[str, Any]:
    """Stage, reason in words, thresholds of the activity's analyses, and the angle chart."""
    body: dict[str, Any] = {"id": video.id, "status": video_status(video), **video_stage(video)}
    body["reasonText"] = reason_text(video.analysis_reason or video.reason) \
        if body["status"] == "failed" else None
    spec = SPECS.get(video.activity or "")
    if video.analysis and video.analysis.get("activity") in SPECS:
        spec = SPECS[video.analysis["activity"]]
    body["thresholds"] = {a.type: {"goodMin": a.good_min, "goodMax": a.good_max}
                          for a in (spec.analyses if spec else ())}
    body["chart"] = None
    if video.pose_status == COMPLETE and video.tracks_expired_at is None:
        activity = (video.analysis or {}).get("activity") or video.activity
        body["chart"] = _series(load_track(services, video.id), activity)
    return body


def running_chart(services: Services, running: Any, rec: Any) -> dict[str, Any] | None:
    """The knee angle of a successful running analysis (None before ``success``)."""
    if rec.status != "success" or rec.track_key is None:
        return None
    try:
        track = running.load_track(rec)
    except NotFound:
        return None
    return _series(track, "sprint")
