"""The Running Analysis API's service (seed 002): api keys, start, lifecycle, result levels.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import update

from repstride.errors import (
    InsufficientCredits, InvalidApiKey, InvalidFileType, InvalidInput, LowQualityPose,
    MissingApiKey, NotFound, RepstrideError, VideoTooLong,
)
from repstride.i18n import translate, translate_tree
from repstride.service.running.models import (
    ANALYZING, FAILED, PENDING, SUCCESS, RunningAnalysis, RunningApiKey,
)
from repstride.service.running.content import analysis_content
from repstride.service.running.params import RunningParams
from repstride.service.auth import ClientService
from repstride.service.credits import CreditLedger
from repstride.service.db import Database, snapshot, update_where
from repstride.service.jobs.store import JobQueue, JobStore
from repstride.service.blobs.port import BlobStore
from repstride.service.running.settings import RunningSettings
from repstride.service.settings import Settings
from repstride.service.webhooks.service import WebhookService
from repstride.service.running.subjects import Subjects
from repstride.service.running.upload import RunningUpload
from repstride.service.quotas import Quotas
from repstride.service.security import random_token, token_digest

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
#: Prefix of issued api keys (recognisable in logs and config files).
API_KEY_PREFIX = "rsk_"
#: Error codes that mean "the video is the problem": the credit is not refunded.
_CLIENT_FAULT_TYPES: tuple[type[RepstrideError], ...] = (InvalidInput, LowQualityPose)


def blob_key(analysis_id: str, name: str) -> str:
    return f"running/{analysis_id}/{name}"


def is_client_fault(exc: RepstrideError) -> bool:
    """A failure caused by the upload itself (not refunded), as opposed to the server's."""
    return isinstance(exc, _CLIENT_FAULT_TYPES)


@dataclass(frozen=True)
class RunningRecord:
    """A row of ``running_analyses`` detached from its session."""

    id: str
    client_id: str
    status: str
    percentage: int
    analysis_type: str
    language: str
    params: RunningParams
    filename: str | None
    size: int
    video_key: str
    container: str | None
    fps: float | None
    width: int | None
    height: int | None
    duration_s: float | None
    frames: int | None
    result: dict[str, Any] | None
    track_key: str | None
    thumbnail_key: str | None
    output_video_key: str | None
    media_reason: str | None
    reason_code: str | None
    reason_detail: str | None
    credits: int
    refunded: bool
    created_at: float
    started_at: float | None
    finished_at: float | None
    subject_id: str | None = None
    notify_via_webhook: bool = False

    @classmethod
    def of(cls, r: RunningAnalysis) -> RunningRecord:
        return snapshot(cls, r, params=RunningParams.from_json(r.params),
                        notify_via_webhook=bool(r.notify_via_webhook))


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


