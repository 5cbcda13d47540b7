"""The Running Analysis API's service: api keys, start, lifecycle; the result levels' bodies
are in :mod:`repstride.service.running.bodies`, the record in :mod:`~repstride.service.running.records`.

Built on the shared services (database, blob store, job store/queue, credit ledger, webhooks,
clock; typed as :class:`RunningHost`): the container builds one :class:`RunningService` per
:class:`~repstride.service.container.Services` (``services.running``, from
``Settings.running``); :func:`attach_running` replaces it (tests inject a pipeline).

Credits: one analysis costs ``credits_per_analysis``, debited through the ledger with the
idempotency reference ``running:<id>`` before the analysis exists (atomic conditional UPDATE:
two concurrent starts with one credit left cannot both pass) and refunded with
``running:<id>:refund`` when the analysis fails for a server-side reason. A bad video (refused at
start, or failing in the job with an input error) is never charged / not refunded.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from repstride.errors import (
    Expired, InsufficientCredits, InvalidFileType, InvalidInput, LowQualityPose, NotFound,
    RepstrideError, VideoTooLong,
)
from repstride.i18n import translate
from repstride.service.running.models import (
    ANALYZING, FAILED, PENDING, SUCCESS, RunningAnalysis,
)
from repstride.service.running.api_keys import API_KEY_PREFIX, ApiKeys  # noqa: F401
from repstride.service.running.bodies import (  # noqa: F401  (public here too)
    RunningBodies, frames_wire, landmark_names, section_titles,
)
from repstride.service.running.params import RunningParams
from repstride.service.running.records import RunningRecord
from repstride.service.auth import ClientService
from repstride.service.credits import CreditLedger
from repstride.service.db import Database, update_where
from repstride.service.hosted import Hosted
from repstride.service.jobs.store import JobQueue, JobStore
from repstride.service.blobs.port import BlobStore
from repstride.service.running.settings import RunningSettings
from repstride.service.settings import Settings
from repstride.service.webhooks.service import WebhookService
from repstride.service.running.subjects import Subjects
from repstride.service.running.upload import RunningUpload
from repstride.service.quotas import Quotas

if TYPE_CHECKING:
    from repstride.analysis.track import PoseTrack
    from repstride.service.auth import ClientInfo
    from repstride.media import VideoInfo

log = logging.getLogger(__name__)

#: Job kind of the analysis job (``service.running_jobs``).
RUN_RUNNING_ANALYSIS = "running_analysis"
#: Extensions seed 002 accepts ("Format: MP4, MOV, AVI"); the content is checked too.
ACCEPTED_EXTENSIONS = (".mp4", ".mov", ".avi")
#: Container families (``VideoInfo.container``, judged by content) seed 002 accepts.
ACCEPTED_CONTAINERS = ("mp4", "mov", "avi")
#: Error codes that mean "the video is the problem": the credit is not refunded.
_CLIENT_FAULT_TYPES: tuple[type[RepstrideError], ...] = (InvalidInput, LowQualityPose)


def blob_key(analysis_id: str, name: str) -> str:
    return f"running/{analysis_id}/{name}"


def is_client_fault(exc: RepstrideError) -> bool:
    """A failure caused by the upload itself (not refunded), as opposed to the server's."""
    return isinstance(exc, _CLIENT_FAULT_TYPES)


class RunningHost(Protocol):
    """What the Running Analysis API's service uses of the shared spine (the container's
    ``Services`` is one)."""

    settings: Settings
    db: Database
    blobs: BlobStore
    jobs: JobStore
    queue: JobQueue
    clients: ClientService
    credits: CreditLedger
    webhooks: WebhookService
    quotas: Quotas
    clock: Callable[[], float]


