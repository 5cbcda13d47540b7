"""The account side of both APIs -- the Video API's listing, the Running Analysis API's
listing, deletes and subjects, and the webhook configuration -- as two mixins,
:class:`AccountMethods` (in :class:`~repstride.client.Client`) and :class:`AsyncAccountMethods`
(in :class:`~repstride.client.AsyncClient`), over the request helpers they share.

The Running API's routes get ``?apiKey=`` when the client has one; the webhook routes accept the
OAuth token alone too (one configuration per client serves both APIs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import httpx

from repstride.client.errors import InvalidInput
from repstride.client.records import (
    AnalysisPage, Subject, SubjectPage, VideoItem, VideoPage, WebhookConfig, WebhookDelivery,
    WebhookTest,
)

#: ``GET /videos`` accepts at most this ``limit`` (the server's documented maximum).
MAX_VIDEO_PAGE = 500

TimeArg = float | int | datetime | str | None


def _time(value: TimeArg) -> str | None:
    """UNIX seconds, an aware/naive (UTC) ``datetime`` or an ISO 8601 string -> the wire."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return dt.isoformat()
    return repr(float(value))


def video_params(*, limit: int | None, cursor: str | None, status: str | None,
                 analysis_status: str | None, activity: str | None, created_after: TimeArg,
                 created_before: TimeArg) -> dict[str, Any]:
    if limit is not None and not 1 <= limit <= MAX_VIDEO_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_VIDEO_PAGE}, got {limit}")
    params = {"limit": limit, "cursor": cursor, "status": status,
              "analysisStatus": analysis_status, "activity": activity,
              "created_after": _time(created_after), "created_before": _time(created_before)}
    return {k: v for k, v in params.items() if v is not None}


def video_page(data: Any, response: httpx.Response) -> VideoPage:
    """The JSON array of ``GET /videos`` and the cursor from its ``X-Next-Cursor`` header."""
    return VideoPage.model_validate({"videos": data if isinstance(data, list) else [],
                                     "next_cursor": response.headers.get("X-Next-Cursor")})


def page_params(limit: int | None, offset: int | None) -> dict[str, Any]:
    return {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}


def subject_body(*, name: str | None, email: str | None, height: float | None,
                 weight: float | None) -> dict[str, Any]:
    """``height`` in metres, ``weight`` in kg; fields left as None are not sent (PUT keeps
    them)."""
    body = {k: v for k, v in (("name", name), ("email", email), ("height", height),
                              ("weight", weight)) if v is not None}
    if not body:
        raise InvalidInput("give at least one of name, email, height, weight")
    return body


def deliveries(data: Any) -> list[WebhookDelivery]:
    rows = data.get("deliveries") if isinstance(data, dict) else None
    return [WebhookDelivery.model_validate(d) for d in rows or []]


