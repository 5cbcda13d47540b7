"""The combined, paginated list of one client's videos and running analyses (the dashboard's
list page): newest first, filtered by kind, unified status and a text query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from repstride.service.container import Services
from repstride.service.models import Video
from repstride.service.running.models import RunningAnalysis
from repstride.service.videos.service import COMPLETE, FAILED, VideoRecord

KINDS = ("all", "video", "running")
#: Unified statuses of the list (Video API and Running Analysis API words mapped onto them).
STATUSES = ("pending", "analyzing", "complete", "failed")
MAX_PER_PAGE = 50
def video_status(v: Video | VideoRecord) -> str:
    if v.status == FAILED or v.analysis_status == FAILED:
        return "failed"
    if v.analysis_status == COMPLETE:
        return "complete"
    return "analyzing" if v.status == "Success" else "pending"


def running_status(status: str) -> str:
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
                             "status": running_status(r.status), "activity": r.analysis_type,
                             "createdAt": r.created_at, "repCount": None,
                             "percentage": r.percentage, "url": f"/ui/running/{r.id}"})
    rows.sort(key=lambda r: r["createdAt"], reverse=True)
    return Page(items=rows[(page - 1) * per_page:need], total=total, page=page,
                per_page=per_page)


__all__ = ["KINDS", "MAX_PER_PAGE", "STATUSES", "Page", "list_items", "running_status",
           "video_status"]
