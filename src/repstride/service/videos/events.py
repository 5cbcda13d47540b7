"""Webhook events of the Video API (a repstride extension), sent through the webhook
configuration the client set with ``PUT /webhook`` for videos created with
``notifyViaWebhook: true``.

Types: ``video.analysis.completed`` / ``video.analysis.failed`` (the analysis reached a final
state; again after each re-analysis a ``PUT`` causes) and ``video.overlays.completed`` (the
overlay renderers finished; ``status`` is ``Failed`` when an overlay could not be rendered).
Body: ``type``, ``video_id``, ``status``, ``sequence`` (one more per event of that video),
``timestamp``; plus ``reason`` on a failure and ``overlays`` (``{type: status}``) on the overlay
event. Every event goes through :meth:`repstride.service.webhooks.service.WebhookService.notify`,
inside the transaction of the state change it reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from repstride.service.models import Video

ANALYSIS_COMPLETED = "video.analysis.completed"
ANALYSIS_FAILED = "video.analysis.failed"
OVERLAYS_COMPLETED = "video.overlays.completed"
#: Every event type of the Video API.
VIDEO_EVENTS: tuple[str, ...] = (ANALYSIS_COMPLETED, ANALYSIS_FAILED, OVERLAYS_COMPLETED)


def analysis_event(status: str) -> str:
    """The event of an analysis that reached ``status`` (``Complete`` or ``Failed``)."""
    return ANALYSIS_COMPLETED if status == "Complete" else ANALYSIS_FAILED


def _body(event_type: str) -> Callable[[Video], dict[str, Any]]:
    def body(row: Video) -> dict[str, Any]:
        if event_type == OVERLAYS_COMPLETED:
            states = {name: str(o.get("status")) for name, o in (row.overlays or {}).items()}
            status = "Failed" if "Failed" in states.values() else "Complete"
            return {"video_id": row.id, "status": status, "overlays": states}
        out: dict[str, Any] = {"video_id": row.id, "status": row.analysis_status,
                               "activity": row.activity}
        if row.analysis_status == "Failed":
            out["reason"] = row.analysis_reason or row.reason
        return out

    return body


def notify_video(hooks: Any, session: Any, video_id: str, event_type: str) -> str | None:
    """Write ``event_type`` for the video in ``session`` when it opted in (``hooks``: the
    :class:`~repstride.service.webhooks.service.WebhookService`); the delivery row's id or None."""
    if event_type not in VIDEO_EVENTS:
        raise ValueError(f"not a Video API event: {event_type!r}")
    return hooks.notify(session, Video, video_id, event_type, _body(event_type))


__all__ = ["ANALYSIS_COMPLETED", "ANALYSIS_FAILED", "OVERLAYS_COMPLETED", "VIDEO_EVENTS",
           "analysis_event", "notify_video"]
