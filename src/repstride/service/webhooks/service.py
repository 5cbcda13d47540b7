"""Per-client webhook configuration, events written as delivery rows, and the delivery log.

:meth:`WebhookService.emit` writes one :class:`WebhookDelivery` row (inside the caller's session
when given, so the event commits with the state change it reports); the rows are sent by
:class:`repstride.service.webhooks.sender.WebhookSender`, run by the workers. Nothing here talks
to a receiver except :meth:`WebhookService.send_test`.

Only ``http``/``https`` URLs are accepted (1..2048 characters, a host, no credentials in the URL).
Receivers on private addresses are allowed (self-hosted deployments deliver inside their own
network); put an egress proxy in front if that is not wanted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import select, update

from repstride.errors import NotFound, ValidationFailed
from repstride.service.running.subjects import iso
from repstride.service.webhooks.models import PENDING, WebhookConfig, WebhookDelivery
from repstride.service.db import Database
from repstride.service.webhooks.settings import WebhookSettings
from repstride.webhooks import new_secret
from repstride.service.hosted import Hosted

#: Deliveries ``GET /webhook/deliveries`` shows by default / at most.
DEFAULT_DELIVERIES, MAX_DELIVERIES = 20, 100
#: Event type of ``POST /webhook/test``.
TEST_EVENT = "webhook.test"


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if not (1 <= len(url) <= 2048) or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("The webhook url must be an absolute http:// or https:// URL.",
                               details={"field": "url"})
    if parts.username or parts.password:
        raise ValidationFailed("The webhook url must not carry credentials.",
                               details={"field": "url"})
    return url


def config_wire(row: WebhookConfig, *, secret: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"url": row.url, "enabled": row.enabled,
                            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}
    if secret:
        body["secret"] = row.secret
    return body


def delivery_wire(row: WebhookDelivery) -> dict[str, Any]:
    return {"id": row.id, "type": row.event_type, "video_id": row.resource_id,
            "sequence": row.sequence, "state": row.state, "attempts": row.attempts,
            "status_code": row.last_status_code, "latency_ms": row.last_latency_ms,
            "error": row.last_error, "created_at": iso(row.created_at),
            "delivered_at": iso(row.delivered_at),
            "next_attempt_at": iso(row.next_attempt_at) if row.state == PENDING else None}


class WebhookHost(Protocol):
    """What the webhook service uses of the services (the container's ``Services`` is one)."""

    db: Database
    clock: Callable[[], float]


class WebhookService(Hosted):
    """One per :class:`~repstride.service.container.Services` (``services.webhooks``), built
    by the container from ``Settings.webhooks``."""

    def __init__(self, services: WebhookHost, settings: WebhookSettings) -> None:
        self.services = services
        self.settings = settings

    # -- configuration -----------------------------------------------------------------------

    def get_config(self, client_id: str) -> dict[str, Any]:
        """The configuration without its secret; ``{}`` when none is set."""
        with self.db.session() as s:
            row = s.get(WebhookConfig, client_id)
            return config_wire(row) if row is not None else {}

    def put_config(self, client_id: str, url: str, *, enabled: bool = True,
                   rotate_secret: bool = False) -> dict[str, Any]:
        """Set the receiver; the secret is returned when first created or rotated (only then)."""
        url = check_url(url)
        now = self.clock()
        with self.db.session() as s:
            row = s.get(WebhookConfig, client_id)
            fresh = row is None or rotate_secret
            if row is None:
                row = WebhookConfig(client_id=client_id, url=url, enabled=enabled,
                                    secret=new_secret(), created_at=now, updated_at=now)
                s.add(row)
            else:
                row.url, row.enabled, row.updated_at = url, enabled, now
                if rotate_secret:
                    row.secret = new_secret()
            s.flush()
            return config_wire(row, secret=fresh)

    # -- events ------------------------------------------------------------------------------

    def emit(self, client_id: str, event_type: str, payload: dict[str, Any], *,
             resource_id: str | None = None, sequence: int = 0, session: Any = None,
             ) -> str | None:
        """Write one delivery row (sent later by the workers); None when the client has no
        enabled webhook. ``payload`` gets ``type`` and ``timestamp``."""

        def write(s: Any) -> str | None:
            cfg = s.get(WebhookConfig, client_id)
            if cfg is None or not cfg.enabled:
                return None
            now = self.clock()
            body = {"type": event_type, **payload, "timestamp": iso(now)}
            msg_id = "msg_" + uuid.uuid4().hex
            s.add(WebhookDelivery(id=msg_id, client_id=client_id, event_type=event_type,
                                  resource_id=resource_id, sequence=sequence,
                                  payload=json.dumps(body, separators=(",", ":")),
                                  state=PENDING, attempts=0, next_attempt_at=now,
                                  created_at=now, updated_at=now))
            return msg_id

        if session is not None:
            return write(session)
        with self.db.session() as s:
            return write(s)

    def notify(self, session: Any, model: Any, row_id: str, event_type: str,
               payload: Callable[[Any], dict[str, Any]]) -> str | None:
        """The one notify path of both APIs, for a row of ``model`` (an analysis or a video)
        with ``notify_via_webhook`` and ``webhook_sequence`` columns: when the row opted in, its
        sequence is raised by one and the delivery row written, both in ``session`` (so the
        event commits with the state change it reports). ``payload(row)`` gives the body's
        fields; ``sequence`` is added. None when the row did not opt in (or is gone)."""
        res = session.execute(update(model).where(model.id == row_id,
                                                  model.notify_via_webhook.is_(True))
                              .values(webhook_sequence=model.webhook_sequence + 1)
                              .execution_options(synchronize_session=False))
        if res.rowcount != 1:
            return None
        row = session.get(model, row_id, populate_existing=True)
        seq = row.webhook_sequence
        return self.emit(row.client_id, event_type, {**payload(row), "sequence": seq},
                         resource_id=row.id, sequence=seq, session=session)

    def deliveries(self, client_id: str, limit: int = DEFAULT_DELIVERIES) -> dict[str, Any]:
        """The client's last ``limit`` deliveries, newest first."""
        if not 1 <= limit <= MAX_DELIVERIES:
            raise ValidationFailed(f"limit must be between 1 and {MAX_DELIVERIES}.",
                                   details={"field": "limit", "max": MAX_DELIVERIES})
        with self.db.session() as s:
            rows = s.scalars(select(WebhookDelivery).where(WebhookDelivery.client_id == client_id)
                             .order_by(WebhookDelivery.created_at.desc(),
                                       WebhookDelivery.id.desc()).limit(limit)).all()
            return {"deliveries": [delivery_wire(r) for r in rows]}

    def send_test(self, client_id: str) -> dict[str, Any]:
        """Send a ``webhook.test`` event now (once, no retry) and report the receiver's answer."""
        from repstride.service.webhooks.sender import WebhookSender

        with self.db.session() as s:
            cfg = s.get(WebhookConfig, client_id)
            if cfg is None:
                raise NotFound("No webhook is configured: PUT /webhook first.")
        msg_id = self.emit(client_id, TEST_EVENT, {"video_id": None, "message": "test event"},
                           resource_id=None) if cfg.enabled else None
        if msg_id is None:
            raise ValidationFailed("The webhook is disabled: enable it to send a test event.",
                                   details={"field": "enabled"})
        outcome = WebhookSender(self).attempt(msg_id, final=True)
        return {"delivery_id": msg_id, "success": outcome.ok,
                "status_code": outcome.status_code, "latency_ms": outcome.latency_ms,
                "error": outcome.error}


__all__ = ["DEFAULT_DELIVERIES", "MAX_DELIVERIES", "TEST_EVENT", "WebhookService",
           "WebhookHost", "check_url"]