class AccountMethods:
    """Listings, deletes, subjects and webhooks of :class:`~repstride.client.Client`."""

    _json: Any
    _running_params: Any
    _request: Any

    # --- Video API ---------------------------------------------------------------------------

    def list_videos(self, *, limit: int | None = None, cursor: str | None = None,
                    status: str | None = None, analysis_status: str | None = None,
                    activity: str | None = None, created_after: TimeArg = None,
                    created_before: TimeArg = None) -> VideoPage:
        """``GET /videos`` (repstride extension): one page, newest first; ``next_cursor`` is
        None on the last page. Times are UNIX seconds, ``datetime`` or ISO 8601 (exclusive)."""
        r = self._request("GET", "videos", params=video_params(
            limit=limit, cursor=cursor, status=status, analysis_status=analysis_status,
            activity=activity, created_after=created_after, created_before=created_before))
        return video_page(self._json(r), r)

    def iter_videos(self, *, page_size: int | None = None, **filters: Any) -> Iterator[VideoItem]:
        """Every video matching :meth:`list_videos`' filters, following the cursors."""
        cursor = None
        while True:
            page = self.list_videos(limit=page_size, cursor=cursor, **filters)
            yield from page.videos
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    # --- Running Analysis API ----------------------------------------------------------------

    def list_analyses(self, *, limit: int | None = None, offset: int | None = None
                      ) -> AnalysisPage:
        """``GET /analysis``: the caller's analyses, newest first (``next_offset`` pages)."""
        r = self._request("GET", "analysis",
                          params={**self._running_params(), **page_params(limit, offset)})
        return AnalysisPage.model_validate(self._json(r))

    def delete_analysis(self, analysis_id: str) -> None:
        """``DELETE /analysis/{id}``: the analysis and its files (a running one is stopped)."""
        self._request("DELETE", f"analysis/{analysis_id}", params=self._running_params())

    def create_subject(self, *, name: str, email: str | None = None, height: float | None = None,
                       weight: float | None = None) -> Subject:
        """``POST /subjects`` (``height`` in metres, ``weight`` in kg); returns the stored
        subject."""
        body = subject_body(name=name, email=email, height=height, weight=weight)
        r = self._request("POST", "subjects", params=self._running_params(), json=body)
        return self.get_subject(str(self._json(r)["subject_id"]))

    def list_subjects(self, *, limit: int | None = None, offset: int | None = None
                      ) -> SubjectPage:
        r = self._request("GET", "subjects",
                          params={**self._running_params(), **page_params(limit, offset)})
        return SubjectPage.model_validate(self._json(r))

    def get_subject(self, subject_id: str) -> Subject:
        r = self._request("GET", f"subjects/{subject_id}", params=self._running_params())
        return Subject.model_validate(self._json(r))

    def update_subject(self, subject_id: str, *, name: str | None = None,
                       email: str | None = None, height: float | None = None,
                       weight: float | None = None) -> Subject:
        """``PUT /subjects/{id}``: the fields given replace the stored ones."""
        body = subject_body(name=name, email=email, height=height, weight=weight)
        r = self._request("PUT", f"subjects/{subject_id}", params=self._running_params(),
                          json=body)
        return Subject.model_validate(self._json(r))

    def delete_subject(self, subject_id: str) -> None:
        """``POST /subjects/{id}/delete`` (soft delete: its analyses stay)."""
        self._request("POST", f"subjects/{subject_id}/delete", params=self._running_params())

    def list_subject_analyses(self, subject_id: str, *, limit: int | None = None,
                              offset: int | None = None) -> AnalysisPage:
        r = self._request("GET", f"subjects/{subject_id}/analysis",
                          params={**self._running_params(), **page_params(limit, offset)})
        return AnalysisPage.model_validate(self._json(r))

    # --- webhooks ----------------------------------------------------------------------------

    def get_webhook(self) -> WebhookConfig | None:
        """``GET /webhook``: the receiver, or None when none is set."""
        data = self._json(self._request("GET", "webhook", params=self._running_params()))
        return WebhookConfig.model_validate(data) if data else None

    def set_webhook(self, url: str, *, enabled: bool = True,
                    rotate_secret: bool = False) -> WebhookConfig:
        """``PUT /webhook``; ``secret`` is set when first created or rotated (only then)."""
        r = self._request("PUT", "webhook", params=self._running_params(), json={
            "url": url, "enabled": enabled, "rotate_secret": rotate_secret})
        return WebhookConfig.model_validate(self._json(r))

    def test_webhook(self) -> WebhookTest:
        """``POST /webhook/test``: a signed ``webhook.test`` event now; the receiver's answer."""
        r = self._request("POST", "webhook/test", params=self._running_params())
        return WebhookTest.model_validate(self._json(r))

    def webhook_deliveries(self, *, limit: int | None = None) -> list[WebhookDelivery]:
        """``GET /webhook/deliveries``: the last deliveries, newest first."""
        r = self._request("GET", "webhook/deliveries",
                          params={**self._running_params(), **page_params(limit, None)})
        return deliveries(self._json(r))


