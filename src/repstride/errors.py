"""One rooted error hierarchy with stable codes.

Every error repstride raises on purpose is a :class:`RepstrideError`. Each class carries a
stable machine-readable ``code`` and the ``http_status`` the API renders it with; the API has one
handler for all of them and the CLI maps them to exit codes in one place. Third-party errors are
re-raised as one of these with ``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any


class RepstrideError(Exception):
    """Base class. ``code`` is stable and documented; ``message`` is for people."""

    code: str = "internal_error"
    http_status: int = 500
    default_message: str = "Internal error."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = dict(details or {})
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


# --- input -----------------------------------------------------------------------------------


class InvalidInput(RepstrideError):
    code = "invalid_input"
    http_status = 400
    default_message = "The request is not valid."


class InvalidFileType(InvalidInput):
    code = "invalid_file_type"
    default_message = "The file is not a supported video (MP4, MOV, AVI, WEBM, MKV)."


class NoVideoStream(InvalidInput):
    code = "no_video_stream"
    default_message = "The file contains no video stream."


class CorruptVideo(InvalidInput):
    code = "corrupt_video"
    default_message = "The video data is corrupt or truncated and no frame could be decoded."


class EmptyVideo(InvalidInput):
    code = "empty_video"
    default_message = "The video has no frames."


class UnsupportedDimensions(InvalidInput):
    code = "unsupported_dimensions"
    default_message = "The video dimensions are outside the supported range."


class VideoTooLong(InvalidInput):
    code = "video_too_long"
    default_message = "The video is longer than the allowed maximum."


class FileTooLarge(RepstrideError):
    code = "file_too_large"
    http_status = 413
    default_message = "The file is larger than the allowed maximum."


class UnknownActivity(InvalidInput):
    code = "unknown_activity"
    default_message = "Unknown domain or activity."


# --- analysis --------------------------------------------------------------------------------


class LowQualityPose(RepstrideError):
    """The subject is not reliably visible; the Video API reports it as a ``Failed`` reason."""

    code = "LOW_QUALITY_POSE_ESTIMATE"
    http_status = 422
    default_message = "The body's position could not be detected confidently throughout the video."


class ViewMismatch(InvalidInput):
    """A running analysis was asked for a camera position the video does not show (a side-view
    analysis of a runner filmed from behind, or the other way round)."""

    code = "view_mismatch"
    http_status = 422
    default_message = "The video does not show the runner from the view the analysis needs."


class PoseBackendUnavailable(RepstrideError):
    """The pose models or the TFLite interpreter are missing from the installation."""

    code = "pose_backend_unavailable"
    http_status = 500
    default_message = "The pose estimation backend is not available."


class SubjectNotFound(InvalidInput):
    """The caller designated a subject (point or box) that matches no tracked person."""

    code = "subject_not_found"
    default_message = "No person in the video matches the requested subject."


# --- auth, resources, accounting --------------------------------------------------------------


class Unauthorized(RepstrideError):
    code = "unauthorized"
    http_status = 401
    default_message = "Missing or invalid credentials."


class Forbidden(RepstrideError):
    code = "forbidden"
    http_status = 403
    default_message = "Not allowed."


class NotFound(RepstrideError):
    code = "not_found"
    http_status = 404
    default_message = "Not found."


class Conflict(RepstrideError):
    code = "conflict"
    http_status = 409
    default_message = "The resource is not in a state that allows this."


class Deleted(RepstrideError):
    """Raised inside a job whose video or analysis was deleted while it ran: the job ends
    (failed, reason ``deleted``) instead of finishing work nobody can read."""

    code = "deleted"
    http_status = 410
    default_message = "The resource was deleted while it was being processed."


class InsufficientCredits(RepstrideError):
    code = "insufficient_credits"
    http_status = 402
    default_message = "No credits remaining."


class RateLimited(RepstrideError):
    code = "rate_limited"
    http_status = 429
    default_message = "Too many requests; retry later."


class QuotaExceeded(RateLimited):
    """A per-client quota on new analyses (``REPSTRIDE_QUOTA_*``)."""

    code = "quota_exceeded"
    default_message = "This client has reached a quota; retry later."


class NotImplementedFeature(RepstrideError):
    """A feature that is documented but not built yet: says so instead of faking a result."""

    code = "not_implemented"
    http_status = 501
    default_message = "This feature is not implemented yet."


# --- Video API server (service/, api/) --------------------------------------------------------


class MalformedRequest(InvalidInput):
    code = "malformed_request"
    default_message = "The request body could not be parsed."


class ValidationFailed(InvalidInput):
    """A well-formed request whose fields have the wrong type, range or length."""

    code = "validation_error"
    http_status = 422
    default_message = "The request has invalid fields."


class MissingToken(Unauthorized):
    code = "missing_token"
    default_message = "No access token: send 'Authorization: <token>' or 'Authorization: Bearer <token>'."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    default_message = "The access token is malformed or unknown."


class TokenExpired(Unauthorized):
    code = "token_expired"
    default_message = "The access token has expired; request a new one at /oauth2/token."


class TokenRevoked(Unauthorized):
    code = "token_revoked"
    default_message = "The access token or its client has been revoked."


class InvalidClient(Unauthorized):
    code = "invalid_client"
    default_message = "Unknown client or wrong client secret."


class UnsupportedGrantType(InvalidInput):
    code = "unsupported_grant_type"
    default_message = "Only grant_type=client_credentials is supported."


class InvalidUploadPolicy(Forbidden):
    code = "invalid_policy"
    default_message = "The upload policy or its signature is invalid."


class UploadPolicyExpired(Forbidden):
    code = "policy_expired"
    default_message = "The upload policy has expired; create the video again."


class InvalidSignature(Forbidden):
    code = "invalid_signature"
    default_message = "The signed URL is invalid or has expired."


class MalformedUpload(InvalidInput):
    code = "malformed_upload"
    default_message = "The upload must be multipart/form-data with the policy fields, then 'file'."


class AlreadyUploaded(Conflict):
    code = "already_uploaded"
    default_message = "This video has already been uploaded."


# --- Running Analysis API (seed 002) ------------------------------------------------------------


class InvalidParameter(InvalidInput):
    """A form field of ``POST /analysis/start`` is missing, malformed or out of range."""

    code = "invalid_parameter"
    default_message = "A request parameter is invalid."


class UnsupportedLanguage(InvalidParameter):
    code = "unsupported_language"
    default_message = "Unsupported language."


class MissingApiKey(Unauthorized):
    code = "missing_api_key"
    default_message = "API Key is missing"


class InvalidApiKey(Forbidden):
    code = "invalid_api_key"
    default_message = "Invalid API Key"


class TokenClientMismatch(Forbidden):
    """The Running API's optional ``Authorization`` token belongs to another client than the
    ``apiKey``."""

    code = "token_client_mismatch"
    default_message = "The access token belongs to another client than the apiKey."


class AnalysisNotCompleted(InvalidInput):
    """Seed 002: calculated or raw data requested before the analysis reached ``success``."""

    code = "analysis_not_completed"
    default_message = "The analysis is not complete."


# --- artifacts -------------------------------------------------------------------------------


class RenderFailed(RepstrideError):
    """An overlay video, thumbnail or report could not be produced."""

    code = "render_failed"
    http_status = 500
    default_message = "The overlay could not be rendered."


# --- scale-out (service/jobs/celery.py, service/blobs/s3.py) ----------------------------------


class ConfigurationError(RepstrideError):
    """The deployment's settings are incomplete or contradictory (e.g. S3 without a bucket)."""

    code = "configuration_error"
    http_status = 500
    default_message = "The server is misconfigured."


class ServiceUnavailable(RepstrideError):
    """The database (or another backing service) cannot be reached right now; retry later."""

    code = "service_unavailable"
    http_status = 503
    default_message = "The service is temporarily unavailable; retry shortly."


class StorageError(ServiceUnavailable):
    """The blob store failed to store or read a file (I/O error, object store error)."""

    code = "storage_error"
    default_message = "The file store failed; retry later."

    @classmethod
    def from_os_error(cls, exc: OSError) -> StorageError:
        """``exc`` as :class:`StorageFull` (no space, quota) or :class:`StorageError`."""
        import errno

        kind = StorageFull if exc.errno in (errno.ENOSPC, errno.EDQUOT) else StorageError
        err = kind(f"{kind.default_message} ({exc.strerror or exc})")
        err.__cause__ = exc
        return err


class StorageFull(StorageError):
    """The blob store has no space left (disk full, quota)."""

    code = "storage_full"
    default_message = "The file store is full."


# --- retention (service/retention.py) -------------------------------------------------------


class Expired(RepstrideError):
    """The artifact existed but was deleted by the server's retention policy."""

    code = "expired"
    http_status = 410
    default_message = "This file was deleted by the server's retention policy."
