"""Video API resources: create, receive upload, read results, update, delete.

Every read or write takes the calling client's id: a video of another client is reported exactly
like a missing one (:class:`NotFound`), and this module is the only place that check lives.

Upload completion follows the blob store's contract (:mod:`repstride.service.blobs.port`): when
the bytes come through this server, its upload route calls :meth:`VideoService.upload_received`;
when the client uploads to the store directly (``direct_upload``), every read of a still
``Pending`` video (``GET /videos/{id}``, ``/analysis``, ``/j2p``, ``/objects`` -- what the seed
clients poll) asks the store for the source's size (:meth:`VideoService.detect_upload`). The
first read that finds it flips the video to ``Success`` and creates its analysis job in one
conditional UPDATE, so the job is enqueued exactly once however many API processes are polling.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from repstride.analysis.activities import resolve_activity
from repstride.errors import AlreadyUploaded, Expired, FileTooLarge, NotFound, ValidationFailed
from repstride.service.blobs.port import BlobStore, PresignedPost
from repstride.service.jobs.store import JobStore
from repstride.service.models import Video
from repstride.service.db import Database, snapshot
from repstride.service.quotas import Quotas
from repstride.service.settings import Settings
from repstride.service.videos.events import ANALYSIS_FAILED
from repstride.service.videos.listing import VideoQuery, page_rows

log = logging.getLogger(__name__)

Clock = Callable[[], float]
#: notify(session, video_id, event_type): write a webhook event (``videos.events.notify_video``).
Notify = Callable[[Any, str, str], Any]

#: The overlay types of seed 001; ``render`` fills them in (see ``service.worker.ARTIFACT_STEPS``).
OVERLAY_TYPES: tuple[str, ...] = ("skeleton", "all")
#: The still image rendered with the overlays (kept beside them, shown as ``thumbnail``).
THUMBNAIL = "thumbnail"

#: Job kinds this module enqueues (handlers in ``service.worker``).
ANALYZE_VIDEO = "analyze_video"
REANALYZE_VIDEO = "reanalyze_video"

PENDING, SUCCESS, FAILED, COMPLETE = "Pending", "Success", "Failed", "Complete"
#: What the retention sweep deleted reads as ``{"status": "Expired", "reason": "retention"}``.
EXPIRED, RETENTION = "Expired", "retention"


def video_prefix(video_id: str) -> str:
    return f"videos/{video_id}"


def blob_key(video_id: str, name: str) -> str:
    """Deterministic keys: a retried job overwrites instead of duplicating (idempotent)."""
    return f"{video_prefix(video_id)}/{name}"


@dataclass(frozen=True)
class VideoRecord:
    id: str
    client_id: str
    filename: str
    size: int
    source: str | None
    schema_id: str | None
    domain: str | None
    activity: str | None
    rep_count: int | None
    status: str
    reason: str | None
    analysis_status: str
    analysis_reason: str | None
    analysis_rev: int
    analysis: dict[str, Any] | None
    pose_status: str
    overlays: dict[str, Any]
    video_key: str
    fps: float | None
    width: int | None
    height: int | None
    duration_s: float | None
    created_at: float
    uploaded_at: float | None
    notify_via_webhook: bool = False
    #: when the retention sweep deleted the source / pose data / overlays (else None)
    uploads_expired_at: float | None = None
    tracks_expired_at: float | None = None
    overlays_expired_at: float | None = None

    @classmethod
    def of(cls, v: Video) -> VideoRecord:
        return snapshot(cls, v)


@dataclass(frozen=True)
class VideoCreate:
    filename: str
    size: int
    source: str | None = None
    domain: str | None = None
    activity: str | None = None
    rep_count: int | None = None
    schema_id: str | None = None
    #: repstride extension: webhook events for this video (frozen at creation)
    notify_via_webhook: bool = False


class VideoService:
    def __init__(self, db: Database, blobs: BlobStore, jobs: JobStore,
                 submit: Callable[[str], None], settings: Settings, *, quotas: Quotas,
                 clock: Clock = time.time, notify: Notify | None = None) -> None:
        self.notify = notify
        self.quotas = quotas
        self.db = db
        self.blobs = blobs
        self.jobs = jobs
        self.submit = submit
        self.settings = settings
        self.clock = clock

    # -- create / upload -------------------------------------------------------------------

    def create(self, client_id: str, req: VideoCreate, *, base_url: str
               ) -> tuple[VideoRecord, PresignedPost]:
        if req.size > self.settings.max_upload_bytes:
            raise FileTooLarge(
                f"size {req.size} exceeds the {self.settings.max_upload_bytes}-byte limit.",
                details={"max_size": self.settings.max_upload_bytes})
        if req.size <= 0:
            raise ValidationFailed("size must be a positive number of bytes.")
        if req.rep_count is not None and req.rep_count < 0:
            raise ValidationFailed("repCount cannot be negative.")
        domain, activity = resolve_activity(req.domain, req.activity)
        self.quotas.check(client_id)
        vid = uuid.uuid4().hex
        now = self.clock()
        row = Video(
            id=vid, client_id=client_id, filename=req.filename, size=req.size, source=req.source,
            schema_id=req.schema_id, domain=domain, activity=activity, rep_count=req.rep_count,
            status=PENDING, analysis_status=PENDING, analysis_rev=0, pose_status=PENDING,
            overlays={t: {"status": PENDING} for t in OVERLAY_TYPES},
            video_key=blob_key(vid, "source"), created_at=now, updated_at=now,
            notify_via_webhook=bool(req.notify_via_webhook), webhook_sequence=0)
        with self.db.session() as s:
            s.add(row)
        post = self.blobs.presigned_post(
            row.video_key, max_size=req.size, expires_s=self.settings.upload_policy_ttl_s,
            base_url=base_url, meta={"video_id": vid})
        return VideoRecord.of(row), post

    def check_uploadable(self, video_id: str) -> VideoRecord:
        """Before streaming an upload: the video exists and has not been uploaded yet."""
        with self.db.session() as s:
            v = s.get(Video, video_id)
            if v is None:
                raise NotFound("The video of this upload policy no longer exists.")
            if v.status != PENDING:
                raise AlreadyUploaded()
            return VideoRecord.of(v)

    def upload_received(self, video_id: str, nbytes: int) -> str:
        """Mark the upload done and enqueue the analysis in the same transaction."""
        now = self.clock()
        with self.db.session() as s:
            res = s.execute(update(Video).where(Video.id == video_id, Video.status == PENDING)
                            .values(status=SUCCESS, uploaded_at=now, updated_at=now, size=nbytes)
                            .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                raise AlreadyUploaded()
            job_id = self.jobs.create(ANALYZE_VIDEO, {"video_id": video_id}, session=s)
        self.submit(job_id)
        return job_id

    # -- read ------------------------------------------------------------------------------

    def get(self, client_id: str, video_id: str) -> VideoRecord:
        """The caller's video; with a direct-upload store a Pending one first checks whether its
        upload has arrived (see the module docstring)."""
        v = self._get(client_id, video_id)
        if v.status != PENDING or not self.blobs.direct_upload:
            return v
        return self.detect_upload(v)

    def _get(self, client_id: str, video_id: str) -> VideoRecord:
        # one Core read (Database.owned): the poll routes call this once per request
        v = self.db.owned(Video, video_id, client_id)
        if v is None:
            raise NotFound(f"No video {video_id!r}.")
        return VideoRecord.of(v)

    def detect_upload(self, v: VideoRecord) -> VideoRecord:
        """Ask the store for the source (one HEAD); when present, mark it uploaded and enqueue
        the analysis (once), then re-read."""
        try:
            size = self.blobs.head_size(v.video_key)
        except Exception:  # the store is briefly away: the video stays Pending, poll again
            log.warning("could not check the upload of video %s", v.id, exc_info=True)
            return v
        if size is None:
            return v
        if size > min(v.size, self.settings.max_upload_bytes):
            # S3 enforces the policy's content-length-range; a store that does not (some test
            # servers) must not get a larger file analysed than the one declared.
            self._refuse_upload(v, FileTooLarge.code)
            return self._get(v.client_id, v.id)
        try:
            self.upload_received(v.id, size)
        except AlreadyUploaded:
            pass  # another request (or API process) saw it first and enqueued the job
        return self._get(v.client_id, v.id)

    def _refuse_upload(self, v: VideoRecord, reason: str) -> None:
        now = self.clock()
        with self.db.session() as s:
            res = s.execute(update(Video).where(Video.id == v.id, Video.status == PENDING)
                            .values(status=FAILED, reason=reason, analysis_status=FAILED,
                                    analysis_reason=reason, pose_status=FAILED, updated_at=now)
                            .execution_options(synchronize_session=False))
            if res.rowcount == 1 and self.notify is not None:
                self.notify(s, v.id, ANALYSIS_FAILED)
        if res.rowcount == 1:
            self.blobs.delete_prefix(v.video_key)

    def list(self, client_id: str, query: VideoQuery | None = None
             ) -> tuple[list[VideoRecord], str | None]:
        """One page of the caller's videos, newest first, and the next page's cursor
        (:mod:`repstride.service.videos.listing`)."""
        with self.db.session() as s:
            rows, cursor = page_rows(s, client_id, query or VideoQuery())
            return [VideoRecord.of(v) for v in rows], cursor

    def analysis_wire(self, v: VideoRecord) -> dict[str, Any]:
        """``GET /videos/{id}/analysis``: always 200, ``Pending`` until final."""
        if v.analysis_status == COMPLETE and v.analysis is not None:
            return dict(v.analysis)
        body: dict[str, Any] = {"status": v.analysis_status}
        if v.analysis_status == FAILED:
            body["reason"] = v.analysis_reason or v.reason
            if v.analysis is not None:
                return {**v.analysis, **body}
        body.update({"domain": v.domain, "activity": v.activity, "reps": []})
        return body

    def j2p_wire(self, v: VideoRecord) -> dict[str, Any]:
        analysis = self.analysis_wire(v)
        if v.pose_status == COMPLETE and v.tracks_expired_at is not None:
            return {"status": EXPIRED, "reason": RETENTION, "resolutionHeight": v.height,
                    "resolutionWidth": v.width, "jointToPoints": {}, "analysis": analysis}
        if v.pose_status == COMPLETE:
            body = json.loads(self.blobs.get_bytes(blob_key(v.id, "j2p.json")))
            # The seed: j2p's status says whether the analysis was performed.
            body["status"] = analysis["status"]
            if analysis["status"] == FAILED:
                body["reason"] = analysis.get("reason")
            body["analysis"] = analysis
            return body
        body = {"status": FAILED if v.pose_status == FAILED else PENDING,
                "resolutionHeight": v.height, "resolutionWidth": v.width,
                "jointToPoints": {}, "analysis": analysis}
        if body["status"] == FAILED:
            body["reason"] = v.reason
        return body

    def objects_wire(self, v: VideoRecord) -> list[dict[str, Any]]:
        if v.pose_status != COMPLETE or v.tracks_expired_at is not None:
            return []
        return json.loads(self.blobs.get_bytes(blob_key(v.id, "objects.json")))

    def overlays_wire(self, v: VideoRecord, *, base_url: str) -> dict[str, Any]:
        return {name: self._artifact_wire(v, name, base_url=base_url) for name in OVERLAY_TYPES}

    def thumbnail_wire(self, v: VideoRecord, *, base_url: str) -> dict[str, Any]:
        """repstride extension: ``{status, uri?}`` of the JPEG rendered with the overlays."""
        return self._artifact_wire(v, THUMBNAIL, base_url=base_url)

    def _artifact_wire(self, v: VideoRecord, name: str, *, base_url: str) -> dict[str, Any]:
        o = dict(v.overlays.get(name, {"status": PENDING}))
        key = o.pop("key", None)
        if o.get("status") == COMPLETE and key:
            o["uri"] = self.download_url(key, base_url=base_url)
        return o

    def download_url(self, key: str, *, base_url: str) -> str:
        return self.blobs.presigned_get(key, expires_s=self.settings.download_url_ttl_s,
                                        base_url=base_url)

    # -- update / delete -------------------------------------------------------------------

    def update(self, client_id: str, video_id: str, changes: dict[str, Any]) -> VideoRecord:
        """Apply PUT fields (omitted = kept). If the pose track exists, enqueue a re-analysis
        from it (no pose model run); otherwise the pending analysis will use the new values."""
        current = self.get(client_id, video_id)
        domain = changes.get("domain", current.domain)
        activity = changes.get("activity", current.activity)
        if "activity" in changes and "domain" not in changes and activity is not None:
            domain = None  # a new activity brings its own domain
        if "domain" in changes and "activity" not in changes and current.activity is not None:
            # A new domain alone invalidates an activity from another domain.
            from repstride.analysis.activities import ACTIVITY_DOMAIN
            if ACTIVITY_DOMAIN.get(current.activity) != domain:
                activity = None
        domain, activity = resolve_activity(domain, activity)
        _check_reanalysable(current, activity)
        rep_count = changes.get("rep_count", current.rep_count)
        if rep_count is not None and rep_count < 0:
            raise ValidationFailed("repCount cannot be negative.")
        now = self.clock()
        job_id = None
        with self.db.session() as s:
            v = s.get(Video, video_id)
            if v is None:
                raise NotFound(f"No video {video_id!r}.")
            v.domain, v.activity, v.rep_count = domain, activity, rep_count
            v.analysis_rev = v.analysis_rev + 1
            v.updated_at = now
            if v.pose_status == COMPLETE:
                v.analysis_status, v.analysis_reason, v.analysis = PENDING, None, None
                job_id = self.jobs.create(REANALYZE_VIDEO,
                                          {"video_id": video_id, "rev": v.analysis_rev}, session=s)
            s.flush()
            rec = VideoRecord.of(v)
        if job_id:
            self.submit(job_id)
        return rec

    def expired_wire(self, v: VideoRecord) -> list[str]:
        """repstride extension: what the retention sweep deleted (``uploads``, ``tracks``,
        ``overlays``), for ``GET /videos/{id}``."""
        return [name for name, at in (("uploads", v.uploads_expired_at),
                                      ("tracks", v.tracks_expired_at),
                                      ("overlays", v.overlays_expired_at)) if at is not None]

    def delete(self, client_id: str, video_id: str) -> None:
        """``DELETE /videos/{id}``: the video, its queued jobs and every blob under
        ``videos/<id>/`` (upload, pose track, j2p, objects, overlays, thumbnail). A job running
        on it ends with reason ``deleted`` (:mod:`repstride.service.jobs.deletion`)."""
        self.get(client_id, video_id)
        with self.db.session() as s:
            v = s.get(Video, video_id)
            if v is not None:
                s.delete(v)
        self.jobs.delete_for("video_id", video_id)
        self.blobs.delete_prefix(video_prefix(video_id))


def _check_reanalysable(v: VideoRecord, activity: str | None) -> None:
    """A PUT re-analyses from the stored pose track (a sprint also from the video): refused
    with 410 ``expired`` when the retention sweep deleted what it needs."""
    if v.pose_status != COMPLETE:
        return
    if v.tracks_expired_at is not None:
        raise Expired("The pose track of this video was deleted by the server's retention "
                      "policy; it cannot be re-analysed. Upload the video again.")
    if activity == "sprint" and v.uploads_expired_at is not None:
        raise Expired("A sprint is re-analysed from the video itself, which was deleted by the "
                      "server's retention policy. Upload the video again.")
