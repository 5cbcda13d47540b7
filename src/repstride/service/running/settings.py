"""Settings of the Running Analysis API (seed 002), read once from ``REPSTRIDE_RUNNING_*``.

Kept beside :class:`repstride.service.settings.Settings` (which owns the shared server knobs:
database, blobs, queue, URL lifetimes) so that the running API's limits can change without touching
the Video API's; :func:`load_running_settings` is called where the app is built and the object is
passed down.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Seed 002: "File size: 30 MB maximum" (taken as 30 MiB, the lenient reading).
DEFAULT_RUNNING_MAX_BYTES = 30 * 1024 * 1024
#: Seed 002: "Duration: 10 seconds maximum".
DEFAULT_RUNNING_MAX_DURATION_S = 10.0


class RunningSettings(BaseSettings):
    """Environment variable = ``REPSTRIDE_RUNNING_`` + upper-cased name."""

    model_config = SettingsConfigDict(env_prefix="REPSTRIDE_RUNNING_", extra="ignore")

    #: Largest accepted upload (bytes of the ``video`` part); larger -> 413 ``file_too_large``.
    max_bytes: int = Field(DEFAULT_RUNNING_MAX_BYTES, gt=0)
    #: Longest accepted video (seconds, probed); longer -> 400 ``video_too_long``.
    max_duration_s: float = Field(DEFAULT_RUNNING_MAX_DURATION_S, gt=0)
    #: Credits one analysis costs (debited atomically at start, refunded on a server-side failure).
    credits_per_analysis: int = Field(1, ge=0)
    #: Lifetime of the signed thumbnail / annotated-video URLs in ``/results`` (seed: 1 hour).
    media_url_ttl_s: int = Field(3600, gt=0)


def load_running_settings(**overrides: object) -> RunningSettings:
    """Read the environment once; keyword overrides win (tests)."""
    return RunningSettings(**{k: v for k, v in overrides.items() if v is not None})
