"""What ``Client`` and ``AsyncClient`` share: configuration, request building, response parsing,
polling schedule. The two classes only add the I/O (blocking or awaited)."""

from __future__ import annotations

import mimetypes
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import anyio
import httpx

from repstride import __version__
from repstride.client.auth import (
    AuthHeaderStyle, ClientCredentialsAuth, TokenCache, make_token_cache,
)
from repstride.client.config import resolve_settings
from repstride.client.errors import (
    AnalysisFailed, InvalidInput, RateLimited, RepstrideError, ServerError, Timeout, TransportError,
)
from repstride.client.models import Analysis, Overlay, RunningResults, Video

#: Per-request HTTP timeouts (seconds): connecting, and waiting between bytes.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

#: ``source`` sent with ``POST /videos`` unless the caller gives one.
DEFAULT_SOURCE = "repstride-sdk"

#: Seed 001's activity table, used only to fill ``domain`` when a caller names just the activity.
ACTIVITY_DOMAIN: dict[str, str] = {
    **dict.fromkeys(("bench_press", "clean_and_jerk", "deadlift", "snatch", "squat"), "weightlifting"),
    **dict.fromkeys(("bodyweight_squat", "burpee", "chin_up", "lunge", "push_up", "sit_up"),
                    "calisthenics"),
    **dict.fromkeys(("punch", "front_kick"), "martial_arts"),
    "knee_to_chest": "mobility", "sprint": "running", "downward_dog": "yoga",
}

RUNNING_VIEWS = {"side": "side_view", "back": "back_view", "side_view": "side_view",
                 "back_view": "back_view"}
RUNNING_LANGUAGES = ("en", "fr", "de", "zh", "ko", "pt", "es", "it", "ja")
_PACE = re.compile(r"^\d{1,2}:[0-5]\d$")

_TRANSIENT = (ServerError, TransportError, RateLimited, Timeout)
_OVERLAY_FAILED = frozenset({"Failed", "failed", "FAILED", "Error", "error"})


@dataclass(frozen=True)
class PollPolicy:
    """How to wait for a result: first delay, growth factor, longest delay, overall deadline
    (seconds). Seed 000 polls every 5 s; seed 002 advises 3–5 s."""

    initial_s: float = 1.0
    factor: float = 1.5
    max_interval_s: float = 5.0
    timeout_s: float = 900.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_interval_s)


@dataclass(frozen=True)
class Progress:
    """Reported to ``progress=`` callbacks.

    ``stage`` is ``upload`` (bytes sent), ``processing`` (``done`` is a percentage when the
    server reports one, else ``None``; ``status`` is the server's) or ``download`` (bytes).
    """

    stage: Literal["upload", "processing", "download"]
    done: float | None
    total: float | None
    status: str | None = None


ProgressCallback = Callable[[Progress], None]


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class Poller:
    """One wait: hands out backoff delays until the overall deadline, then raises ``Timeout``."""

    def __init__(self, policy: PollPolicy, clock: Clock, timeout_s: float | None, what: str) -> None:
        self.clock = clock
        self.timeout_s = policy.timeout_s if timeout_s is None else timeout_s
        self.deadline = clock.monotonic() + self.timeout_s
        self._delays = policy.delays()
        self.what = what
        self.last_error: RepstrideError | None = None
        self._retry_after = 0.0

    def next_delay(self) -> float:
        remaining = self.deadline - self.clock.monotonic()
        if remaining <= 0:
            raise Timeout(f"Gave up waiting for {self.what} after {self.timeout_s:g} s"
                          + (f" (last error: {self.last_error})" if self.last_error else "") + ".",
                          code="timeout")
        delay = max(next(self._delays), self._retry_after)
        self._retry_after = 0.0
        return min(delay, remaining)

    def transient(self, exc: RepstrideError) -> bool:
        """A 5xx, 429, timeout or connection error while polling is retried until the deadline."""
        if isinstance(exc, _TRANSIENT):
            self.last_error = exc
            if exc.retry_after_s:
                self._retry_after = exc.retry_after_s  # the server's Retry-After wins
            return True
        return False


class ProgressReader:
    """A binary file that reports how many bytes were read (httpx streams uploads from it in
    64 KiB chunks, and seeks back to 0 if a request has to be resent)."""

    def __init__(self, file: BinaryIO, total: int, progress: ProgressCallback | None) -> None:
        self._file = file
        self._total = total
        self._progress = progress
        self._sent = 0
        self.name = getattr(file, "name", "upload")

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        if chunk:
            self._sent += len(chunk)
            if self._progress is not None:
                self._progress(Progress("upload", self._sent, self._total))
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        pos = self._file.seek(offset, whence)
        self._sent = pos
        return pos

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


