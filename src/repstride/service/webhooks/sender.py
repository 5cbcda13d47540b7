"""Sending delivery rows: claim, POST signed, record, and schedule the retry.

A sender claims a due row with a conditional UPDATE (``next_attempt_at`` moved past the attempt's
deadline), so any number of threads and processes can share the table and a sender that dies
mid-attempt only delays the row by that lease. Per analysis (or video) the events go out in
``sequence`` order: a row waits while an earlier one of the same resource is still pending.

A 2xx answer is a success; a timeout, a connection error, a redirect or any other status is
retried after ``min(cap, base * 2**(attempt-1))`` times a jitter in ``[0.5, 1)``, until
``retry_period_s`` after the event has passed (then the row is ``failed``). One attempt is
bounded: connect and read timeouts, an overall deadline, at most ``max_response_bytes`` of the
answer read, no redirects followed.

:class:`WebhookDispatcher` is the thread the workers run (``Services.start_workers``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update

from repstride.service.webhooks.models import FAILED, PENDING, SUCCEEDED, WebhookConfig, \
    WebhookDelivery
from repstride.webhooks import headers as signed_headers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None


class WebhookSender:
    def __init__(self, hooks: Any, *, rng: random.Random | None = None) -> None:
        """``hooks``: the :class:`~repstride.service.webhooks.service.WebhookService` (not
        imported: it imports this module for the test event)."""
        self.hooks = hooks
        self.settings = hooks.settings
        self.rng = rng or random.Random()

    @property
    def db(self):  # noqa: ANN201
        return self.hooks.db

    def backoff_s(self, attempts: int) -> float:
        """Delay before attempt ``attempts + 1`` (``attempts`` >= 1 failed so far)."""
        s = self.settings
        return min(s.backoff_cap_s, s.backoff_base_s * 2 ** (attempts - 1)) \
            * (0.5 + 0.5 * self.rng.random())

    # -- selection ---------------------------------------------------------------------------

    def due(self) -> list[tuple[str, str | None]]:
        """Due deliveries as ``(id, resource_id)``, in the order they should go out."""
        now = self.hooks.clock()
        with self.db.session() as s:
            rows = s.execute(
                select(WebhookDelivery.id, WebhookDelivery.client_id,
                       WebhookDelivery.resource_id, WebhookDelivery.sequence)
                .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at,
                          WebhookDelivery.sequence)
                .limit(self.settings.batch)).all()
            out: list[tuple[str, str | None]] = []
            chosen: set[str] = set()
            for msg_id, client_id, resource_id, seq in rows:
                if resource_id is not None:
                    earlier = s.scalar(select(WebhookDelivery.id).where(
                        WebhookDelivery.client_id == client_id,
                        WebhookDelivery.resource_id == resource_id,
                        WebhookDelivery.state == PENDING,
                        WebhookDelivery.sequence < seq).limit(1))
                    if earlier is not None and earlier not in chosen:
                        continue  # in order: the earlier event first
                out.append((msg_id, resource_id))
                chosen.add(msg_id)
            return out

    def run_due(self) -> int:
        """One pass: attempt every due delivery in order (after a failed one, the later events
        of the same resource wait); returns how many were attempted."""
        n = 0
        blocked: set[str] = set()
        for msg_id, resource_id in self.due():
            if resource_id is not None and resource_id in blocked:
                continue
            outcome = self.attempt(msg_id)
            if outcome is None:
                continue
            n += 1
            if not outcome.ok and resource_id is not None:
                blocked.add(resource_id)
        return n

    # -- one attempt -------------------------------------------------------------------------

    def attempt(self, msg_id: str, *, final: bool = False) -> Outcome | None:
        """Claim and send one delivery; None when another sender has it or it is not due.
        ``final``: no retry whatever the answer (the test event)."""
        now = self.hooks.clock()
        lease = self.settings.timeout_s + self.settings.connect_timeout_s + 30.0
        with self.db.session() as s:
            claimed = s.execute(update(WebhookDelivery).where(
                WebhookDelivery.id == msg_id, WebhookDelivery.state == PENDING,
                WebhookDelivery.next_attempt_at <= now).values(
                    next_attempt_at=now + lease, updated_at=now)
                .execution_options(synchronize_session=False)).rowcount == 1
            if not claimed:
                return None
            row = s.get(WebhookDelivery, msg_id)
            cfg = s.get(WebhookConfig, row.client_id)
            payload, attempts, created = row.payload, row.attempts, row.created_at
            target = (cfg.url, cfg.secret) if cfg is not None and cfg.enabled else None
        if target is None:
            outcome = Outcome(False, error="webhook disabled or removed")
            self._record(msg_id, outcome, attempts + 1, created, give_up=True)
            return outcome
        outcome = self._post(target[0], target[1], msg_id, payload, int(now))
        self._record(msg_id, outcome, attempts + 1, created, give_up=final)
        return outcome

    def _post(self, url: str, secret: str, msg_id: str, payload: str, ts: int) -> Outcome:
        s = self.settings
        body = payload.encode()
        hdrs = {**signed_headers(secret, msg_id, ts, body), "content-type": "application/json",
                "user-agent": "repstride-webhooks"}
        timeout = httpx.Timeout(s.timeout_s, connect=s.connect_timeout_s)
        t0 = time.perf_counter()
        deadline = t0 + s.timeout_s + s.connect_timeout_s
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as http:
                with http.stream("POST", url, content=body, headers=hdrs) as r:
                    read = 0
                    for chunk in r.iter_raw():  # bounded: the rest is dropped with the socket
                        read += len(chunk)
                        if read >= s.max_response_bytes or time.perf_counter() > deadline:
                            break
                    status = r.status_code
        except httpx.TimeoutException:
            return Outcome(False, latency_ms=_ms(t0), error="timeout")
        except httpx.HTTPError as exc:
            return Outcome(False, latency_ms=_ms(t0), error=f"{type(exc).__name__}: {exc}"[:500])
        ok = 200 <= status < 300
        return Outcome(ok, status_code=status, latency_ms=_ms(t0),
                       error=None if ok else f"HTTP {status}")

    def _record(self, msg_id: str, o: Outcome, attempts: int, created: float, *,
                give_up: bool) -> None:
        now = self.hooks.clock()
        values: dict[str, object] = {"attempts": attempts, "last_status_code": o.status_code,
                                     "last_latency_ms": o.latency_ms, "last_error": o.error,
                                     "updated_at": now}
        if o.ok:
            values.update(state=SUCCEEDED, delivered_at=now)
        else:
            retry_at = now + self.backoff_s(attempts)
            if give_up or retry_at > created + self.settings.retry_period_s:
                values.update(state=FAILED)
            else:
                values.update(next_attempt_at=retry_at)
        with self.db.session() as s:
            s.execute(update(WebhookDelivery).where(WebhookDelivery.id == msg_id).values(**values)
                      .execution_options(synchronize_session=False))


def _ms(t0: float) -> int:
    return int(round((time.perf_counter() - t0) * 1000))


class WebhookDispatcher:
    """A thread sending due deliveries every ``poll_s`` (started with the workers)."""

    def __init__(self, sender: WebhookSender) -> None:
        self.sender = sender
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="repstride-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.sender.run_due()
            except Exception:  # a database hiccup must not kill the thread
                log.exception("webhook sender pass failed")
            self._stop.wait(self.sender.settings.poll_s)


__all__ = ["Outcome", "WebhookDispatcher", "WebhookSender"]