class RunningService:
    """Everything the routes and the job need; one instance per ``Services``.

    ``pipeline`` is the analysis work of a job: a
    :class:`repstride.service.running.jobs.RunningPipeline` (production:
    ``RealRunningPipeline``, given by the container)."""

    def __init__(self, services: RunningHost, settings: RunningSettings,
                 pipeline: Callable[..., Any]) -> None:
        self.services = services
        self.settings = settings
        self.pipeline = pipeline

    # -- plumbing --------------------------------------------------------------------------

    @property
    def db(self):  # noqa: ANN201
        return self.services.db

    @property
    def clock(self) -> Callable[[], float]:
        return self.services.clock

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

    # -- api keys --------------------------------------------------------------------------

    def issue_api_key(self, client_id: str) -> str:
        """A new ``apiKey`` for the client (stored as sha256; shown once)."""
        self.services.clients.get(client_id)  # NotFound for an unknown client
        key = API_KEY_PREFIX + random_token(24)
        with self.db.session() as s:
            s.add(RunningApiKey(key_hash=token_digest(key), client_id=client_id, revoked=False,
                                created_at=self.clock()))
        return key

    def revoke_api_key(self, client_id: str, api_key: str) -> bool:
        """Revoke one of the client's keys (another client's key is left untouched)."""
        with self.db.session() as s:
            res = s.execute(update(RunningApiKey)
                            .where(RunningApiKey.key_hash == token_digest(api_key),
                                   RunningApiKey.client_id == client_id)
                            .values(revoked=True).execution_options(synchronize_session=False))
            return bool(res.rowcount)

    def revoke_api_keys(self, client_id: str) -> int:
        with self.db.session() as s:
            res = s.execute(update(RunningApiKey).where(RunningApiKey.client_id == client_id)
                            .values(revoked=True))
            return int(res.rowcount or 0)

    def authenticate(self, api_key: str | None, *, lang: str = "en") -> ClientInfo:
        """The client an ``apiKey`` belongs to (the Running API's only required credential).

        Missing or blank -> 401 ``missing_api_key``; unknown, revoked, or its client revoked ->
        403 ``invalid_api_key``. Messages in ``lang``.
        """
        from repstride.service.auth import ClientInfo
        from repstride.service.models import ApiClient

        if api_key is None or not api_key.strip():
            raise MissingApiKey(translate("running_api.error.missing_api_key", lang))
        key = api_key.strip()
        invalid = InvalidApiKey(translate("running_api.error.invalid_api_key", lang))
        if len(key) > 200 or not key.isascii():
            raise invalid
        with self.db.session() as s:
            row = s.get(RunningApiKey, token_digest(key))
            client = s.get(ApiClient, row.client_id) if row is not None else None
            if row is None or row.revoked or client is None or client.revoked:
                raise invalid
            return ClientInfo(client.id, client.name, client.credits, client.revoked)

    def check_api_key(self, client_id: str, api_key: str | None, *, lang: str = "en") -> None:
        """Like :meth:`authenticate`, and the key must be ``client_id``'s (else 403)."""
        if self.authenticate(api_key, lang=lang).id != client_id:
            raise InvalidApiKey(translate("running_api.error.invalid_api_key", lang))

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
        with self.db.session() as s:
            row = s.get(RunningAnalysis, analysis_id) if len(analysis_id) <= 64 else None
            if row is None or row.client_id != client_id:
                raise NotFound(translate("running_api.error.not_found", lang),
                               details={"analysis_id": analysis_id})
            return RunningRecord.of(row)

    def load(self, analysis_id: str) -> RunningRecord | None:
        with self.db.session() as s:
            row = s.get(RunningAnalysis, analysis_id)
            return RunningRecord.of(row) if row is not None else None

    def load_track(self, rec: RunningRecord) -> PoseTrack:
        from repstride.pipeline import track_from_bytes

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
        hooks = self.services.webhooks
        with self.db.session() as s:
            res = s.execute(update(RunningAnalysis)
                            .where(RunningAnalysis.id == analysis_id,
                                   RunningAnalysis.notify_via_webhook.is_(True))
                            .values(webhook_sequence=RunningAnalysis.webhook_sequence + 1)
                            .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                return
            row = s.get(RunningAnalysis, analysis_id)
            assert row is not None
            payload: dict[str, Any] = {
                "video_id": row.id, "status": row.status, "percentage": row.percentage,
                "analysis_type": row.analysis_type, "subject_id": row.subject_id,
                "sequence": row.webhook_sequence}
            if row.status == FAILED:
                payload["code"] = row.reason_code
            hooks.emit(row.client_id, event_type, payload, resource_id=row.id,
                       sequence=row.webhook_sequence, session=s)

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

    # -- wire bodies -------------------------------------------------------------------------

    def status_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "analysis_id": rec.id, "id": rec.id, "status": rec.status,
            "analysis_type": rec.analysis_type, "language": lang,
            "percentage": rec.percentage,
            "message": translate(f"running_api.status.{rec.status}", lang,
                                 percentage=rec.percentage),
        }
        if rec.status == FAILED:
            code = rec.reason_code or "internal_error"
            key = f"running_api.failed.{code}"
            reason = translate(key, lang)
            if reason == key:  # a code without a catalog text: the generic sentence
                reason = translate("running_api.status.failed", lang)
            body.update(code=code, reason=reason, reason_detail=rec.reason_detail,
                        credit_refunded=rec.refunded)
        return body

    def results_body(self, rec: RunningRecord, lang: str, *, base_url: str) -> dict[str, Any]:
        body = self.status_body(rec, lang)
        if rec.status != SUCCESS:
            return body
        ttl = self.settings.media_url_ttl_s
        blobs = self.services.blobs

        def url(key: str | None) -> str | None:
            if key is None or not blobs.exists(key):
                return None
            return blobs.presigned_get(key, expires_s=ttl, base_url=base_url)

        thumb, video = url(rec.thumbnail_key), url(rec.output_video_key)
        body.update(
            thumbnail=thumb, output_video=video,
            urls_expire_at=int(self.clock() + ttl) if (thumb or video) else None,
            parameters=_parameters_wire(rec.params),
            video_input_information=_video_info_wire(rec),
            biomechanical_analysis={**self._analysis_wire(rec, lang), "analysis_content":
                                    analysis_content(rec.result, rec.analysis_type, lang)},
        )
        if thumb is None or video is None:
            body["media_reason"] = translate(rec.media_reason or "running_api.media.render_failed",
                                             lang)
        return body

    def calculated_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        self._require_success(rec, lang)
        result = self._analysis_wire(rec, lang)
        return {"analysis_id": rec.id, "id": rec.id, "status": rec.status,
                "analysis_type": rec.analysis_type, "language": lang, **result}

    def raw_body(self, rec: RunningRecord, lang: str) -> dict[str, Any]:
        self._require_success(rec, lang)
        track = self.load_track(rec)
        return {"analysis_id": rec.id, "id": rec.id, "status": rec.status,
                "video_input_information": _video_info_wire(rec, track),
                "landmark_names": list(landmark_names()),
                "frames": frames_wire(track)}

    @staticmethod
    def _analysis_wire(rec: RunningRecord, lang: str) -> dict[str, Any]:
        """The analysis' wire body in ``lang``, plus ``titles``: the section and phase headings a
        report shows (they are message keys the wire body does not carry itself)."""
        body = translate_tree(rec.result or {}, lang)
        body.setdefault("titles", section_titles(rec.analysis_type, lang))
        return body

    def _require_success(self, rec: RunningRecord, lang: str) -> None:
        if rec.status != SUCCESS:
            from repstride.errors import AnalysisNotCompleted

            raise AnalysisNotCompleted(
                translate("running_api.error.not_completed", lang, status=rec.status),
                details={"status": rec.status, "percentage": rec.percentage})


