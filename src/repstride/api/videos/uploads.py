"""The embedded blob store's HTTP side: the upload target and signed downloads.

``POST /uploads`` behaves like an S3 presigned POST: no Authorization header, the signed policy
fields first, then ``file``. It streams the file to the blob store (never holding it in memory),
accepts chunked bodies without Content-Length, and answers 204.
"""

from __future__ import annotations

from contextlib import ExitStack

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from repstride.api.deps import ServicesDep
from repstride.api.multipart_stream import (
    BatchedWriter, Field, FileData, FileStart, MultipartStream, PartEnd, drain,
)
from repstride.api.schemas import ERRORS
from repstride.errors import (
    InvalidUploadPolicy, MalformedUpload, NotImplementedFeature, RepstrideError,
)
from repstride.service import Services
from repstride.service.blobs.port import DIRECT_UPLOAD_MESSAGE, BlobStore

router = APIRouter(tags=["uploads"], responses=ERRORS)

#: Buffer file bytes up to this size before one (threaded) disk write.


def _served_store(services: Services) -> BlobStore:
    """The blob store, when uploads and downloads go through this server (not ``direct_upload``)."""
    if services.blobs.direct_upload:
        raise NotImplementedFeature(DIRECT_UPLOAD_MESSAGE)
    return services.blobs


@router.post("/uploads", status_code=204)
async def upload(request: Request, services: ServicesDep) -> Response:
    """Receive a file for a video created with ``POST /videos`` (fields from its response)."""
    store = _served_store(services)
    try:
        await _receive(request, services, store)
    except ClientDisconnect as exc:
        # Nobody is left to read an answer; the partial blob was discarded by the writer.
        raise MalformedUpload("The client disconnected before the upload finished.") from exc
    except RepstrideError:
        await drain(request)
        raise
    return Response(status_code=204)


async def _receive(request: Request, services: Services, store: BlobStore) -> None:
    stream = MultipartStream(request.headers.get("content-type"))
    fields: dict[str, str] = {}
    video_id: str | None = None
    written = -1
    with ExitStack() as stack:
        writer = None
        batch: BatchedWriter | None = None
        done_file = False

        async for chunk in request.stream():
            for ev in stream.feed(chunk):
                if isinstance(ev, Field) and writer is None and not done_file:
                    fields[ev.name] = ev.value
                elif isinstance(ev, FileStart) and ev.name == "file" and not done_file:
                    policy = store.verify_post(fields)
                    video_id = str(policy.meta.get("video_id", ""))
                    if not video_id:
                        raise InvalidUploadPolicy("The policy names no video.")
                    await run_in_threadpool(services.videos.check_uploadable, video_id)
                    limit = min(policy.max_size, services.settings.max_upload_bytes)
                    writer = stack.enter_context(store.open_write(policy.key, max_size=limit))
                    batch = BatchedWriter(writer)
                elif isinstance(ev, FileData) and batch is not None and not done_file:
                    await batch.add(ev.data)
                elif isinstance(ev, PartEnd) and batch is not None and not done_file:
                    await batch.flush()
                    done_file = True
                    written = writer.written
                # anything else (fields after the file, other file parts) is ignored, like S3
        stream.close()
        if writer is None:
            if "policy" not in fields:
                raise InvalidUploadPolicy("The upload form carries no signed policy fields.")
            raise MalformedUpload("The upload form has no 'file' part.")
        if written == 0:
            raise MalformedUpload("The uploaded file is empty.")
    # The blob is committed (ExitStack closed without error): record it and enqueue analysis.
    assert video_id is not None
    await run_in_threadpool(services.videos.upload_received, video_id, written)


@router.get("/blobs/{key:path}", include_in_schema=False)
def download(key: str, services: ServicesDep, expires: str | None = None,
             signature: str | None = None) -> FileResponse:
    """Signed download (the ``uri`` fields); the signature stands in for authentication."""
    store = _served_store(services)
    path = store.verify_get(key, expires, signature)
    return FileResponse(path, media_type="application/octet-stream",
                        filename=key.rsplit("/", 1)[-1])


__all__ = ["router"]