def video_content_type(path: Path) -> str:
    overrides = {".mov": "video/quicktime", ".avi": "video/x-msvideo", ".mkv": "video/x-matroska"}
    return overrides.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"


def _require_file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"No such video file: {p}", code="file_not_found")
    return p


class BaseClient:
    """Configuration shared by :class:`~repstride.client.Client` and
    :class:`~repstride.client.AsyncClient`; see :class:`~repstride.client.Client` for the
    arguments."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        scope: str | None = None,
        token_cache: TokenCache | str | os.PathLike[str] | bool | None = None,
        timeout: float | httpx.Timeout | None = None,
        auth_header_style: AuthHeaderStyle | None = None,
        api_key: str | None = None,
        poll: PollPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: Any = None,
        clock: Clock | None = None,
    ) -> None:
        settings = resolve_settings(server=base_url, client_id=client_id,
                                    client_secret=client_secret, token_url=token_url, scope=scope,
                                    auth_header=auth_header_style, api_key=api_key)
        if settings.auth_header not in ("raw", "bearer"):
            raise InvalidInput(f"auth_header_style must be 'raw' or 'bearer', not "
                               f"{settings.auth_header!r}", code="invalid_config")
        self.base_url = httpx.URL(settings.server.rstrip("/") + "/")
        self.token_url = settings.token_url or str(self.base_url.join("oauth2/token"))
        self.client_id = settings.client_id
        #: Running Analysis API key, sent as ``?apiKey=`` on ``/analysis/...`` requests.
        self.api_key = settings.api_key
        self.auth = ClientCredentialsAuth(
            token_url=self.token_url, client_id=settings.client_id,
            client_secret=settings.client_secret, scope=settings.scope,
            cache=make_token_cache(token_cache),
            header_style=settings.auth_header,  # type: ignore[arg-type]
        )
        self.timeout = DEFAULT_TIMEOUT if timeout is None else (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout))
        self.poll = poll or PollPolicy()
        self.clock: Clock = clock or SystemClock()
        self.headers = {"User-Agent": f"repstride-sdk/{__version__}", "Accept": "application/json",
                        **(headers or {})}
        self._http = self._build_http(transport)

    def _build_http(self, transport: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={str(self.base_url)!r} client_id={self.client_id!r}>"

    # --- URLs ------------------------------------------------------------------------------------

    def _url(self, path_or_url: str) -> httpx.URL:
        url = httpx.URL(path_or_url)
        if url.is_absolute_url:
            return url
        return self.base_url.join(path_or_url.lstrip("/"))

    def _auth_for(self, url: httpx.URL) -> httpx.Auth | None:
        """Our token goes only to our own server. Presigned upload/download URLs on another host
        (S3) carry their own signature and reject a second credential."""
        same = (url.scheme, url.host, url.port) == (self.base_url.scheme, self.base_url.host,
                                                     self.base_url.port)
        return self.auth if same else None

    def _running_params(self) -> dict[str, str]:
        return {"apiKey": self.api_key} if self.api_key else {}

    # --- request bodies --------------------------------------------------------------------------

    @staticmethod
    def _create_body(*, filename: str, size: int, domain: str | None, activity: str | None,
                     rep_count: int | None, source: str | None,
                     extra: Mapping[str, Any], notify_via_webhook: bool | None = None
                     ) -> dict[str, Any]:
        if size < 0:
            raise InvalidInput(f"size must be >= 0, got {size}")
        if domain is None and activity is not None:
            domain = ACTIVITY_DOMAIN.get(activity)
        body: dict[str, Any] = {"filename": filename, "size": size}
        for key, value in (("source", source), ("domain", domain), ("activity", activity),
                           ("repCount", rep_count), ("notifyViaWebhook", notify_via_webhook)):
            if value is not None:
                body[key] = value
        body.update(extra)
        return body

    @staticmethod
    def _update_body(*, rep_count: int | None, domain: str | None,
                     activity: str | None) -> dict[str, Any]:
        body = {k: v for k, v in (("repCount", rep_count), ("domain", domain),
                                  ("activity", activity)) if v is not None}
        if not body:
            raise InvalidInput("update_video needs at least one of rep_count, domain, activity")
        return body

    @staticmethod
    def _running_form(*, view: str, height: float | None, weight: float | None, pace: str | None,
                      language: str | None, treadmill: bool | None,
                      full_body: bool | None, slow_motion_factor: float | None = None
                      ) -> dict[str, str]:
        if view not in RUNNING_VIEWS:
            raise InvalidInput(f"view must be 'side' or 'back' (or side_view/back_view), not {view!r}")
        if pace is not None and not _PACE.match(pace):
            raise InvalidInput(f"pace must be MM:SS (e.g. 5:30), not {pace!r}")
        if treadmill and pace is None:
            raise InvalidInput("pace (MM:SS) is required when treadmill=True")
        if language is not None and language not in RUNNING_LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(RUNNING_LANGUAGES)}, "
                               f"not {language!r}")
        for name, value in (("height", height), ("weight", weight)):
            if value is not None and not value > 0:
                raise InvalidInput(f"{name} must be positive, got {value}")
        if slow_motion_factor is not None and not slow_motion_factor >= 1:
            raise InvalidInput(f"slow_motion_factor must be at least 1 (real time), "
                               f"got {slow_motion_factor}")
        form = {"analysis_type": RUNNING_VIEWS[view]}
        for key, val in (("height", height), ("weight", weight), ("pace", pace),
                         ("language", language), ("slow_motion_factor", slow_motion_factor)):
            if val is not None:
                form[key] = f"{val:g}" if isinstance(val, float) else str(val)
        for key, flag in (("treadmill", treadmill), ("full_body", full_body)):
            if flag is not None:
                form[key] = "true" if flag else "false"
        return form

    @staticmethod
    def _include(include: str | Iterable[str]) -> dict[str, str]:
        names = [include] if isinstance(include, str) else list(include)
        return {"include": ",".join(names)} if names else {}

    # --- response parsing ------------------------------------------------------------------------

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(f"{response.request.method} {response.request.url.path} answered "
                              f"{response.status_code} with a body that is not JSON",
                              status=response.status_code, code="invalid_response",
                              body=response.text[:500]) from exc

    @classmethod
    def _analysis_id(cls, response: httpx.Response) -> str:
        data = cls._json(response)
        if isinstance(data, dict):
            for key in ("video_id", "id", "analysis_id", "analysisId"):
                if data.get(key) is not None:
                    return str(data[key])
        if isinstance(data, (str, int)):
            return str(data)
        raise ServerError("POST /analysis/start answered without an analysis id",
                          status=response.status_code, code="invalid_response", body=data)

    @staticmethod
    def _analysis_done(analysis: Analysis, video_id: str) -> bool:
        """``Complete`` ends the wait, ``Failed`` raises; anything else (``Pending``, or a status
        this SDK does not know) keeps polling."""
        if analysis.is_failed:
            why = analysis.reason or "no reason given"
            raise AnalysisFailed(f"Analysis of video {video_id} failed: {why}",
                                 reason=analysis.reason, code=analysis.reason or "analysis_failed",
                                 body=analysis.to_wire())
        return analysis.is_complete

    @staticmethod
    def _checked_results(results: RunningResults, analysis_id: str) -> RunningResults:
        """A ``failed`` status answered with 200 (instead of seed 002's 400) still raises."""
        if results.status in ("failed", "Failed", "FAILED"):
            extra = results.model_extra or {}
            reason = extra.get("reason") or extra.get("error") or extra.get("message")
            reason = reason if isinstance(reason, str) else None
            why = reason or "no reason given"
            raise AnalysisFailed(f"Running analysis {analysis_id} failed: {why}",
                                 reason=reason, body=results.to_wire())
        return results

    @staticmethod
    def _processing_progress(progress: ProgressCallback | None, status: str | None,
                             percentage: Any) -> None:
        if progress is not None:
            done = float(percentage) if isinstance(percentage, (int, float)) else None
            progress(Progress("processing", done, 100.0 if done is not None else None, status))

    @staticmethod
    def _overlay_ready(video: Video, kind: str, video_id: str) -> Overlay | None:
        overlay = video.overlays.get(kind)
        if overlay is None:
            if video.status in ("Failed",):
                raise AnalysisFailed(f"Video {video_id} failed: {video.reason}", reason=video.reason)
            return None
        if overlay.status in _OVERLAY_FAILED:
            reason = (overlay.model_extra or {}).get("reason") or video.reason
            raise AnalysisFailed(f"The {kind!r} overlay of video {video_id} failed: {reason}",
                                 reason=reason, body=video.to_wire())
        return overlay if overlay.uri else None



__all__ = ["BaseClient", "Clock", "PollPolicy", "Poller", "Progress", "ProgressCallback",
           "ProgressReader", "SystemClock"]
