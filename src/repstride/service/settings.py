"""Service settings, read once from the environment (prefix ``REPSTRIDE_``) and passed down.

Nothing below ``service/`` reads the environment: :func:`load_settings` is called by the CLI (or a
test) and the resulting :class:`Settings` object is handed to :func:`build_services`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from repstride.service.auth import DEFAULT_AUTH_CACHE_S
from repstride.service.jobs.store import DEFAULT_LEASE_S
from repstride.service.running.settings import RunningSettings
from repstride.service.webhooks.settings import WebhookSettings

#: Default upload limit: 500 MB (the seeds' clips are phone videos of a few minutes at most).
DEFAULT_MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class QuotaSettings(BaseSettings):
    """Per-client quotas on new analyses (videos created + running analyses started);
    environment variable = ``REPSTRIDE_QUOTA_`` + upper-cased name; 0 = no limit."""

    model_config = SettingsConfigDict(env_prefix="REPSTRIDE_QUOTA_", extra="ignore")

    per_minute: int = Field(60, ge=0)
    per_day: int = Field(0, ge=0)
    #: analyses in progress at once (uploaded, not finished)
    concurrent: int = Field(0, ge=0)
    #: the ``Retry-After`` of a concurrency refusal (its end is not known in advance)
    concurrent_retry_s: int = Field(10, gt=0)


#: Days the source videos and the rendered overlays are kept by default (0 = forever).
DEFAULT_RETAIN_DAYS = 30.0


class RetentionSettings(BaseSettings):
    """How long stored artifacts are kept, in days after the upload (0 = forever); environment
    variable = ``REPSTRIDE_RETAIN_`` + upper-cased name. Only finished videos and analyses are
    swept (see :mod:`repstride.service.retention`)."""

    model_config = SettingsConfigDict(env_prefix="REPSTRIDE_RETAIN_", extra="ignore")

    #: the uploaded source videos (both APIs)
    uploads_days: float = Field(DEFAULT_RETAIN_DAYS, ge=0)
    #: overlays, annotated videos and thumbnails
    overlays_days: float = Field(DEFAULT_RETAIN_DAYS, ge=0)
    #: pose tracks (the Video API's track, j2p and objects; the Running API's raw data)
    tracks_days: float = Field(0.0, ge=0)
    #: the whole video / analysis record with its results (what is left of it is deleted)
    results_days: float = Field(0.0, ge=0)
    #: how often the workers sweep (one sweep at a time across every process)
    sweep_interval_s: float = Field(3600.0, gt=0)

    @property
    def enabled(self) -> bool:
        return any((self.uploads_days, self.overlays_days, self.tracks_days, self.results_days))


class Settings(BaseSettings):
    """Every knob of the server. Environment variable = ``REPSTRIDE_`` + upper-cased name."""

    model_config = SettingsConfigDict(env_prefix="REPSTRIDE_", extra="ignore")

    #: Holds the SQLite file, the blobs (``blobs/``) and the generated signing secret.
    data_dir: Path = Path("./data")
    #: SQLAlchemy URL; default ``sqlite:///<data_dir>/repstride.sqlite3``. PostgreSQL:
    #: ``postgresql+psycopg://user@host:5432/db``.
    database_url: str | None = None
    queue: Literal["local", "celery"] = "local"
    blob_store: Literal["local", "s3"] = "local"
    #: HMAC key for upload policies and signed URLs; generated once into ``data_dir`` if unset.
    secret_key: SecretStr | None = None
    #: Base URL clients reach this server at (for signed URLs); default: the request's own URL.
    public_url: str | None = None
    #: Browser origins allowed to call the API (CORS), comma-separated, ``*`` for any; empty
    #: (the default): none, only the server's own pages (the dashboard at ``/``).
    cors_origins: str = ""
    #: Log lines as ``key=value`` text or one JSON object per line.
    log_format: Literal["text", "json"] = "text"

    token_ttl_s: int = Field(3600, gt=0)
    #: A token or apiKey the database vouched for is trusted this long without asking it again
    #: (per process): the bound within which a revocation made elsewhere (the CLI, another API
    #: process) takes effect. 0: every request asks the database.
    auth_cache_s: float = Field(DEFAULT_AUTH_CACHE_S, ge=0)
    #: ``Retry-After`` (seconds) of a poll answered while the analysis is still in progress.
    poll_retry_after_s: int = Field(2, ge=1)
    #: Tokens one client may obtain per minute (the seed: "your application will be rate limited").
    token_rate_per_minute: int = Field(30, gt=0)
    upload_policy_ttl_s: int = Field(3600, gt=0)
    download_url_ttl_s: int = Field(3600, gt=0)
    max_upload_bytes: int = Field(DEFAULT_MAX_UPLOAD_BYTES, gt=0)
    max_video_duration_s: float = Field(600.0, gt=0)
    max_filename_length: int = Field(255, gt=0)
    #: Credits a client gets when created without ``--credits`` (Running API: 1 per analysis).
    default_client_credits: int = Field(100, ge=0)

    #: HTTP (``repstride serve``): a request head must arrive within this long of the connection
    #: opening (or of its first byte on a kept-alive connection), else 408 and close.
    http_header_timeout_s: float = Field(10.0, gt=0)
    #: A request body that sends nothing for this long is cut off.
    http_body_idle_timeout_s: float = Field(30.0, gt=0)
    #: Open connections per server process; beyond it a new one gets 503 and is closed.
    http_max_connections: int = Field(1000, ge=1)
    #: An idle kept-alive connection is closed after this long.
    http_keep_alive_s: float = Field(5.0, gt=0)

    #: In-process worker threads started by ``repstride serve`` (local queue).
    workers: int = Field(1, ge=0)
    #: A running job whose lease is not renewed for this long is retried by another worker. The
    #: runner renews it every quarter of this while the job runs (so a long job on a live worker
    #: is never taken from it); at start-up, jobs held by dead processes of this host are taken
    #: back at once.
    job_lease_s: float = Field(DEFAULT_LEASE_S, gt=0)
    job_max_attempts: int = Field(3, gt=0)
    #: How often idle workers look at the jobs table (enqueues in-process wake them at once).
    job_poll_s: float = Field(1.0, gt=0)
    #: On SIGTERM, ``repstride serve`` and ``repstride worker`` take no new job and give the
    #: running ones this long to finish; the rest are handed back to the queue (lease released).
    shutdown_grace_s: float = Field(30.0, ge=0)
    #: ``module:attribute`` of the analysis pipeline the worker runs (see ``service.worker``).
    pipeline: str = "repstride.service.videos.jobs:RealPipeline"

    # -- scale-out (docs/deploy.md): Celery workers, PostgreSQL pool, S3-compatible storage ----
    #: Celery broker (``REPSTRIDE_QUEUE=celery``): ``redis://host:6379/0`` or ``amqp://...``.
    broker_url: str = "redis://127.0.0.1:6379/0"
    #: Celery result backend; default: the broker URL when it is Redis, none otherwise.
    result_backend: str | None = None
    #: Celery queue name (and, for Redis, a key prefix isolating deployments sharing one Redis).
    celery_queue: str = "repstride"
    celery_key_prefix: str = ""
    #: Redis broker: an unacknowledged task is redelivered after this long (a dead worker's).
    celery_visibility_timeout_s: int = Field(900, gt=0)
    #: Worker processes per ``repstride worker`` (each loads the pose model once).
    worker_concurrency: int = Field(1, ge=1)
    #: Workers re-send jobs the table still holds as queued (or with an expired lease) this long
    #: after their last change: a message lost with a broker restart is delivered again.
    job_redeliver_s: float = Field(10.0, gt=0)
    #: SQLAlchemy pool per process (PostgreSQL); connections are checked before use.
    db_pool_size: int = Field(10, ge=1)
    db_max_overflow: int = Field(20, ge=0)
    db_pool_recycle_s: int = Field(1800, gt=0)
    #: S3 / MinIO (``REPSTRIDE_BLOB_STORE=s3``); credentials from the usual AWS variables.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    #: The Running Analysis API's limits (``REPSTRIDE_RUNNING_*``), read with the rest.
    running: RunningSettings = Field(default_factory=RunningSettings)
    #: Webhook deliveries (``REPSTRIDE_WEBHOOK_*``), read with the rest.
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    #: Per-client quotas (``REPSTRIDE_QUOTA_*``), read with the rest.
    quotas: QuotaSettings = Field(default_factory=QuotaSettings)
    #: How long uploads, tracks, overlays and results are kept (``REPSTRIDE_RETAIN_*``).
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _leases_agree(self) -> Settings:
        # A Redis message comes back after the visibility timeout even while its job runs; the
        # lease makes that delivery a no-op, but only if the lease is the shorter of the two.
        if self.celery_visibility_timeout_s <= self.job_lease_s:
            raise ValueError("REPSTRIDE_CELERY_VISIBILITY_TIMEOUT_S must be longer than "
                             "REPSTRIDE_JOB_LEASE_S")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'repstride.sqlite3').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; keyword overrides win (used by the CLI options and tests)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
