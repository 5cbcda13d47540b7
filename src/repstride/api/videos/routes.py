"""Video API resources (seed 001): create, get, update, delete, analysis, j2p, objects, overlays."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import BaseUrl, CurrentClient, OwnedVideo, PolledVideo, ServicesDep
from repstride.api.polling import poll_response
from repstride.api.schemas import ERRORS, documented
from repstride.api.videos.schemas import (
    AnalysisOut, ArtifactOut, J2POut, ObjectsOut, VideoCreateIn, VideoCreateOut, VideoIdOut,
    VideoListItemOut, VideoOut, VideoUpdateIn,
)
from repstride.errors import InvalidInput, ValidationFailed
from repstride.service import Services
from repstride.service.videos.listing import DEFAULT_VIDEO_PAGE, MAX_VIDEO_PAGE, VideoQuery, \
    parse_time
from repstride.service.videos.service import FAILED, PENDING, SUCCESS, VideoCreate, VideoRecord

router = APIRouter(tags=["videos"], responses=ERRORS)

INCLUDES = ("j2p", "analysis", "objects")


@router.post("/videos", response_model=VideoCreateOut)
def create_video(body: VideoCreateIn, client: CurrentClient, services: ServicesDep,
                 base: BaseUrl) -> VideoCreateOut:
    """Create a video; POST the returned ``fields`` then ``file`` as multipart to ``url``."""
    limit = services.settings.max_filename_length
    if len(body.filename) > limit:
        problem = f"String should have at most {limit} characters"
        raise ValidationFailed(f"Invalid request: filename: {problem}.",
                               details={"errors": [{"field": "filename", "problem": problem}]})
    video, post = services.videos.create(client.id, VideoCreate(
        filename=body.filename, size=body.size, source=body.source, domain=body.domain,
        activity=body.activity, rep_count=body.rep_count, schema_id=body.schema_id,
        notify_via_webhook=body.notify_via_webhook), base_url=base)
    return VideoCreateOut(id=video.id, url=post.url, fields=post.fields)


TimeQuery = Annotated[str | None, Query(max_length=64, description=(
    "Exclusive bound on createdAt: UNIX seconds or ISO 8601 (UTC when no zone)."))]


@router.get("/videos", **documented(list[VideoListItemOut]))
def list_videos(request: Request, response: Response, client: CurrentClient,
                services: ServicesDep, base: BaseUrl,
                limit: Annotated[int, Query(ge=1, le=MAX_VIDEO_PAGE, description=(
                    f"Page size, at most {MAX_VIDEO_PAGE}."))] = DEFAULT_VIDEO_PAGE,
                cursor: Annotated[str | None, Query(max_length=200, description=(
                    "The X-Next-Cursor of the previous page."))] = None,
                status: Annotated[str | None, Query(max_length=32)] = None,
                analysis_status: Annotated[str | None, Query(alias="analysisStatus",
                                                             max_length=32)] = None,
                activity: Annotated[str | None, Query(max_length=64)] = None,
                created_after: TimeQuery = None, created_before: TimeQuery = None,
                ) -> list[dict[str, Any]]:
    """repstride extension: the caller's videos, newest first, a JSON array per page. The next
    page's cursor is in ``X-Next-Cursor`` and ``Link: <...>; rel="next"`` (absent on the last
    page); filters ``status``, ``analysisStatus``, ``activity``, ``created_after``/``_before``."""
    query = VideoQuery(limit=limit, cursor=cursor, status=status,
                       analysis_status=analysis_status, activity=activity,
                       created_after=parse_time(created_after, "created_after"),
                       created_before=parse_time(created_before, "created_before"))
    videos, next_cursor = services.videos.list(client.id, query)
    if next_cursor is not None:
        response.headers["X-Next-Cursor"] = next_cursor
        nxt = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{base}{nxt.path}?{nxt.query}>; rel="next"'
    return [{"id": v.id, "filename": v.filename, "status": v.status,
             "analysisStatus": v.analysis_status, "createdAt": v.created_at,
             "domain": v.domain, "activity": v.activity,
             "notifyViaWebhook": v.notify_via_webhook} for v in videos]


def _parse_include(include: str | None) -> list[str]:
    wanted = [p.strip() for p in (include or "").split(",") if p.strip()]
    unknown = [p for p in wanted if p not in INCLUDES]
    if unknown:
        raise InvalidInput(f"Unknown include value(s): {', '.join(unknown)}.",
                           details={"accepted_include": list(INCLUDES)})
    return wanted


def _in_progress(video: VideoRecord) -> bool:
    """Still changing by itself: upload, analysis or an overlay not final yet."""
    if video.status == FAILED:
        return False
    return video.status == PENDING or video.analysis_status == PENDING or any(
        o.get("status", PENDING) == PENDING for o in video.overlays.values())


@router.get("/videos/{id}", **documented(VideoOut))
async def get_video(request: Request, polled: PolledVideo,
                    include: Annotated[str | None, Query(max_length=200)] = None
                    ) -> dict[str, Any]:
    """ETag / ``If-None-Match`` -> 304, ``Retry-After`` while in progress (``api.polling``)."""
    video, services, base = polled.video, polled.services, polled.base_url
    wanted = _parse_include(include)
    if "j2p" in wanted or "objects" in wanted:  # read from the blob store: not on the loop
        body = await run_in_threadpool(_video_body, video, services, base, wanted)
    else:
        body = _video_body(video, services, base, wanted)
    return poll_response(request, body, in_progress=_in_progress(video),  # type: ignore[return-value]
                         retry_after_s=services.settings.poll_retry_after_s)


def _video_body(video: VideoRecord, services: Services, base: str, wanted: list[str]
                ) -> dict[str, Any]:
    vs = services.videos
    body: dict[str, Any] = {
        "id": video.id, "status": video.status, "filename": video.filename, "size": video.size,
        "source": video.source, "domain": video.domain, "activity": video.activity,
        "repCount": video.rep_count, "fps": video.fps,
        "overlays": vs.overlays_wire(video, base_url=base),
        "thumbnail": vs.thumbnail_wire(video, base_url=base),
    }
    if video.status == "Failed":
        body["reason"] = video.reason
    if video.status == SUCCESS and video.uploads_expired_at is None:
        body["uri"] = vs.download_url(video.video_key, base_url=base)
    if expired := vs.expired_wire(video):
        body["expired"] = expired
    if "analysis" in wanted:
        body["analysis"] = vs.analysis_wire(video)
    if "j2p" in wanted:
        body["j2p"] = vs.j2p_wire(video)
    if "objects" in wanted:
        body["objects"] = vs.objects_wire(video)
    return body


@router.put("/videos/{id}", response_model=VideoIdOut)
def update_video(video: OwnedVideo, body: VideoUpdateIn, client: CurrentClient,
                 services: ServicesDep) -> VideoIdOut:
    """Change repCount/domain/activity; the analysis is recomputed from the stored pose track."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    services.videos.update(client.id, video.id, changes)
    return VideoIdOut(id=video.id)


