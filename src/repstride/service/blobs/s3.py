"""Blob store adapter for scale-out: S3 or any S3-compatible store (MinIO, ...) via boto3.

``POST /videos`` hands out a real S3 presigned POST (``url`` + ``fields``: key, policy with a
``content-length-range`` of 1..declared size and an expiry, signature), so the bytes go straight
to the object store and never through the API servers; downloads are presigned GETs.

Upload completion: the API learns that a direct upload finished by asking the store. Every read
of a still-``Pending`` video (``GET /videos/{id}``, ``/analysis``, ``/j2p``, ``/objects`` -- what
the seed clients poll) sends one HEAD for its source key (:class:`DirectUploadVideoService`);
the first read that finds the object flips the video to ``Success`` and creates its analysis job
in one conditional UPDATE (:meth:`VideoService.upload_received`), so the job is enqueued exactly
once however many API processes are polling. Chosen over S3 event notifications because it
needs no bucket configuration and works the same on AWS, MinIO and test servers; the cost is one
HEAD per poll until the upload is seen.

Credentials: the standard AWS chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` /
``AWS_SESSION_TOKEN``, profiles, instance roles). ``REPSTRIDE_S3_ENDPOINT_URL`` points at MinIO
or another S3-compatible server (path-style addressing is used then).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from repstride.errors import AlreadyUploaded, ConfigurationError, FileTooLarge, NotFound
from repstride.service.blobs.local import PresignedPost, check_key
from repstride.service.videos.service import PENDING, VideoRecord, VideoService

if TYPE_CHECKING:
    from repstride.service.settings import Settings

log = logging.getLogger(__name__)

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
    """The :class:`~repstride.service.blobs.local.BlobStore` port on one bucket (optionally under a key
    prefix). boto3 clients are thread-safe; one is made per store (per process)."""

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
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data)

    def put_file(self, key: str, path: Path) -> None:
        # Multipart above boto3's threshold; streams from disk.
        self.client.upload_file(str(path), self.bucket, check_key(key))

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

    def delete_prefix(self, prefix: str) -> int:
        """Delete the object ``prefix`` and everything under ``prefix/``."""
        base = check_key(prefix.rstrip("/"))
        keys: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base)
        for page in pages:
            keys += [o["Key"] for o in page.get("Contents", [])
                     if o["Key"] == base or o["Key"].startswith(base + "/")]
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


def make_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 S3 client (SigV4; path-style addressing for a custom endpoint such as MinIO)."""
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path" if endpoint_url else "auto"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region,
                                          config=config)


class DirectUploadVideoService(VideoService):
    """:class:`VideoService` for stores the client uploads to directly: a read of a Pending
    video checks whether its upload has arrived (see the module docstring)."""

    def get(self, client_id: str, video_id: str) -> VideoRecord:
        v = super().get(client_id, video_id)
        if v.status != PENDING:
            return v
        return self.detect_upload(v)

    def detect_upload(self, v: VideoRecord) -> VideoRecord:
        """HEAD the source; when present, mark uploaded + enqueue (once) and re-read."""
        try:
            size = self.blobs.head_size(v.video_key)  # type: ignore[attr-defined]
        except Exception:  # the store is briefly away: the video stays Pending, poll again
            log.warning("could not check the upload of video %s", v.id, exc_info=True)
            return v
        if size is None:
            return v
        if size > min(v.size, self.settings.max_upload_bytes):
            # S3 enforces the policy's content-length-range; a store that does not (some test
            # servers) must not get a larger file analysed than the one declared.
            self._refuse_upload(v, FileTooLarge.code)
            return super().get(v.client_id, v.id)
        try:
            self.upload_received(v.id, size)
        except AlreadyUploaded:
            pass  # another request (or API process) saw it first and enqueued the job
        return super().get(v.client_id, v.id)

    def _refuse_upload(self, v: VideoRecord, reason: str) -> None:
        from sqlalchemy import update

        from repstride.service.models import Video
        from repstride.service.videos.service import FAILED

        now = self.clock()
        with self.db.session() as s:
            res = s.execute(update(Video).where(Video.id == v.id, Video.status == PENDING)
                            .values(status=FAILED, reason=reason, analysis_status=FAILED,
                                    analysis_reason=reason, pose_status=FAILED, updated_at=now)
                            .execution_options(synchronize_session=False))
        if res.rowcount == 1:
            self.blobs.delete_prefix(v.video_key)


__all__ = ["DirectUploadVideoService", "S3BlobStore", "make_client"]
