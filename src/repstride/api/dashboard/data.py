"""What the dashboard's pages read besides the public API: the combined list of a client's
videos and running analyses (filtered, paginated), each video's stage, its main joint-angle
series with rep bands and the thresholds behind the opinions, and failure reasons in words.

Everything is read for one client (``client_id``); another client's item is ``not_found``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select

from repstride.analysis.exercise.specs import SPECS
from repstride.errors import NotFound, RepstrideError
from repstride.render.angles import main_joint_angle
from repstride.service import Services
from repstride.service.models import Video
from repstride.service.running.models import RunningAnalysis
from repstride.service.videos.jobs import load_track
from repstride.service.videos.service import COMPLETE, FAILED, VideoRecord

KINDS = ("all", "video", "running")
#: Unified statuses of the list (Video API and Running Analysis API words mapped onto them).
STATUSES = ("pending", "analyzing", "complete", "failed")
MAX_PER_PAGE = 50
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


def video_status(v: Video | VideoRecord) -> str:
    if v.status == FAILED or v.analysis_status == FAILED:
        return "failed"
    if v.analysis_status == COMPLETE:
        return "complete"
    return "analyzing" if v.status == "Success" else "pending"


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


def _running_status(status: str) -> str:
    return {"success": "complete"}.get(status, status)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


def list_items(services: Services, client_id: str, *, kind: str = "all", status: str = "",
               q: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Newest first; ``q`` matches the file name or the activity (case-insensitive)."""
    per_page = max(1, min(MAX_PER_PAGE, per_page))
    page = max(1, page)
    need = page * per_page
    rows: list[dict[str, Any]] = []
    total = 0
    like = f"%{q.strip().lower()}%" if q.strip() else None
    with services.db.session() as s:
        if kind in ("all", "video"):
            cond = [Video.client_id == client_id]
            if like:
                cond.append(or_(func.lower(Video.filename).like(like),
                                func.lower(func.coalesce(Video.activity, "")).like(like)))
            if status == "failed":
                cond.append(or_(Video.status == FAILED, Video.analysis_status == FAILED))
            elif status == "complete":
                cond.append(Video.analysis_status == COMPLETE)
            elif status == "pending":
                cond += [Video.status == "Pending", Video.analysis_status != FAILED]
            elif status == "analyzing":
                cond += [Video.status == "Success",
                         Video.analysis_status.notin_((COMPLETE, FAILED))]
            total += s.scalar(select(func.count()).select_from(Video).where(*cond)) or 0
            for v in s.scalars(select(Video).where(*cond).order_by(Video.created_at.desc())
                               .limit(need)):
                reps = None
                if v.analysis_status == COMPLETE and v.analysis:
                    reps = len(v.analysis.get("reps", []))
                rows.append({"kind": "video", "id": v.id, "filename": v.filename,
                             "status": video_status(v), "activity": v.activity,
                             "createdAt": v.created_at, "repCount": reps,
                             "url": f"/ui/videos/{v.id}"})
        if kind in ("all", "running"):
            cond = [RunningAnalysis.client_id == client_id]
            if like:
                cond.append(or_(func.lower(func.coalesce(RunningAnalysis.filename, "")).like(like),
                                func.lower(RunningAnalysis.analysis_type).like(like)))
            if status:
                cond.append(RunningAnalysis.status == {"complete": "success"}.get(status, status))
            total += s.scalar(select(func.count()).select_from(RunningAnalysis)
                              .where(*cond)) or 0
            for r in s.scalars(select(RunningAnalysis).where(*cond)
                               .order_by(RunningAnalysis.created_at.desc()).limit(need)):
                rows.append({"kind": "running", "id": r.id, "filename": r.filename,
                             "status": _running_status(r.status), "activity": r.analysis_type,
                             "createdAt": r.created_at, "repCount": None,
                             "percentage": r.percentage, "url": f"/ui/running/{r.id}"})
    rows.sort(key=lambda r: r["createdAt"], reverse=True)
    return Page(items=rows[(page - 1) * per_page:need], total=total, page=page,
                per_page=per_page)


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
    if video.pose_status == COMPLETE:
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
