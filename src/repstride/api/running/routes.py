"""Running Analysis API (seed 002): ``POST /analysis/start`` and the three result levels.

Auth: the Video API's OAuth token (``Authorization: <token>`` or ``Bearer <token>``) and the
client's ``apiKey`` query parameter (missing -> 401, not this client's -> 403).

Lifecycle of ``GET /analysis/{id}/results``: ``pending`` 200, ``analyzing`` 202 (``percentage``),
``success`` 200, ``failed`` 400 (``code``, translated ``reason``). Calculated and raw data before
``success`` -> 400 ``analysis_not_completed``. Another client's analysis is 404 like a missing one.
Texts are in the analysis' ``language`` (``?language=`` overrides it on reads).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path as PathParam, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import BaseUrl, CurrentClient, ServicesDep
from repstride.api.multipart_stream import (
    BatchedWriter, Field, FileData, FileStart, MultipartStream, PartEnd,
)
from repstride.api.schemas import ERRORS
from repstride.errors import FileTooLarge, InvalidParameter, MalformedUpload, RepstrideError
from repstride.i18n import translate
from repstride.service.auth import ClientInfo
from repstride.service.running.service import RunningRecord, RunningService, running_service
from repstride.service.running.models import ANALYZING, FAILED
from repstride.service.running.params import parse_language, parse_running_params
from repstride.service.running.upload import VIDEO_FIELD, RunningUpload

import repstride.service.running.jobs  # noqa: F401  (registers the job kind with the workers)

router = APIRouter(tags=["running analysis"], responses={**ERRORS, 402: ERRORS[400]})

#: Multipart framing tolerated on top of the file when judging ``Content-Length`` up front.
FORM_OVERHEAD_BYTES = 64 * 1024
#: After refusing an upload, read and discard at most this much more of the body so the client
#: reads the error instead of a connection reset.
DRAIN_LIMIT = 64 * 1024 * 1024
#: File bytes gathered before one (threaded) disk write.


def get_running(services: ServicesDep) -> RunningService:
    return running_service(services)


RunningDep = Annotated[RunningService, Depends(get_running)]


def running_client(client: CurrentClient, running: RunningDep,
                   api_key: Annotated[str | None, Query(alias="apiKey", max_length=500)] = None,
                   ) -> ClientInfo:
    """The OAuth client, checked against its ``apiKey`` (the token is checked first)."""
    running.check_api_key(client.id, api_key)
    return client


RunningClient = Annotated[ClientInfo, Depends(running_client)]
Language = Annotated[str | None, Query(description="Override the analysis' language.")]


def owned_analysis(running: RunningDep, client: RunningClient,
                   analysis_id: Annotated[str, PathParam(alias="id")],
                   language: Language = None) -> RunningRecord:
    """The caller's analysis (the ownership check of this API lives here)."""
    return running.get(client.id, analysis_id, lang=parse_language(language))


OwnedAnalysis = Annotated[RunningRecord, Depends(owned_analysis)]


# --- start --------------------------------------------------------------------------------------


async def _drain(request: Request) -> None:
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > DRAIN_LIMIT:
                return
    except Exception:  # the client went away: nothing to drain
        return


def _form_language(fields: dict[str, str]) -> str:
    """The ``language`` field if it came before the file and is valid (errors met while
    receiving are then in the client's language), else English."""
    try:
        return parse_language(fields.get("language"))
    except RepstrideError:
        return "en"


def _too_large(max_bytes: int, lang: str = "en") -> FileTooLarge:
    return FileTooLarge(
        translate("running_api.error.file_too_large", lang, max_mb=f"{max_bytes / 2**20:g}"),
        details={"max_bytes": max_bytes})


