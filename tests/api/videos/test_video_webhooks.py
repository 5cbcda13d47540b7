"""Video API webhook events (a repstride extension) to a real receiver on 127.0.0.1: signed
(verified with the ``standardwebhooks`` library), only for videos created with
``notifyViaWebhook: true``, ``sequence`` one more per event of a video, through the one
configuration per client that the Running Analysis API's ``PUT /webhook`` sets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook
from svc_helpers import Receiver, make_video

from repstride.service.webhooks.sender import WebhookSender


def _h(token: str) -> dict[str, str]:
    return {"Authorization": token}


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", 10)


@pytest.fixture
def receiver(services) -> Iterator[Receiver]:  # noqa: ANN001
    services.clock = time.time  # signatures carry real time (receivers check it)
    r = Receiver()
    yield r
    r.close()


def _configure(api, token: str, url: str) -> str:  # noqa: ANN001
    r = api.put("/webhook", headers=_h(token), json={"url": url})  # a token alone will do
    assert r.status_code == 200, r.text
    return r.json()["secret"]


def _video(api, token: str, path: Path, **body) -> str:  # noqa: ANN001
    created = api.post("/videos", headers=_h(token), json={
        "filename": path.name, "size": path.stat().st_size, "activity": "push_up", **body}).json()
    with open(path, "rb") as f:
        r = api.post(created["url"].removeprefix("http://testserver"), data=created["fields"],
                     files={"file": (path.name, f, "video/mp4")})
    assert r.status_code == 204, r.text
    return created["id"]


def _run(services) -> None:  # noqa: ANN001
    for job_id in services.jobs.ready_ids():
        services.runner.run_job(job_id)
    sender = WebhookSender(services.webhooks)
    while sender.run_due():
        pass


def test_signed_events_only_for_opted_in_videos(api, services, token, clip,
                                                receiver: Receiver) -> None:  # noqa: ANN001
    secret = _configure(api, token, receiver.url)
    loud = _video(api, token, clip, notifyViaWebhook=True)
    quiet = _video(api, token, clip)  # notifyViaWebhook defaults to false
    _run(services)

    events = receiver.events()
    assert [e["type"] for e in events] == ["video.analysis.completed", "video.overlays.completed"]
    assert {e["video_id"] for e in events} == {loud} and quiet != loud
    assert [e["sequence"] for e in events] == [1, 2]
    assert events[0]["status"] == "Complete" and events[0]["activity"] == "push_up"
    assert events[1]["status"] == "Complete"
    assert events[1]["overlays"] == {"skeleton": "Complete", "all": "Complete",
                                     "thumbnail": "Complete"}
    assert all(e["timestamp"].endswith("Z") for e in events)
    wh = Webhook(secret)
    for headers, body in receiver.requests:
        assert wh.verify(body, headers)["video_id"] == loud
    headers, body = receiver.requests[0]
    with pytest.raises(Exception):
        wh.verify(body.replace(b"Complete", b"Failed!!"), headers)

    # a PUT re-analyses: the same video's events go on from sequence 3
    assert api.put(f"/videos/{loud}", headers=_h(token), json={"repCount": 2}).status_code == 200
    _run(services)
    later = receiver.events()[2:]
    assert [(e["type"], e["sequence"]) for e in later] == [
        ("video.analysis.completed", 3), ("video.overlays.completed", 4)]
    listed = api.get("/webhook/deliveries", headers=_h(token)).json()["deliveries"]
    assert {d["type"] for d in listed} == {"video.analysis.completed", "video.overlays.completed"}
    assert all(d["state"] == "succeeded" and d["status_code"] == 200 for d in listed)


def test_failed_analysis_event_has_its_reason(api, services, token, tmp_path: Path,
                                              receiver: Receiver) -> None:  # noqa: ANN001
    _configure(api, token, receiver.url)
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"this is not a video\n" * 100)
    vid = _video(api, token, junk, notifyViaWebhook=True)
    _run(services)
    (event,) = receiver.events()
    assert (event["type"], event["video_id"], event["status"], event["sequence"]) == (
        "video.analysis.failed", vid, "Failed", 1)
    assert event["reason"] == api.get(f"/videos/{vid}", headers=_h(token)).json()["reason"]


def test_no_receiver_configured_sends_nothing_and_flag_is_strict(api, services, token,
                                                                 clip) -> None:  # noqa: ANN001
    vid = _video(api, token, clip, notifyViaWebhook=True)
    _run(services)
    assert api.get(f"/videos/{vid}/analysis", headers=_h(token)).json()["status"] == "Complete"
    assert api.get("/webhook/deliveries", headers=_h(token)).json() == {"deliveries": []}
    r = api.post("/videos", headers=_h(token),
                 json={"filename": "a.mp4", "size": 10, "notifyViaWebhook": "yes"})
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    # frozen at creation: a PUT does not change it
    api.put(f"/videos/{vid}", headers=_h(token), json={"repCount": 1, "notifyViaWebhook": False})
    (item,) = [v for v in api.get("/videos", headers=_h(token)).json() if v["id"] == vid]
    assert item["notifyViaWebhook"] is True


def test_webhook_routes_need_a_credential(api) -> None:  # noqa: ANN001
    r = api.get("/webhook")
    assert (r.status_code, r.json()["code"]) == (401, "missing_api_key")
    r = api.get("/webhook", headers={"Authorization": "not-a-token"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