class RunningService(Hosted, ApiKeys, RunningBodies):
    """Everything the routes and the job need; one instance per ``Services``.

    ``pipeline`` is the analysis work of a job: a
    :class:`repstride.service.running.jobs.RunningPipeline` (production:
    ``RealRunningPipeline``, given by the container)."""

    def __init__(self, services: RunningHost, settings: RunningSettings,
                 pipeline: Callable[..., Any]) -> None:
        self.services = services
        self.settings = settings
        self.pipeline = pipeline

    # -- plumbing (db and clock: Hosted) ---------------------------------------------------

    @property
    def subjects(self) -> Subjects:
        """Subjects (runners) and the listings of analyses."""
        return Subjects(self)

    def credits_body(self, client_id: str) -> dict[str, Any]:
        """``GET /credits``: the remaining balance and what one analysis costs."""
        return {"credits": self.services.credits.balance(client_id),
                "credits_per_analysis": self.settings.credits_per_analysis}

    @property
    def tmp_dir(self) -> Path:
        return self.services.settings.data_dir / "tmp" / "running"

    # -- start -----------------------------------------------------------------------------

    def precheck_credits(self, client_id: str, lang: str = "en") -> None:
        """Cheap early 402 before a large upload is read (the debit itself is atomic later);
        ``lang`` is the ``?language=`` of the request (the form is not read yet)."""
        need = self.settings.credits_per_analysis
        if need and self.services.credits.balance(client_id) < need:
            raise InsufficientCredits(translate("running_api.error.insufficient_credits", lang),
                                      details={"required": need})

    def validate_video(self, upload: RunningUpload, params: RunningParams) -> VideoInfo:
        """Extension, content (probe) and duration; raises 400 errors in the request's language."""
        from repstride.media import probe

        lang = params.language
        assert upload.path is not None
        suffix = Path(upload.filename or "").suffix.lower()
        bad_type = InvalidFileType(translate("running_api.error.invalid_file_type", lang),
                                   details={"accepted": [e[1:] for e in ACCEPTED_EXTENSIONS]})
        if suffix and suffix not in ACCEPTED_EXTENSIONS:
            raise bad_type
        try:
            info = probe(upload.path)
        except InvalidFileType as exc:
            raise bad_type from exc
        except InvalidInput as exc:
            # corrupt_video, no_video_stream, empty_video ...: same class and code, the
            # message in the request's language when the catalog has it.
            key = f"running_api.failed.{exc.code}"
            text = translate(key, lang)
            if text != key:
                raise type(exc)(text, details=exc.details) from exc
            raise
        if info.container not in ACCEPTED_CONTAINERS:
            raise bad_type
        max_s = self.settings.max_duration_s
        if info.duration_s > max_s + 1e-6:
            raise VideoTooLong(
                translate("running_api.error.video_too_long", lang,
                          duration_s=f"{info.duration_s:.1f}", max_s=f"{max_s:g}"),
                details={"duration_s": round(info.duration_s, 3), "max_duration_s": max_s})
        return info

    def start(self, client_id: str, upload: RunningUpload, params: RunningParams) -> RunningRecord:
        """Validate the spooled upload, take the credit, store the video and queue the job.

        The upload file is consumed (moved into the blob store or deleted) in every case.
        """
        try:
            self.services.quotas.check(client_id)
            if params.subject_id is not None:
                self.subjects.require(client_id, params.subject_id, lang=params.language)
            info = self.validate_video(upload, params)
            analysis_id = uuid.uuid4().hex
            cost = self.settings.credits_per_analysis
            if cost:
                try:
                    self.services.credits.debit(client_id, cost, ref=f"running:{analysis_id}",
                                                reason="running analysis")
                except InsufficientCredits as exc:
                    raise InsufficientCredits(
                        translate("running_api.error.insufficient_credits", params.language),
                        details={"required": cost}) from exc
            try:
                record, job_id = self._create(client_id, analysis_id, upload, params, info, cost)
            except BaseException:
                if cost:
                    self._refund(client_id, analysis_id, cost)
                self.services.blobs.delete_prefix(f"running/{analysis_id}")
                raise
        finally:
            upload.discard()
        self.services.queue.submit(job_id)
        return record

    def _create(self, client_id: str, analysis_id: str, upload: RunningUpload,
                params: RunningParams, info: VideoInfo, cost: int) -> tuple[RunningRecord, str]:
        assert upload.path is not None
        ext = Path(upload.filename or "").suffix.lower()
        ext = ext if ext in ACCEPTED_EXTENSIONS else f".{info.container}"
        video_key = blob_key(analysis_id, f"source{ext}")
        self.services.blobs.put_file(video_key, upload.path)
        now = self.clock()
        with self.db.session() as s:
            row = RunningAnalysis(
                id=analysis_id, client_id=client_id, status=PENDING, percentage=0,
                analysis_type=params.analysis_type, language=params.language,
                params=params.to_json(), filename=(upload.filename or None),
                size=upload.size, video_key=video_key, container=info.container,
                fps=info.fps or None, width=info.width, height=info.height,
                duration_s=info.duration_s, frames=info.frames, credits=cost, refunded=False,
                created_at=now, updated_at=now, subject_id=params.subject_id,
                notify_via_webhook=params.notify_via_webhook, webhook_sequence=0,
            )
            s.add(row)
            # The job commits with the row: a crash between the two cannot lose the analysis.
            job_id = self.services.jobs.create(RUN_RUNNING_ANALYSIS, {"analysis_id": analysis_id},
                                               session=s)
            s.flush()
            record = RunningRecord.of(row)
        return record, job_id

    # -- read ------------------------------------------------------------------------------

    def get(self, client_id: str, analysis_id: str, *, lang: str = "en") -> RunningRecord:
        """The caller's analysis; another client's is 404 exactly like a missing one."""
        # one Core read (Database.owned): the results poll calls this once per request
        row = self.db.owned(RunningAnalysis, analysis_id, client_id)
        if row is None:
            raise NotFound(translate("running_api.error.not_found", lang),
                           details={"analysis_id": analysis_id})
        return RunningRecord.of(row)

    def delete(self, client_id: str, analysis_id: str, *, lang: str = "en") -> None:
        """``DELETE /analysis/{id}``: the analysis, its queued job and every blob (upload, pose
        track, thumbnail, annotated video). A job running it ends with reason ``deleted``
        (:mod:`repstride.service.jobs.deletion`); the credit spent is not refunded."""
        self.get(client_id, analysis_id, lang=lang)
        with self.db.session() as s:
            row = s.get(RunningAnalysis, analysis_id)
            if row is not None:
                s.delete(row)
        self.services.jobs.delete_for("analysis_id", analysis_id)
        self.services.blobs.delete_prefix(f"running/{analysis_id}")

    def load(self, analysis_id: str) -> RunningRecord | None:
        with self.db.session() as s:
            row = s.get(RunningAnalysis, analysis_id)
            return RunningRecord.of(row) if row is not None else None

    def load_track(self, rec: RunningRecord) -> PoseTrack:
        from repstride.pipeline import track_from_bytes

        if rec.tracks_expired_at is not None:
            raise Expired("The pose data of this analysis was deleted by the server's retention "
                          "policy.")
        if rec.track_key is None:
            raise NotFound("The pose data of this analysis is not stored.")
        return track_from_bytes(self.services.blobs.get_bytes(rec.track_key))

    # -- lifecycle writes (the job) ---------------------------------------------------------

    def _update(self, analysis_id: str, *where: Any, **values: Any) -> bool:
        with self.db.session() as s:
            return update_where(s, RunningAnalysis, RunningAnalysis.id == analysis_id, *where,
                                updated_at=self.clock(), **values)

    def mark_analyzing(self, analysis_id: str) -> bool:
        """pending -> analyzing (a retried job finds it analyzing already); False when final.
        The first transition sends ``analysis.started``."""
        if self._update(analysis_id, RunningAnalysis.status == PENDING, status=ANALYZING,
                        started_at=self.clock()):
            self.notify(analysis_id, "analysis.started")
            return True
        return self._update(analysis_id, RunningAnalysis.status == ANALYZING)

    def notify(self, analysis_id: str, event_type: str) -> None:
        """Write a webhook event of an analysis started with ``notify_via_webhook``: the
        analysis' ``sequence`` is raised by one in the same transaction (strictly increasing per
        analysis), then the delivery row is written; the workers send it."""
        def payload(row: RunningAnalysis) -> dict[str, Any]:
            body: dict[str, Any] = {
                "video_id": row.id, "status": row.status, "percentage": row.percentage,
                "analysis_type": row.analysis_type, "subject_id": row.subject_id}
            if row.status == FAILED:
                body["code"] = row.reason_code
            if row.status == SUCCESS:
                body["media_status"] = RunningRecord.of(row).media_status
            return body

        with self.db.session() as s:
            self.services.webhooks.notify(s, RunningAnalysis, analysis_id, event_type, payload)

    def progress_step(self) -> int:
        return self.services.webhooks.settings.progress_step

    def set_percentage(self, analysis_id: str, pct: int) -> bool:
        """Raise the percentage (never lowers it: a retry does not run the bar backwards)."""
        pct = max(0, min(99, int(pct)))
        return self._update(analysis_id, RunningAnalysis.status == ANALYZING,
                            RunningAnalysis.percentage < pct, percentage=pct)

    def mark_success(self, analysis_id: str, **values: Any) -> bool:
        done = self._update(analysis_id, RunningAnalysis.status == ANALYZING, status=SUCCESS,
                            percentage=100, finished_at=self.clock(), **values)
        if done:
            self.notify(analysis_id, "analysis.succeeded")
        return done

    def set_media(self, analysis_id: str, **values: Any) -> bool:
        """The media of a ``success`` rendered after it (``thumbnail_key``, ``output_video_key``,
        ``media_reason``): written once, while they are pending; sends ``analysis.media_ready``."""
        done = self._update(analysis_id, RunningAnalysis.status == SUCCESS,
                            RunningAnalysis.thumbnail_key.is_(None),
                            RunningAnalysis.output_video_key.is_(None),
                            RunningAnalysis.media_reason.is_(None), **values)
        if done:
            self.notify(analysis_id, "analysis.media_ready")
        return done

    def mark_failed(self, analysis_id: str, *, code: str, detail: str | None,
                    refund: bool) -> bool:
        """Final failure (idempotent: only the first call on a non-final analysis counts)."""
        done = self._update(analysis_id, RunningAnalysis.status.in_((PENDING, ANALYZING)),
                            status=FAILED, reason_code=code[:64],
                            reason_detail=(detail or "")[:4000] or None,
                            finished_at=self.clock())
        if done and refund:
            rec = self.load(analysis_id)
            if rec is not None and rec.credits:
                self._refund(rec.client_id, analysis_id, rec.credits)
                self._update(analysis_id, refunded=True)
        if done:
            self.notify(analysis_id, "analysis.failed")
        return done

    def _refund(self, client_id: str, analysis_id: str, amount: int) -> None:
        try:
            self.services.credits.grant(client_id, amount, ref=f"running:{analysis_id}:refund",
                                        reason="running analysis refund")
        except NotFound:
            log.warning("refund of analysis %s: client %s no longer exists", analysis_id, client_id)

# --- tests: a different pipeline or limits ------------------------------------------------------


def attach_running(services: Any, *, settings: RunningSettings | None = None,
                   pipeline: Callable[..., Any] | None = None) -> RunningService:
    """Replace ``services.running`` (tests inject a pipeline or other limits); what is not given
    is kept from the current one."""
    current: RunningService = services.running
    svc = RunningService(services, settings or current.settings, pipeline or current.pipeline)
    services.running = svc
    return svc


__all__ = [
    "ACCEPTED_CONTAINERS", "ACCEPTED_EXTENSIONS", "RUN_RUNNING_ANALYSIS", "RunningRecord",
    "RunningService", "attach_running", "blob_key", "frames_wire", "is_client_fault",
    "landmark_names", "RunningHost",
]
