"""Async client: the same methods as :class:`~repstride.client.Client`, awaited."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from repstride.client._account import AsyncAccountMethods
from repstride.client._base import (
    DEFAULT_SOURCE, BaseClient, Poller, Progress, ProgressCallback, ProgressReader, _require_file,
    video_content_type,
)
from repstride.client.errors import (
    Conflict, RepstrideError, araise_for_response, from_httpx,
)
from repstride.client.models import (
    J2P, Analysis, CalculatedData, CreatedVideo, RawData, RunningResults, Video,
)

__all__ = ["AsyncClient"]

PathLike = str | os.PathLike[str]


class AsyncClient(AsyncAccountMethods, BaseClient):
    """Async client for a repstride server (or the commercial Video/Running APIs it mirrors).

    All arguments are keyword-only and optional; missing ones come from the environment or the
    config file (see :mod:`repstride.client.config`).

    Parameters
    ----------
    base_url
        The API root, e.g. ``http://127.0.0.1:8000``.
    client_id, client_secret
        OAuth client credentials.
    token_url
        Token endpoint; default ``{base_url}/oauth2/token``.
    scope
        OAuth scope sent with the token request (default empty, as in seed 000).
    token_cache
        ``None`` (default): a ``0600`` JSON file shared by every process of this user
        (``~/.cache/repstride/tokens.json``); a path: a file there; ``False``: memory only; or
        any object with ``load``/``save``/``discard``/``lock``.
    timeout
        Per-request HTTP timeout, seconds or ``httpx.Timeout``.
    transport
        An ``httpx`` transport (``httpx.MockTransport`` in tests).
    auth_header_style
        ``"raw"`` sends ``Authorization: <token>`` like the seed; ``"bearer"`` sends
        ``Authorization: Bearer <token>``.
    poll
        :class:`PollPolicy`: backoff and overall deadline when waiting for results.
    """

    _http: httpx.AsyncClient

    def _build_http(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, auth=self.auth, timeout=self.timeout,
                            transport=transport, headers=self.headers)

    # --- plumbing --------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def _request(self, method: str, path_or_url: str, **kwargs: Any) -> httpx.Response:
        url = self._url(path_or_url)
        try:
            response = await self._http.request(method, url, auth=self._auth_for(url), **kwargs)
        except httpx.HTTPError as exc:
            raise from_httpx(exc) from exc
        await araise_for_response(response)
        return response

    # --- Video API -------------------------------------------------------------------------------

    async def create_video(self, *, filename: str, size: int, domain: str | None = None,
                           activity: str | None = None, rep_count: int | None = None,
                           source: str | None = DEFAULT_SOURCE,
                           notify_via_webhook: bool | None = None, **extra: Any) -> CreatedVideo:
        """``POST /videos``: register a video; returns its id and where to upload it.
        ``notify_via_webhook=True`` (repstride extension): its events go to the webhook."""
        body = self._create_body(filename=filename, size=size, domain=domain, activity=activity,
                                 rep_count=rep_count, source=source, extra=extra,
                                 notify_via_webhook=notify_via_webhook)
        r = await self._request("POST", "videos", json=body)
        return CreatedVideo.model_validate(self._json(r))

    async def upload(self, created: CreatedVideo, path: PathLike, *,
                     progress: ProgressCallback | None = None) -> None:
        """POST the file to ``created.url`` as multipart/form-data: every signing field first, the
        file last. The file is streamed from disk, never read whole into memory."""
        p = _require_file(path)
        fields = {k: str(v) for k, v in created.fields.items()}
        with open(p, "rb") as f:
            reader = ProgressReader(f, p.stat().st_size, progress)
            await self._request("POST", created.url, data=fields,
                                files={"file": (p.name, reader, video_content_type(p))})

    async def analyze(self, path: PathLike, *, activity: str | None = None,
                      domain: str | None = None,
                      rep_count: int | None = None, source: str | None = DEFAULT_SOURCE,
                      wait: bool = True, progress: ProgressCallback | None = None,
                      timeout: float | None = None) -> Analysis:
        """Create, upload and (``wait=True``) poll until the analysis is final.

        Returns the :class:`Analysis` (``video_id`` set). With ``wait=False`` it returns at once
        with ``status="Pending"``. Raises :class:`AnalysisFailed` when the analysis fails and
        :class:`Timeout` after ``timeout`` seconds (default ``poll.timeout_s``).
        """
        p = _require_file(path)
        created = await self.create_video(filename=p.name, size=p.stat().st_size, domain=domain,
                                          activity=activity, rep_count=rep_count, source=source)
        try:
            await self.upload(created, p, progress=progress)
        except BaseException:
            # Do not leave a video that will stay Pending forever; the upload error is what matters.
            try:
                await self.delete_video(created.id)
            except RepstrideError:
                pass
            raise
        if not wait:
            pending = Analysis.model_validate({"status": "Pending"})
            pending.video_id = created.id
            return pending
        return await self.wait_for_analysis(created.id, progress=progress, timeout=timeout)

    async def wait_for_analysis(self, video_id: str, *, progress: ProgressCallback | None = None,
                                timeout: float | None = None) -> Analysis:
        """Poll ``GET /videos/{id}/analysis`` with backoff while it is ``Pending``."""
        poller = Poller(self.poll, self.clock, timeout, f"the analysis of video {video_id}")
        while True:
            try:
                analysis = await self.get_analysis(video_id)
            except RepstrideError as exc:
                if not poller.transient(exc):
                    raise
            else:
                self._processing_progress(progress, analysis.status,
                                          (analysis.model_extra or {}).get("percentage"))
                if self._analysis_done(analysis, video_id):
                    return analysis
            await self.clock.asleep(poller.next_delay())

    async def get_video(self, video_id: str, *, include: str | Iterable[str] = ()) -> Video:
        """``GET /videos/{id}``; ``include`` any of ``"j2p"``, ``"analysis"``, ``"objects"``."""
        r = await self._request("GET", f"videos/{video_id}", params=self._include(include))
        return Video.model_validate(self._json(r))

    async def get_analysis(self, video_id: str) -> Analysis:
        """``GET /videos/{id}/analysis`` (``Pending`` is returned, not waited for)."""
        r = await self._request("GET", f"videos/{video_id}/analysis")
        analysis = Analysis.model_validate(self._json(r))
        analysis.video_id = video_id
        return analysis

    async def get_j2p(self, video_id: str) -> J2P:
        """``GET /videos/{id}/j2p``: joint positions per frame."""
        return J2P.model_validate(self._json(await self._request("GET", f"videos/{video_id}/j2p")))

    async def update_video(self, video_id: str, *, rep_count: int | None = None,
                              domain: str | None = None,
                              activity: str | None = None) -> dict[str, Any]:
        """``PUT /videos/{id}``: change repCount/domain/activity; the analysis is recomputed."""
        body = self._update_body(rep_count=rep_count, domain=domain, activity=activity)
        data = self._json(await self._request("PUT", f"videos/{video_id}", json=body))
        return data if isinstance(data, dict) else {"id": data}

    async def delete_video(self, video_id: str) -> None:
        """``DELETE /videos/{id}``: the video, its results and files."""
        await self._request("DELETE", f"videos/{video_id}")

    async def download_overlay(self, video_id: str, dest: PathLike, *, kind: str = "all",
                               wait: bool = True, progress: ProgressCallback | None = None,
                               timeout: float | None = None) -> Path:
        """Save the ``kind`` overlay video (``"skeleton"`` or ``"all"``) to ``dest``, waiting for it
        to be built when ``wait``; returns ``dest``."""
        poller = Poller(self.poll, self.clock, timeout, f"the {kind!r} overlay of video {video_id}")
        while True:
            try:
                overlay = self._overlay_ready(await self.get_video(video_id), kind, video_id)
            except RepstrideError as exc:
                if not poller.transient(exc):
                    raise
                overlay = None
            if overlay is not None:
                break
            if not wait:
                raise Conflict(f"The {kind!r} overlay of video {video_id} is not ready yet.",
                               code="not_ready")
            await self.clock.asleep(poller.next_delay())
        assert overlay.uri is not None
        return await self._download(overlay.uri, Path(dest), progress)

    async def _download(self, uri: str, dest: Path, progress: ProgressCallback | None) -> Path:
        url = self._url(uri)
        part = dest.with_name(dest.name + ".part")
        try:
            async with self._http.stream("GET", url, auth=self._auth_for(url)) as r:
                await araise_for_response(r)
                total = int(r.headers["Content-Length"]) if "Content-Length" in r.headers else None
                written = 0
                with open(part, "wb") as f:
                    async for chunk in r.aiter_bytes():
                        f.write(chunk)
                        written += len(chunk)
                        if progress is not None:
                            progress(Progress("download", written, total))
        except httpx.HTTPError as exc:
            part.unlink(missing_ok=True)
            raise from_httpx(exc) from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(dest)
        return dest

    # --- Running Analysis API --------------------------------------------------------------------

    async def start_running_analysis(self, path: PathLike, *, view: str = "side",
                                     height: float | None = None, weight: float | None = None,
                                     pace: str | None = None, language: str | None = None,
                                     treadmill: bool | None = None, full_body: bool | None = None,
                                     slow_motion_factor: float | None = None,
                                     progress: ProgressCallback | None = None) -> str:
        """``POST /analysis/start`` (multipart, file streamed); returns the analysis id.

        ``view`` is ``"side"``/``"back"`` (or ``side_view``/``back_view``); ``height`` cm,
        ``weight`` kg, ``pace`` ``MM:SS`` (required with ``treadmill=True``);
        ``slow_motion_factor`` (repstride extension) declares a slow-motion video's slow-down.
        """
        form = self._running_form(view=view, height=height, weight=weight, pace=pace,
                                  language=language, treadmill=treadmill, full_body=full_body,
                                  slow_motion_factor=slow_motion_factor)
        p = _require_file(path)
        with open(p, "rb") as f:
            reader = ProgressReader(f, p.stat().st_size, progress)
            r = await self._request("POST", "analysis/start", data=form,
                                    params=self._running_params(),
                                    files={"video": (p.name, reader, video_content_type(p))})
        return self._analysis_id(r)

    async def get_results(self, analysis_id: str) -> RunningResults:
        """``GET /analysis/{id}/results``: ``pending``, ``analyzing`` (with ``percentage``) or
        ``success``; a ``failed`` analysis raises :class:`AnalysisFailed`."""
        r = await self._request("GET", f"analysis/{analysis_id}/results",
                                params=self._running_params())
        return self._checked_results(RunningResults.model_validate(self._json(r)), analysis_id)

    async def wait_for_results(self, analysis_id: str, *,
                               progress: ProgressCallback | None = None,
                               timeout: float | None = None) -> RunningResults:
        """Poll :meth:`get_results` with backoff until ``success`` (or raise)."""
        poller = Poller(self.poll, self.clock, timeout, f"running analysis {analysis_id}")
        while True:
            try:
                results = await self.get_results(analysis_id)
            except RepstrideError as exc:
                if not poller.transient(exc):
                    raise
            else:
                self._processing_progress(progress, results.status, results.percentage)
                if results.is_done:
                    return results
            await self.clock.asleep(poller.next_delay())

    async def get_calculated_data(self, analysis_id: str) -> CalculatedData:
        """``GET /analysis/{id}/results/calculated_data`` (after ``success``)."""
        r = await self._request("GET", f"analysis/{analysis_id}/results/calculated_data",
                                params=self._running_params())
        return CalculatedData.model_validate(self._json(r))

    async def get_raw_data(self, analysis_id: str) -> RawData:
        """``GET /analysis/{id}/results/raw_data`` (after ``success``)."""
        r = await self._request("GET", f"analysis/{analysis_id}/results/raw_data",
                                params=self._running_params())
        return RawData.model_validate(self._json(r))