# --- wire helpers -------------------------------------------------------------------------------

#: Report sections per analysis type (each has a ``<section>.title`` message).
SECTIONS: dict[str, tuple[str, ...]] = {
    "side_view": ("side_view", "total_score", "metrics", "overstride", "foot_landing",
                  "joint_angles", "running_styles"),
    "back_view": ("back_view", "gait_cycle"),
}
#: Side-view joint-angle phases (``phase.<name>`` messages).
PHASES: tuple[str, ...] = ("touch_down", "mid_stance", "toe_off", "range")


def section_titles(analysis_type: str, lang: str) -> dict[str, Any]:
    titles: dict[str, Any] = {s: translate(f"{s}.title", lang)
                              for s in SECTIONS.get(analysis_type, ())}
    if analysis_type == "side_view":
        titles["phases"] = {p: translate(f"phase.{p}", lang) for p in PHASES}
    return titles



def _parameters_wire(p: RunningParams) -> dict[str, Any]:
    pace = None
    if p.pace_s_per_km is not None:
        m, s = divmod(int(round(p.pace_s_per_km)), 60)
        pace = f"{m:02d}:{s:02d}"
    return {"analysis_type": p.analysis_type, "height": p.height_cm, "weight": p.weight_kg,
            "pace": pace, "language": p.language, "treadmill": p.treadmill,
            "full_body": p.full_body}


def _video_info_wire(rec: RunningRecord, track: PoseTrack | None = None) -> dict[str, Any]:
    width = rec.width if rec.width else (track.width if track is not None else None)
    height = rec.height if rec.height else (track.height if track is not None else None)
    fps = rec.fps if rec.fps else (track.fps if track is not None else None)
    return {
        "resolution": {"width": width, "height": height},
        "fps": None if fps is None else round(float(fps), 3),
        "duration": None if rec.duration_s is None else round(float(rec.duration_s), 3),
        "frames": rec.frames if rec.frames else (len(track) if track is not None else None),
        "format": rec.container,
    }


def landmark_names() -> tuple[str, ...]:
    """Landmark names of the raw data (BlazePose topology, ``left_ankle`` style)."""
    from repstride.analysis.track import Joint

    return tuple(j.name.lower() for j in Joint)


def frames_wire(track: PoseTrack) -> dict[str, dict[str, Any]]:
    """``{frame number: {timestamp, detected, landmarks: [{name, x, y, z, visibility}]}}``.

    ``x``, ``y`` are normalised to the displayed frame (0..1, y down); ``z`` is the model's
    world-space depth in metres (hip-centred, towards the camera negative); ``visibility`` 0..1.
    Frames where the runner was not found have ``detected: false`` and no landmarks.
    """
    names = landmark_names()
    xy = np.asarray(track.xy, float)
    world = np.asarray(track.world, float)
    score = np.asarray(track.score, float)
    detected = track.detected
    out: dict[str, dict[str, Any]] = {}
    for t in range(len(track)):
        landmarks: list[dict[str, Any]] = []
        if detected[t]:
            for j, name in enumerate(names):
                x, y = xy[t, j]
                if np.isnan(x) or np.isnan(y):
                    continue
                z = world[t, j, 2]
                landmarks.append({
                    "name": name, "x": round(float(x), 5), "y": round(float(y), 5),
                    "z": None if np.isnan(z) else round(float(z), 5),
                    "visibility": round(float(np.clip(score[t, j], 0.0, 1.0)), 4),
                })
        out[str(int(track.frame_index[t]))] = {
            "timestamp": round(float(track.timestamps_s[t]), 5),
            "detected": bool(detected[t]), "landmarks": landmarks,
        }
    return out


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
