"""Streaming multipart/form-data: turns body chunks into events without buffering file parts.

Starlette's ``request.form()`` spools a whole file before the handler runs; an upload target must
instead check the signed policy *before* the file and enforce the size limit *while* receiving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from repstride.errors import MalformedUpload

#: File bytes collected before one write to disk (on a worker thread, off the event loop).
WRITE_BATCH = 1024 * 1024

#: Total bytes of non-file fields accepted (the policy fields are well under 2 kB).
MAX_FIELDS_BYTES = 64 * 1024

#: After refusing an upload, read (and discard) at most this much more of the body so that the
#: client gets to read the error instead of a connection reset.
DRAIN_LIMIT = 64 * 1024 * 1024


async def drain(request: Request, limit: int = DRAIN_LIMIT) -> None:
    """Read and discard what is left of a refused upload's body, up to ``limit`` bytes."""
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                return
    except Exception:  # the client went away: nothing to drain
        return


@dataclass
class Field:
    name: str
    value: str


@dataclass
class FileStart:
    name: str
    filename: str | None


@dataclass
class FileData:
    data: bytes


@dataclass
class PartEnd:
    name: str


Event = Field | FileStart | FileData | PartEnd


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    value: bytearray = field(default_factory=bytearray)


class MultipartStream:
    def __init__(self, content_type: str | None) -> None:
        ctype, params = parse_options_header(content_type or "")
        if ctype != b"multipart/form-data" or b"boundary" not in params:
            raise MalformedUpload("The upload must be multipart/form-data with a boundary.")
        self._events: list[Event] = []
        self._part: _Part | None = None
        self._hfield = bytearray()
        self._hvalue = bytearray()
        self._fields_bytes = 0
        self.finished = False
        self._parser = MultipartParser(params[b"boundary"], {
            "on_part_begin": self._on_part_begin,
            "on_header_field": lambda d, s, e: self._hfield.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._hvalue.extend(d[s:e]),
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        })

    def feed(self, chunk: bytes) -> list[Event]:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise MalformedUpload(f"Malformed multipart body: {exc}") from exc
        events, self._events = self._events, []
        return events

    def close(self) -> None:
        if not self.finished:
            raise MalformedUpload("The multipart body ended before its closing boundary.")

    # -- parser callbacks ----------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_end(self) -> None:
        assert self._part is not None
        self._part.headers[self._hfield.decode("latin-1").lower()] = self._hvalue.decode("latin-1")
        self._hfield.clear()
        self._hvalue.clear()

    def _on_headers_finished(self) -> None:
        part = self._part
        assert part is not None
        _, opts = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = opts.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in opts:
            part.filename = opts[b"filename"].decode("utf-8", "replace")
            self._events.append(FileStart(part.name, part.filename))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        assert part is not None
        if part.filename is not None:
            self._events.append(FileData(bytes(data[start:end])))
            return
        self._fields_bytes += end - start
        if self._fields_bytes > MAX_FIELDS_BYTES:
            raise MalformedUpload("The form fields are too large.")
        part.value.extend(data[start:end])

    def _on_part_end(self) -> None:
        part = self._part
        assert part is not None
        if part.filename is None:
            self._events.append(Field(part.name, part.value.decode("utf-8", "replace")))
        else:
            self._events.append(PartEnd(part.name))
        self._part = None

    def _on_end(self) -> None:
        self.finished = True


class BatchedWriter:
    """Collects a file part's bytes and writes them in :data:`WRITE_BATCH` pieces on a worker
    thread, so a slow disk never blocks the event loop and small chunks don't mean small writes."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._parts: list[bytes] = []
        self._n = 0

    async def add(self, data: bytes) -> None:
        self._parts.append(data)
        self._n += len(data)
        if self._n >= WRITE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        if self._parts:
            data = b"".join(self._parts)
            self._parts, self._n = [], 0
            await run_in_threadpool(self._fh.write, data)
