"""Biomechanics exports over HTTP: ``GET /videos/{id}/export`` (Video API) and
``GET /analysis/{id}/results/export`` (Running Analysis API), ``format=trc|mot|csv``.

The files are made on request from the stored pose track by :mod:`repstride.render.exports`.
TRC ``coordinates``: ``image`` (the image plane in metres, scaled by ``height``; a running
analysis uses its own ``height`` parameter) or ``world`` (the model's world coordinates).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import OwnedVideo, ServicesDep
from repstride.api.running.routes import OwnedAnalysis, RunningDep
from repstride.api.schemas import ERRORS
from repstride.errors import AnalysisNotCompleted
from repstride.render.exports import MEDIA_TYPES, export_text
from repstride.service.videos.jobs import load_track
from repstride.service.videos.service import COMPLETE

router = APIRouter(tags=["exports"], responses=ERRORS)

Format = Annotated[Literal["trc", "mot", "csv"], Query(description=(
    "trc: OpenSim marker trajectories; mot: OpenSim joint-angle motion file; csv: every "
    "landmark and angle per frame."))]
Coordinates = Annotated[Literal["image", "world"], Query(description=(
    "TRC only. image: the image plane in metres scaled by the subject's height (Y up, Z 0); "
    "world: the pose model's world coordinates (metres, hip-centred, Y up)."))]
Height = Annotated[float | None, Query(gt=0.5, lt=2.6, description=(
    "Subject height in metres for image coordinates (Video API; default 1.70 m, assumed)."))]

_DOCS = {200: {"description": "The file (attachment).",
               "content": {"text/plain": {"schema": {"type": "string"}},
                           "text/csv": {"schema": {"type": "string"}}}}}


def _file(text: str, stem: str, fmt: str) -> Response:
    return Response(text, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


def _stem(filename: str | None, fallback: str) -> str:
    base = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in base)[:80]
    return safe or fallback


@router.get("/videos/{id}/export", response_class=Response, responses=_DOCS)
async def export_video(video: OwnedVideo, services: ServicesDep, format: Format = "trc",
                       coordinates: Coordinates = "image", height: Height = None) -> Response:
    """The video's pose as TRC / MOT / CSV (400 ``analysis_not_completed`` before the pose)."""
    if video.pose_status != COMPLETE:
        raise AnalysisNotCompleted(
            f"The pose data of this video is not ready (status: {video.pose_status}).",
            details={"status": video.pose_status})
    stem = _stem(video.filename, video.id)
    track = await run_in_threadpool(load_track, services, video.id)
    text = await run_in_threadpool(export_text, track, format, name=stem,
                                   coordinates=coordinates, height_m=height)
    return _file(text, stem, format)


@router.get("/analysis/{id}/results/export", response_class=Response, responses=_DOCS)
async def export_running(analysis: OwnedAnalysis, running: RunningDep, format: Format = "trc",
                         coordinates: Coordinates = "image") -> Response:
    """The runner's pose as TRC / MOT / CSV, scaled by the analysis' ``height``; 400
    ``analysis_not_completed`` before ``success``."""
    running._require_success(analysis, analysis.language)  # noqa: SLF001 (the API's own rule)
    stem = _stem(analysis.filename, analysis.id)
    track = await run_in_threadpool(running.load_track, analysis)
    text = await run_in_threadpool(export_text, track, format, name=stem, coordinates=coordinates,
                                   height_m=analysis.params.height_cm / 100.0)
    return _file(text, stem, format)


__all__ = ["router"]