async def _receive(request: Request, *, max_bytes: int, tmp_dir: Path) -> RunningUpload:
    """Stream the form: fields kept, the ``video`` part written to a temp file as it arrives and
    refused (413) as soon as it passes ``max_bytes`` — never buffered whole, never written past
    the limit."""
    length = request.headers.get("content-length")
    if length is not None and length.strip().isdigit() \
            and int(length) > max_bytes + FORM_OVERHEAD_BYTES:
        raise _too_large(max_bytes)
    try:
        stream = MultipartStream(request.headers.get("content-type"))
    except MalformedUpload as exc:
        raise InvalidParameter(translate("running_api.error.invalid_form"),
                               details={"field": VIDEO_FIELD}) from exc
    tmp_dir.mkdir(parents=True, exist_ok=True)
    upload = RunningUpload()
    fh = None
    batch: BatchedWriter | None = None
    receiving = False

    try:
        async for chunk in request.stream():
            for ev in stream.feed(chunk):
                if isinstance(ev, Field):
                    upload.fields.setdefault(ev.name, ev.value)
                elif isinstance(ev, FileStart) and ev.name == VIDEO_FIELD and upload.path is None:
                    fd, tmp = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
                    upload.path, upload.filename = Path(tmp), ev.filename
                    fh = os.fdopen(fd, "wb")
                    batch = BatchedWriter(fh)
                    receiving = True
                elif isinstance(ev, FileData) and receiving:
                    upload.size += len(ev.data)
                    if upload.size > max_bytes:
                        raise _too_large(max_bytes, _form_language(upload.fields))
                    assert batch is not None
                    await batch.add(ev.data)
                elif isinstance(ev, PartEnd) and receiving:
                    assert batch is not None
                    await batch.flush()
                    receiving = False
                # other file parts are ignored
        stream.close()
        if batch is not None:
            await batch.flush()
    except BaseException:
        if fh is not None:
            fh.close()
        upload.discard()
        raise
    if fh is not None:
        fh.close()
    if upload.path is None or upload.size == 0:
        upload.discard()
        raise InvalidParameter(translate("running_api.error.missing_video",
                                         _form_language(upload.fields)),
                               details={"field": VIDEO_FIELD})
    return upload


@router.post("/analysis/start")
async def start_analysis(request: Request, client: RunningClient,
                         running: RunningDep) -> dict[str, Any]:
    """Upload a running video (multipart ``video`` + parameters of seed 002); returns its id.

    Errors: 413 ``file_too_large``, 400 ``video_too_long`` / ``invalid_file_type`` /
    ``invalid_parameter``, 402 ``insufficient_credits``, 401/403 auth.
    """
    upload: RunningUpload | None = None
    try:
        await run_in_threadpool(running.precheck_credits, client.id)
        upload = await _receive(request, max_bytes=running.settings.max_bytes,
                                tmp_dir=running.tmp_dir)
        params = parse_running_params(upload.fields)
        record = await run_in_threadpool(running.start, client.id, upload, params)
    except RepstrideError:
        if upload is not None:
            upload.discard()
        await _drain(request)
        raise
    return {"analysis_id": record.id, "id": record.id, "status": record.status}


# --- results ------------------------------------------------------------------------------------


def _lang(rec: RunningRecord, language: str | None) -> str:
    return parse_language(language) if language else rec.language


@router.get("/analysis/{id}/results")
def get_results(analysis: OwnedAnalysis, running: RunningDep, base: BaseUrl,
                language: Language = None) -> JSONResponse:
    """Status (``pending`` 200 / ``analyzing`` 202 / ``success`` 200 / ``failed`` 400), signed
    media URLs (1 hour) and the translated ``biomechanical_analysis``."""
    body = running.results_body(analysis, _lang(analysis, language), base_url=base)
    status = {ANALYZING: 202, FAILED: 400}.get(analysis.status, 200)
    return JSONResponse(body, status_code=status)


@router.get("/analysis/{id}/results/calculated_data")
def get_calculated_data(analysis: OwnedAnalysis, running: RunningDep,
                        language: Language = None) -> dict[str, Any]:
    """Side view: metrics, overstride, foot_landing, joint_angles, running_styles, total_score.
    Back view: gait_cycle. 400 ``analysis_not_completed`` before ``success``."""
    return running.calculated_body(analysis, _lang(analysis, language))


@router.get("/analysis/{id}/results/raw_data")
def get_raw_data(analysis: OwnedAnalysis, running: RunningDep,
                 language: Language = None) -> dict[str, Any]:
    """``video_input_information`` and every landmark of every frame, keyed by frame number."""
    return running.raw_body(analysis, _lang(analysis, language))


__all__ = ["router"]
