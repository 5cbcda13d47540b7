"""Blob store adapter for scale-out: S3 or any S3-compatible store (MinIO, ...) via boto3.

``POST /videos`` hands out a real S3 presigned POST (``url`` + ``fields``: key, policy with a
``content-length-range`` of 1..declared size and an expiry, signature), so the bytes go straight
to the object store and never through the API servers; downloads are presigned GETs.

Upload completion: the store is ``direct_upload`` (see :mod:`repstride.service.blobs.port`), so
the API learns that an upload finished by asking the store: every read of a still-``Pending``
video sends one HEAD for its source key (:meth:`head_size`, called by
:meth:`~repstride.service.videos.service.VideoService.detect_upload`). Chosen over S3 event
notifications because it needs no bucket configuration and works the same on AWS, MinIO and
test servers; the cost is one HEAD per poll until the upload is seen.

Credentials: the standard AWS chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` /
``AWS_SESSION_TOKEN``, profiles, instance roles). ``REPSTRIDE_S3_ENDPOINT_URL`` points at MinIO
or another S3-compatible server (path-style addressing is used then).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from repstride.errors import ConfigurationError, NotFound, NotImplementedFeature, StorageError
from repstride.service.blobs.port import (
    DIRECT_UPLOAD_MESSAGE, BlobWriter, PresignedPost, UploadPolicy, check_key,
)

if TYPE_CHECKING:
    from repstride.service.settings import Settings

#: Objects per DeleteObjects call (the S3 maximum).
DELETE_BATCH = 1000


def _is_missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    err = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return err.get("Code") in ("404", "NoSuchKey", "NotFound") or status == 404


class S3BlobStore:
    """The :class:`~repstride.service.blobs.port.BlobStore` port on one bucket (optionally under a
    key prefix). boto3 clients are thread-safe; one is made per store (per process)."""

    direct_upload = True

    def __init__(self, bucket: str, *, client: Any = None, endpoint_url: str | None = None,
                 region: str | None = None) -> None:
        if not bucket:
            raise ConfigurationError("REPSTRIDE_S3_BUCKET must name the bucket for "
                                     "REPSTRIDE_BLOB_STORE=s3.")
        self.bucket = bucket
        self.client = client if client is not None else make_client(endpoint_url, region)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        return cls(settings.s3_bucket or "", endpoint_url=settings.s3_endpoint_url,
                   region=settings.s3_region)

    # -- storage -------------------------------------------------------------------------

    def put_bytes(self, key: str, data: bytes) -> None:
        check_key(key)
        with _storing(key):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def put_file(self, key: str, path: Path) -> None:
        check_key(key)
        with _storing(key):  # multipart above boto3's threshold; streams from disk
            self.client.upload_file(str(path), self.bucket, key)

    def get_bytes(self, key: str) -> bytes:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except Exception as exc:
            if _is_missing(exc):
                raise NotFound(f"Blob {key!r} not found.") from exc
            raise
        with obj["Body"] as body:
            return body.read()

    def download_to(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.bucket, check_key(key), str(path))
        except Exception as exc:
            if _is_missing(exc):
                raise NotFound(f"Blob {key!r} not found.") from exc
            raise

    def head_size(self, key: str) -> int | None:
        """Size of the object, or None when it does not exist (one HEAD request)."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except Exception as exc:
            if _is_missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        return self.head_size(key) is not None

    def size(self, key: str) -> int:
        n = self.head_size(key)
        if n is None:
            raise NotFound(f"Blob {key!r} not found.")
        return n

    def list_prefix(self, prefix: str) -> dict[str, int]:
        base = check_key(prefix.rstrip("/"))
        out: dict[str, int] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base)
        for page in pages:
            out.update({o["Key"]: int(o["Size"]) for o in page.get("Contents", [])
                        if o["Key"] == base or o["Key"].startswith(base + "/")})
        return out

    def delete_prefix(self, prefix: str) -> int:
        """Delete the object ``prefix`` and everything under ``prefix/``."""
        keys = list(self.list_prefix(prefix))
        for i in range(0, len(keys), DELETE_BATCH):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[i:i + DELETE_BATCH]], "Quiet": True})
        return len(keys)

    # -- presigned upload / download -------------------------------------------------------

    def presigned_post(self, key: str, *, max_size: int, expires_s: float, base_url: str,
                       meta: dict[str, Any] | None = None) -> PresignedPost:
        """A real S3 presigned POST; ``base_url`` and ``meta`` are not needed (the key names
        the video, the store is the target)."""
        post = self.client.generate_presigned_post(
            Bucket=self.bucket, Key=check_key(key),
            Conditions=[["content-length-range", 1, int(max_size)]],
            ExpiresIn=int(expires_s))
        return PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()})

    def presigned_get(self, key: str, *, expires_s: float, base_url: str) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)},
            ExpiresIn=int(expires_s))

    # -- the server-side half of uploads: the store does it ----------------------------------

    def verify_post(self, fields: dict[str, str]) -> UploadPolicy:
        _direct_upload()

    def open_write(self, key: str, *, max_size: int | None = None
                   ) -> AbstractContextManager[BlobWriter]:
        _direct_upload()

    def verify_get(self, key: str, expires: str | None, signature: str | None) -> Path:
        _direct_upload()


@contextmanager
def _storing(key: str) -> Iterator[None]:
    """A failed write (store unreachable, refused, disk full on its side) as StorageError."""
    try:
        yield
    except OSError as exc:
        raise StorageError.from_os_error(exc) from exc
    except Exception as exc:  # botocore / boto3 errors
        raise StorageError(f"The object store did not store {key!r}: {exc}") from exc


def _direct_upload() -> NoReturn:
    raise NotImplementedFeature(DIRECT_UPLOAD_MESSAGE)


def make_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 S3 client (SigV4; path-style addressing for a custom endpoint such as MinIO)."""
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path" if endpoint_url else "auto"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region,
                                          config=config)


__all__ = ["S3BlobStore", "make_client"]
