"""The blob store port: what the service asks of any store, and the value types it exchanges.

Two adapters implement it: :class:`~repstride.service.blobs.local.LocalBlobStore` (a directory
on disk; uploads and downloads go through this server's ``POST /uploads`` and ``GET /blobs/...``
routes, authorised by HMAC signatures) and :class:`~repstride.service.blobs.s3.S3BlobStore`
(clients upload to and download from the object store itself). Keys are ``/``-separated
relative paths (``videos/<id>/source``), checked by :func:`check_key`.

How an upload completes is part of the contract, so no caller needs to know which adapter it
has:

- ``direct_upload`` False: the bytes come through this server. The upload route verifies the
  signed form (:meth:`BlobStore.verify_post`), writes the blob (:meth:`BlobStore.open_write`)
  and records the upload; signed downloads are served by :meth:`BlobStore.verify_get`.
- ``direct_upload`` True: the client POSTs to the store. The server learns that an upload
  finished by asking the store for the object's size (:meth:`BlobStore.head_size`); the three
  server-side methods raise :class:`~repstride.errors.NotImplementedFeature`.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")

#: What a direct-upload store answers to the server-side upload/download calls.
DIRECT_UPLOAD_MESSAGE = "Uploads go directly to the object store in this deployment."


def check_key(key: str) -> str:
    """``key`` itself when it is a safe relative key; ValueError otherwise."""
    if not _KEY_RE.match(key) or len(key) > 300:
        raise ValueError(f"invalid blob key {key!r}")
    return key


@dataclass(frozen=True)
class PresignedPost:
    """Where and how to upload: POST multipart/form-data to ``url`` with ``fields`` then ``file``."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class UploadPolicy:
    """A verified upload policy (what the signature covered)."""

    key: str
    max_size: int
    expires: float
    meta: dict[str, Any] = field(default_factory=dict)


class BlobWriter(Protocol):
    """The file side of :meth:`BlobStore.open_write`: ``write`` raises
    :class:`~repstride.errors.FileTooLarge` past the limit; ``written`` counts bytes."""

    written: int

    def write(self, data: bytes) -> None: ...


@runtime_checkable
class BlobStore(Protocol):
    #: True when clients upload straight to the store (see the module docstring).
    direct_upload: bool

    def put_bytes(self, key: str, data: bytes) -> None: ...
    def put_file(self, key: str, path: Path) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download_to(self, key: str, path: Path) -> None: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...

    def head_size(self, key: str) -> int | None:
        """Size in bytes of the blob, or None when it does not exist (one cheap request)."""
        ...

    def delete_prefix(self, prefix: str) -> int: ...

    def list_prefix(self, prefix: str) -> dict[str, int]:
        """Every blob ``prefix`` itself or under ``prefix/``: key -> size in bytes."""
        ...

    def presigned_post(self, key: str, *, max_size: int, expires_s: float, base_url: str,
                       meta: dict[str, Any] | None = None) -> PresignedPost: ...
    def presigned_get(self, key: str, *, expires_s: float, base_url: str) -> str: ...

    # -- the server-side half of uploads and downloads (``direct_upload`` False) -------------

    def verify_post(self, fields: dict[str, str]) -> UploadPolicy:
        """Check the signed fields of an upload form; 403 errors on tampering or expiry."""
        ...

    def open_write(self, key: str, *, max_size: int | None = None
                   ) -> AbstractContextManager[BlobWriter]:
        """Write a blob atomically: it appears only if the block exits without error."""
        ...

    def verify_get(self, key: str, expires: str | None, signature: str | None) -> Path:
        """The local file of a signed download URL; InvalidSignature / NotFound otherwise."""
        ...


__all__ = ["BlobStore", "BlobWriter", "DIRECT_UPLOAD_MESSAGE", "PresignedPost", "UploadPolicy",
           "check_key"]