@router.delete("/videos/{id}", status_code=204)
def delete_video(video: OwnedVideo, client: CurrentClient, services: ServicesDep) -> Response:
    services.videos.delete(client.id, video.id)
    return Response(status_code=204)


@router.get("/videos/{id}/analysis", **documented(AnalysisOut))
async def get_analysis(request: Request, polled: PolledVideo) -> dict[str, Any]:
    """Always 200: ``Pending`` from creation until the analysis is ``Complete`` or ``Failed``
    (with ``Retry-After`` meanwhile); ETag / ``If-None-Match`` -> 304."""
    video, services = polled.video, polled.services
    return poll_response(  # type: ignore[return-value]
        request, services.videos.analysis_wire(video),
        in_progress=video.analysis_status == PENDING,
        retry_after_s=services.settings.poll_retry_after_s)


@router.get("/videos/{id}/j2p", **documented(J2POut))
def get_j2p(video: OwnedVideo, services: ServicesDep) -> dict[str, Any]:
    return services.videos.j2p_wire(video)


@router.get("/videos/{id}/overlays", **documented(dict[str, ArtifactOut]))
def get_overlays(video: OwnedVideo, services: ServicesDep, base: BaseUrl) -> dict[str, Any]:
    """The ``overlays`` of ``GET /videos/{id}`` alone: ``{type: {status, uri?, reason?}}``."""
    return services.videos.overlays_wire(video, base_url=base)


@router.get("/videos/{id}/objects", **documented(ObjectsOut))
def get_objects(video: OwnedVideo, services: ServicesDep) -> dict[str, Any]:
    objects = services.videos.objects_wire(video)
    if video.pose_status == "Complete" and video.tracks_expired_at is not None:
        return {"status": "Expired", "reason": "retention", "objects": objects}
    status = {"Complete": "Complete", "Failed": "Failed"}.get(video.pose_status, "Pending")
    return {"status": status, "objects": objects}
