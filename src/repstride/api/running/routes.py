"""Running Analysis API (seed 002): ``POST /analysis/start`` and the three result levels.

Auth (as Ochy's partner API): the ``apiKey`` query parameter alone identifies the client on every
route (missing -> 401 ``missing_api_key``, unknown/revoked -> 403 ``invalid_api_key``). An
``Authorization`` token (the Video API's) is optional; when sent it must authenticate and belong
to the same client (a token error keeps its 401 code; another client's token -> 403
``token_client_mismatch``). Error bodies carry Ochy's ``detail`` beside ``code``
(``api.errors``), in the ``?language=`` of the request when given.

``POST /analysis/start`` answers 202 ``{"message": "Analysis started for ID: <id>", "video_id"}``
(plus repstride's ``analysis_id`` / ``id`` / ``status``).

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

from fastapi import APIRouter, Depends, Header, Path as PathParam, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import BaseUrl, ServicesDep, parse_authorization, remember_client
from repstride.api.multipart_stream import (
    BatchedWriter, Field, FileData, FileStart, MultipartStream, PartEnd, drain,
)
from repstride.api.running.schemas import (
    RUNNING_ERRORS, CalculatedDataOut, RawDataOut, ResultsOut, RunningErrorOut, StartedOut,
)
from repstride.api.schemas import documented
from repstride.errors import (
    FileTooLarge, InvalidParameter, MalformedUpload, RepstrideError, TokenClientMismatch,
)
from repstride.i18n import LANGUAGES, translate
from repstride.service.auth import ClientInfo
from repstride.service.running.service import RunningRecord, RunningService
from repstride.service.running.models import ANALYZING, FAILED
from repstride.service.running.params import (
    parse_language, parse_running_params, with_query_fields,
)
from repstride.service.running.upload import VIDEO_FIELD, RunningUpload


router = APIRouter(tags=["running analysis"], responses=RUNNING_ERRORS)

#: Multipart framing tolerated on top of the file when judging ``Content-Length`` up front.
FORM_OVERHEAD_BYTES = 64 * 1024
#: File bytes gathered before one (threaded) disk write.


def get_running(services: ServicesDep) -> RunningService:
    return services.running


RunningDep = Annotated[RunningService, Depends(get_running)]


def request_language(language: Annotated[str | None, Query(
        description="Language of texts and error messages; default: the analysis' language, "
                    "else en.", json_schema_extra={"enum": list(LANGUAGES)})] = None) -> str:
    """The ``?language=`` of the request when it is a supported one, else English (errors met
    before the language is validated must still be answered)."""
    return language if language in LANGUAGES else "en"


RequestLanguage = Annotated[str, Depends(request_language)]


def running_client(request: Request, services: ServicesDep, running: RunningDep,
                   lang: RequestLanguage,
                   api_key: Annotated[str | None, Query(alias="apiKey", max_length=500)] = None,
                   authorization: Annotated[str | None, Header()] = None) -> ClientInfo:
    """The client of the ``apiKey``; an optional token must be the same client's."""
    client = running.authenticate(api_key, lang=lang)
    if authorization is not None and authorization.strip():
        holder = services.clients.authenticate(parse_authorization(authorization))
        if holder.id != client.id:
            raise TokenClientMismatch(translate("running_api.error.token_client_mismatch", lang))
    return remember_client(request, client)


RunningClient = Annotated[ClientInfo, Depends(running_client)]
Language = Annotated[str | None, Query(description="Override the analysis' language.",
                                       json_schema_extra={"enum": list(LANGUAGES)})]


def owned_analysis(running: RunningDep, client: RunningClient,
                   analysis_id: Annotated[str, PathParam(alias="id")],
                   language: Language = None) -> RunningRecord:
    """The caller's analysis (the ownership check of this API lives here)."""
    return running.get(client.id, analysis_id, lang=parse_language(language))


OwnedAnalysis = Annotated[RunningRecord, Depends(owned_analysis)]


# --- start --------------------------------------------------------------------------------------


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


def _declared_over(request: Request, max_bytes: int) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length.strip().isdigit()
            and int(length) > max_bytes + FORM_OVERHEAD_BYTES)


async def _receive(request: Request, *, max_bytes: int, tmp_dir: Path) -> RunningUpload:
    """Stream the form: fields kept, the ``video`` part written to a temp file as it arrives and
    refused (413) as soon as it passes ``max_bytes`` — never buffered whole, never written past
    the limit."""
    if _declared_over(request, max_bytes):
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