class AsyncAccountMethods:
    """:class:`AccountMethods`, awaited (in :class:`~repstride.client.AsyncClient`)."""

    _json: Any
    _running_params: Any
    _request: Any

    # --- Video API ---------------------------------------------------------------------------

    async def list_videos(self, *, limit: int | None = None, cursor: str | None = None,
                          status: str | None = None, analysis_status: str | None = None,
                          activity: str | None = None, created_after: TimeArg = None,
                          created_before: TimeArg = None) -> VideoPage:
        """``GET /videos`` (repstride extension): one page, newest first; ``next_cursor`` is
        None on the last page. Times are UNIX seconds, ``datetime`` or ISO 8601 (exclusive)."""
        r = await self._request("GET", "videos", params=video_params(
            limit=limit, cursor=cursor, status=status, analysis_status=analysis_status,
            activity=activity, created_after=created_after, created_before=created_before))
        return video_page(self._json(r), r)

    async def iter_videos(self, *, page_size: int | None = None,
                          **filters: Any) -> AsyncIterator[VideoItem]:
        """Every video matching :meth:`list_videos`' filters, following the cursors."""
        cursor = None
        while True:
            page = await self.list_videos(limit=page_size, cursor=cursor, **filters)
            for video in page.videos:
                yield video
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    # --- Running Analysis API ----------------------------------------------------------------

    async def list_analyses(self, *, limit: int | None = None, offset: int | None = None
                            ) -> AnalysisPage:
        """``GET /analysis``: the caller's analyses, newest first (``next_offset`` pages)."""
        r = await self._request("GET", "analysis",
                                params={**self._running_params(), **page_params(limit, offset)})
        return AnalysisPage.model_validate(self._json(r))

    async def delete_analysis(self, analysis_id: str) -> None:
        """``DELETE /analysis/{id}``: the analysis and its files (a running one is stopped)."""
        await self._request("DELETE", f"analysis/{analysis_id}", params=self._running_params())

    async def create_subject(self, *, name: str, email: str | None = None,
                             height: float | None = None,
                             weight: float | None = None) -> Subject:
        """``POST /subjects`` (``height`` in metres, ``weight`` in kg); returns the stored
        subject."""
        body = subject_body(name=name, email=email, height=height, weight=weight)
        r = await self._request("POST", "subjects", params=self._running_params(), json=body)
        return await self.get_subject(str(self._json(r)["subject_id"]))

    async def list_subjects(self, *, limit: int | None = None, offset: int | None = None
                            ) -> SubjectPage:
        r = await self._request("GET", "subjects",
                                params={**self._running_params(), **page_params(limit, offset)})
        return SubjectPage.model_validate(self._json(r))

    async def get_subject(self, subject_id: str) -> Subject:
        r = await self._request("GET", f"subjects/{subject_id}", params=self._running_params())
        return Subject.model_validate(self._json(r))

    async def update_subject(self, subject_id: str, *, name: str | None = None,
                             email: str | None = None, height: float | None = None,
                             weight: float | None = None) -> Subject:
        """``PUT /subjects/{id}``: the fields given replace the stored ones."""
        body = subject_body(name=name, email=email, height=height, weight=weight)
        r = await self._request("PUT", f"subjects/{subject_id}", params=self._running_params(),
                                json=body)
        return Subject.model_validate(self._json(r))

    async def delete_subject(self, subject_id: str) -> None:
        """``POST /subjects/{id}/delete`` (soft delete: its analyses stay)."""
        await self._request("POST", f"subjects/{subject_id}/delete",
                            params=self._running_params())

    async def list_subject_analyses(self, subject_id: str, *, limit: int | None = None,
                                    offset: int | None = None) -> AnalysisPage:
        r = await self._request("GET", f"subjects/{subject_id}/analysis",
                                params={**self._running_params(), **page_params(limit, offset)})
        return AnalysisPage.model_validate(self._json(r))

    # --- webhooks ----------------------------------------------------------------------------

    async def get_webhook(self) -> WebhookConfig | None:
        """``GET /webhook``: the receiver, or None when none is set."""
        data = self._json(await self._request("GET", "webhook", params=self._running_params()))
        return WebhookConfig.model_validate(data) if data else None

    async def set_webhook(self, url: str, *, enabled: bool = True,
                          rotate_secret: bool = False) -> WebhookConfig:
        """``PUT /webhook``; ``secret`` is set when first created or rotated (only then)."""
        r = await self._request("PUT", "webhook", params=self._running_params(), json={
            "url": url, "enabled": enabled, "rotate_secret": rotate_secret})
        return WebhookConfig.model_validate(self._json(r))

    async def test_webhook(self) -> WebhookTest:
        """``POST /webhook/test``: a signed ``webhook.test`` event now; the receiver's answer."""
        r = await self._request("POST", "webhook/test", params=self._running_params())
        return WebhookTest.model_validate(self._json(r))

    async def webhook_deliveries(self, *, limit: int | None = None) -> list[WebhookDelivery]:
        """``GET /webhook/deliveries``: the last deliveries, newest first."""
        r = await self._request("GET", "webhook/deliveries",
                                params={**self._running_params(), **page_params(limit, None)})
        return deliveries(self._json(r))


__all__ = ["MAX_VIDEO_PAGE", "AccountMethods", "AsyncAccountMethods", "page_params",
           "subject_body", "video_page", "video_params"]
