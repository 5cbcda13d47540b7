"""Webhooks against a real HTTP receiver on 127.0.0.1: Standard Webhooks signatures (verified with
the ``standardwebhooks`` library), strictly increasing ``sequence``, retries with backoff on an
injectable clock, a restart between attempts, hostile receivers, and the configuration routes."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from running_helpers import Api, Stage, _services
from svc_helpers import Receiver
from standardwebhooks.webhooks import Webhook

from repstride.service.running.service import attach_running
from repstride.service.webhooks.models import WebhookDelivery
from repstride.service.webhooks.sender import WebhookSender
from repstride.service.webhooks.service import WebhookService
from repstride.service.webhooks.settings import WebhookSettings


def _attach_webhooks(services, *, settings: WebhookSettings) -> WebhookService:  # noqa: ANN001
    """Other webhook settings for this test (the container built them from the environment)."""
    services.webhooks = WebhookService(services, settings)
    return services.webhooks


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _configure(api: Api, url: str, key: str | None = None) -> str:
    r = api.http.put("/webhook", params={"apiKey": key or api.api_key},
                     json={"url": url, "enabled": True})
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    assert secret.startswith("whsec_")
    return secret


def _start(api: Api, video: Path, **form: str) -> str:
    r = api.http.post("/analysis/start", params=api.q(),
                      data={"analysis_type": "side_view", **form},
                      files={"video": ("a.mp4", video.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    return r.json()["video_id"]


def _send_all(sender: WebhookSender) -> None:
    for _ in range(50):
        if not sender.run_due():
            return
    raise AssertionError("deliveries keep coming")


def test_signed_ordered_deliveries_for_an_analysis(api: Api, videos: dict[str, Path],
                                                   receiver: Receiver) -> None:
    secret = _configure(api, receiver.url)
    stages = [Stage(0.25), Stage(0.55)]
    for st in stages:
        st.release.set()
    api.pipeline.stages = stages
    quiet = _start(api, videos["mp4"])  # notify_via_webhook defaults to false
    aid = _start(api, videos["mp4"], notify_via_webhook="true")
    api.run_jobs()
    _send_all(WebhookSender(api.services.webhooks))

    events = receiver.events()
    assert {e["video_id"] for e in events} == {aid} and quiet != aid
    types = [e["type"] for e in events]
    assert types[0] == "analysis.started" and types[-1] == "analysis.succeeded"
    assert set(types[1:-1]) == {"analysis.progress"} and len(types) >= 4  # 25 %, 55 %, 95 %
    seqs = [e["sequence"] for e in events]
    assert seqs == list(range(1, len(events) + 1))  # strictly increasing, one by one
    pcts = [e["percentage"] for e in events]
    assert pcts == sorted(pcts) and pcts[-1] == 100 and events[-1]["status"] == "success"
    assert all(e["timestamp"].endswith("Z") for e in events)
    wh = Webhook(secret)
    for headers, body in receiver.requests:
        assert wh.verify(body, headers)["video_id"] == aid  # the library agrees
        assert headers["webhook-signature"].startswith("v1,")
    tampered_headers, body = receiver.requests[0]
    with pytest.raises(Exception):
        wh.verify(body.replace(b"started", b"failed!"), tampered_headers)


def test_failed_analysis_ends_with_analysis_failed(api: Api, videos: dict[str, Path],
                                                   receiver: Receiver) -> None:
    from repstride.errors import LowQualityPose

    _configure(api, receiver.url)
    api.pipeline.error = LowQualityPose()
    aid = _start(api, videos["mp4"], notify_via_webhook="true")
    api.run_jobs()
    _send_all(WebhookSender(api.services.webhooks))
    last = receiver.events()[-1]
    assert last["type"] == "analysis.failed" and last["video_id"] == aid
    assert last["status"] == "failed" and last["code"] == "LOW_QUALITY_POSE_ESTIMATE"


def test_500_three_times_then_200_across_a_restart(api: Api, tmp_path: Path,
                                                   sqlite_url: str) -> None:
    rx = Receiver([500, 500, 500])
    try:
        clock = Clock()
        api.services.clock = clock
        settings = WebhookSettings(backoff_base_s=5, backoff_cap_s=3600)
        hooks = _attach_webhooks(api.services, settings=settings)
        _configure(api, rx.url)
        msg_id = hooks.emit(api.client_id, "analysis.succeeded",
                            {"video_id": "v1", "status": "success", "percentage": 100,
                             "sequence": 1}, resource_id="v1", sequence=1)
        sender = WebhookSender(hooks)

        def row() -> WebhookDelivery:
            with api.services.db.session() as s:
                r = s.get(WebhookDelivery, msg_id)
                s.expunge(r)
                return r

        assert sender.run_due() == 1 and len(rx.requests) == 1
        assert sender.run_due() == 0 and len(rx.requests) == 1  # not due before the backoff
        delays = []
        for expected in (2, 3):
            r = row()
            assert r.state == "pending" and r.last_status_code == 500
            delays.append(r.next_attempt_at - clock.t)
            clock.t = r.next_attempt_at - 0.001
            assert sender.run_due() == 0  # a millisecond early: still waiting
            clock.t = r.next_attempt_at
            if expected == 3:
                # Restart: a new server process on the same database; nothing is lost.
                api.http.close()
                api.services.close()
                services = _services(sqlite_url, tmp_path)
                services.clock = clock
                attach_running(services, pipeline=api.pipeline)
                hooks = _attach_webhooks(services, settings=settings)
                sender = WebhookSender(hooks)
                api.services = services
            assert sender.run_due() == 1 and len(rx.requests) == expected
        # Exponential with jitter in [0.5, 1): 5 s * [0.5, 1), then 10 s * [0.5, 1).
        assert 2.5 <= delays[0] < 5 and 5 <= delays[1] < 10
        r = row()
        clock.t = r.next_attempt_at
        assert sender.run_due() == 1 and len(rx.requests) == 4
        assert row().state == "succeeded" and row().attempts == 4
        clock.t += 10 * 86400
        assert sender.run_due() == 0 and len(rx.requests) == 4  # exactly once more, then quiet
        ids = {h["webhook-id"] for h, _ in rx.requests}
        assert ids == {msg_id}  # the same webhook-id on every attempt (receivers de-duplicate)
    finally:
        rx.close()


def test_gives_up_after_the_retry_period(api: Api) -> None:
    rx = Receiver([503] * 100)
    try:
        clock = Clock()
        api.services.clock = clock
        hooks = _attach_webhooks(api.services, settings=WebhookSettings(retry_period_s=60,
                                                                       backoff_base_s=20))
        _configure(api, rx.url)
        msg_id = hooks.emit(api.client_id, "analysis.started", {"video_id": "v"},
                            resource_id="v", sequence=1)
        sender = WebhookSender(hooks)
        for _ in range(10):
            sender.run_due()
            clock.t += 100
        with api.services.db.session() as s:
            r = s.get(WebhookDelivery, msg_id)
            assert r.state == "failed" and 1 <= r.attempts <= 3
    finally:
        rx.close()


def test_hostile_receivers_cannot_hold_the_sender(api: Api) -> None:
    # A huge answer: at most max_response_bytes are read, the 2xx still counts.
    huge = Receiver(body=b"x" * (8 * 1024 * 1024))
    # No answer at all: a socket that accepts and never replies.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        hooks = _attach_webhooks(api.services, settings=WebhookSettings(
            timeout_s=0.3, connect_timeout_s=0.3, max_response_bytes=1024))
        _configure(api, huge.url)
        out = api.http.post("/webhook/test", params=api.q())
        assert out.status_code == 200 and out.json()["success"] and out.json()["status_code"] == 200
        assert isinstance(out.json()["latency_ms"], int)
        api.http.put("/webhook", params=api.q(),
                     json={"url": f"http://127.0.0.1:{silent.getsockname()[1]}/", "enabled": True})
        out = api.http.post("/webhook/test", params=api.q()).json()
        assert out["success"] is False and out["error"] == "timeout" and out["status_code"] is None
        assert hooks.settings.timeout_s == 0.3
    finally:
        silent.close()
        huge.close()


def test_configuration_routes(api: Api, receiver: Receiver) -> None:
    q = api.q()
    assert api.http.get("/webhook", params=q).json() == {}
    assert api.http.get("/webhook").status_code == 401
    for bad in ("ftp://example.org/x", "file:///etc/passwd", "example.org/hook", "http://"):
        r = api.http.put("/webhook", params=q, json={"url": bad})
        assert r.status_code == 422 and r.json()["code"] == "validation_error", bad
    first = _configure(api, receiver.url)
    again = api.http.put("/webhook", params=q, json={"url": receiver.url, "enabled": False}).json()
    assert "secret" not in again and again["enabled"] is False and again["updated_at"]
    rotated = api.http.put("/webhook", params=q,
                           json={"url": receiver.url, "rotate_secret": True}).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != first
    got = api.http.get("/webhook", params=q).json()
    assert got["url"] == receiver.url and "secret" not in got

    t = api.http.post("/webhook/test", params=q).json()
    assert t["success"] and t["status_code"] == 200
    Webhook(rotated["secret"]).verify(receiver.requests[-1][1], receiver.requests[-1][0])
    d = api.http.get("/webhook/deliveries", params=q).json()["deliveries"]
    assert d[0]["type"] == "webhook.test" and d[0]["status_code"] == 200
    assert d[0]["state"] == "succeeded" and isinstance(d[0]["latency_ms"], int)
    # Another client sees none of it.
    _, _, other = api.new_client()
    assert api.http.get("/webhook", params={"apiKey": other}).json() == {}
    assert api.http.get("/webhook/deliveries", params={"apiKey": other}).json() == {
        "deliveries": []}
    assert api.http.post("/webhook/test", params={"apiKey": other}).status_code == 404


def test_openapi_shows_the_new_routes(api: Api) -> None:
    paths = api.http.get("/openapi.json").json()["paths"]
    for p in ("/analysis", "/credits", "/subjects", "/subjects/{id}", "/subjects/{id}/delete",
              "/subjects/{id}/analysis", "/webhook", "/webhook/deliveries", "/webhook/test"):
        assert p in paths, p
    assert "202" in paths["/analysis/start"]["post"]["responses"]