async def uploading_client(request: Request, services: ServicesDep, running: RunningDep,
                           lang: RequestLanguage,
                           api_key: Annotated[str | None, Query(alias="apiKey", max_length=500)] = None,
                           authorization: Annotated[str | None, Header()] = None) -> ClientInfo:
    """:func:`running_client` for the upload route: a refused caller's body (within the size
    limit) is drained first, so every client reads the 401/403 instead of a connection reset."""
    try:
        return await run_in_threadpool(running_client, request, services, running, lang,
                                       api_key, authorization)
    except RepstrideError:
        if not _declared_over(request, running.settings.max_bytes):
            await drain(request)
        raise


@router.post("/analysis/start", status_code=202, response_model=StartedOut)
async def start_analysis(request: Request,
                         client: Annotated[ClientInfo, Depends(uploading_client)],
                         running: RunningDep, lang: RequestLanguage) -> dict[str, Any]:
    """Upload a running video (multipart ``video`` + parameters); 202 with its id (``video_id``).

    The parameters may also come in the query string; a field sent in both keeps its form value.

    Errors: 413 ``file_too_large``, 400 ``video_too_long`` / ``invalid_file_type`` /
    ``invalid_parameter``, 402 ``insufficient_credits``, 401/403 auth.
    """
    upload: RunningUpload | None = None
    try:
        await run_in_threadpool(running.precheck_credits, client.id, lang)
        upload = await _receive(request, max_bytes=running.settings.max_bytes,
                                tmp_dir=running.tmp_dir)
        fields = with_query_fields(upload.fields, request.query_params)
        fields = await run_in_threadpool(_with_subject, running, client.id, fields)
        params = parse_running_params(fields)
        record = await run_in_threadpool(running.start, client.id, upload, params)
    except RepstrideError:
        if upload is not None:
            upload.discard()
        if not _declared_over(request, running.settings.max_bytes):
            await drain(request)  # else answer at once: the body is not read (nor waited for)
        raise
    return started_body(record)


def _with_subject(running: RunningService, client_id: str,
                  fields: dict[str, str]) -> dict[str, str]:
    """With a ``subject_id``: the subject must be the caller's (else 404), and its height and
    weight stand in for form fields left out (the form's own values win)."""
    sid = (fields.get("subject_id") or "").strip()
    if not sid:
        return fields
    subject = running.subjects.require(client_id, sid, lang=_form_language(fields))
    out = dict(fields)
    for key in ("height", "weight"):
        if not (out.get(key) or "").strip() and subject[key] is not None:
            out[key] = f"{subject[key]:g}"
    return out


def started_body(record: RunningRecord) -> dict[str, Any]:
    """Ochy's start answer (``message``, ``video_id``) and repstride's ids and status."""
    return {"message": f"Analysis started for ID: {record.id}", "video_id": record.id,
            "analysis_id": record.id, "id": record.id, "status": record.status}


# --- results ------------------------------------------------------------------------------------


def _lang(rec: RunningRecord, language: str | None) -> str:
    return parse_language(language) if language else rec.language


@router.get("/analysis/{id}/results",
            **documented(ResultsOut, **{"202": ResultsOut, "400": ResultsOut | RunningErrorOut}))
def get_results(analysis: OwnedAnalysis, running: RunningDep, base: BaseUrl,
                language: Language = None) -> JSONResponse:
    """Status (``pending`` 200 / ``analyzing`` 202 / ``success`` 200 / ``failed`` 400), signed
    media URLs (1 hour) and the translated ``biomechanical_analysis``."""
    body = running.results_body(analysis, _lang(analysis, language), base_url=base)
    status = {ANALYZING: 202, FAILED: 400}.get(analysis.status, 200)
    return JSONResponse(body, status_code=status)


@router.delete("/analysis/{id}", status_code=204)
def delete_analysis(analysis: OwnedAnalysis, client: RunningClient, running: RunningDep,
                    lang: RequestLanguage) -> Response:
    """Delete the analysis and its files (upload, pose data, thumbnail, annotated video); 204.
    Another client's analysis is 404. An analysis still running is stopped (its job ends with
    reason ``deleted``); the credit is not refunded."""
    running.delete(client.id, analysis.id, lang=lang)
    return Response(status_code=204)


@router.get("/analysis/{id}/results/calculated_data", **documented(CalculatedDataOut))
def get_calculated_data(analysis: OwnedAnalysis, running: RunningDep,
                        language: Language = None) -> dict[str, Any]:
    """Side view: metrics, overstride, foot_landing, joint_angles, running_styles, total_score.
    Back view: gait_cycle. 400 ``analysis_not_completed`` before ``success``."""
    return running.calculated_body(analysis, _lang(analysis, language))


@router.get("/analysis/{id}/results/raw_data", **documented(RawDataOut))
def get_raw_data(analysis: OwnedAnalysis, running: RunningDep,
                 language: Language = None) -> dict[str, Any]:
    """``video_input_information`` and every landmark of every frame, keyed by frame number."""
    return running.raw_body(analysis, _lang(analysis, language))


__all__ = ["router"]
