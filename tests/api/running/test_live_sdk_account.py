"""The SDK's account side over real HTTP (uvicorn, worker pool on), with ``Client`` and
``AsyncClient``: the Video API listing (cursors followed), deletes, the Running API listing,
subjects and their analyses, the webhook configuration with a signed test event to a loopback
receiver (checked with ``repstride.webhooks.verify`` and ``standardwebhooks``), two tenants."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from running_helpers import Live
from standardwebhooks.webhooks import Webhook
from svc_helpers import Receiver

from repstride import webhooks
from repstride.client import AsyncClient, NotFound


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _other(live: Live) -> dict:
    c = live.services.clients.create("other", credits=1)
    return {"base_url": live.url, "client_id": c.id, "client_secret": c.secret,
            "api_key": live.running.issue_api_key(c.id), "token_cache": False}


def test_sync_client_account_methods(live: Live, videos: dict[str, Path],
                                     receiver: Receiver) -> None:
    with live.sdk() as c, live.sdk(**_other(live)) as other:
        # --- webhooks ---
        assert c.get_webhook() is None
        cfg = c.set_webhook(receiver.url)
        assert cfg.secret and cfg.secret.startswith("whsec_") and cfg.enabled
        assert c.get_webhook().url == receiver.url and c.get_webhook().secret is None
        result = c.test_webhook()
        assert result.success and result.status_code == 200 and result.latency_ms is not None
        headers, body = receiver.requests[-1]
        assert webhooks.verify(body, headers, cfg.secret)["type"] == "webhook.test"
        assert Webhook(cfg.secret).verify(body, headers)["type"] == "webhook.test"
        (delivery,) = c.webhook_deliveries(limit=5)
        assert (delivery.id, delivery.state) == (headers["webhook-id"], "succeeded")
        assert other.get_webhook() is None and other.webhook_deliveries() == []

        # --- Video API listing and delete ---
        ids = [c.create_video(filename=f"{i}.mp4", size=10, activity=a,
                              notify_via_webhook=i == 1).id
               for i, a in enumerate(["squat", "push_up", "squat"])]
        page = c.list_videos(limit=2)
        assert len(page.videos) == 2 and page.next_cursor
        assert [v.id for v in c.iter_videos(page_size=2)] == ids[::-1]
        assert [v.id for v in c.iter_videos(page_size=1, activity="squat")] == [ids[2], ids[0]]
        assert page.videos[0].activity == "squat" and page.videos[0].analysis_status == "Pending"
        assert [v.notify_via_webhook for v in c.iter_videos()] == [False, True, False]
        assert list(other.iter_videos()) == []
        with pytest.raises(NotFound):
            other.delete_video(ids[0])
        c.delete_video(ids[0])
        assert [v.id for v in c.iter_videos()] == ids[:0:-1]

        # --- subjects ---
        s = c.create_subject(name="Ana", email="ana@example.com", height=1.68, weight=58)
        assert (s.name, s.height, s.weight) == ("Ana", 1.68, 58)
        assert c.update_subject(s.subject_id, weight=59).weight == 59
        assert c.get_subject(s.subject_id).weight == 59
        assert [x.subject_id for x in c.list_subjects(limit=10).subjects] == [s.subject_id]
        assert c.list_subject_analyses(s.subject_id).analyses == []
        with pytest.raises(NotFound):
            other.get_subject(s.subject_id)
        c.delete_subject(s.subject_id)
        with pytest.raises(NotFound):
            c.get_subject(s.subject_id)

        # --- Running API listing and delete ---
        aid = c.start_running_analysis(videos["mp4"], view="side")
        assert live.done.wait(60)
        listed = c.list_analyses(limit=5)
        assert (listed.total, [a.video_id for a in listed.analyses]) == (1, [aid])
        assert listed.analyses[0].status == "success"
        assert other.list_analyses().total == 0
        with pytest.raises(NotFound):
            other.delete_analysis(aid)
        c.delete_analysis(aid)
        assert c.list_analyses().total == 0
        with pytest.raises(NotFound):
            c.get_results(aid)


def test_async_client_account_methods(live: Live, receiver: Receiver) -> None:
    async def main() -> None:
        async with AsyncClient(base_url=live.url, client_id=live.client_id,
                               client_secret=live.secret, api_key=live.api_key,
                               token_cache=False) as c:
            cfg = await c.set_webhook(receiver.url)
            assert (await c.get_webhook()).url == receiver.url
            assert (await c.test_webhook()).success
            headers, body = receiver.requests[-1]
            assert (await webhooks.averify(body, headers, cfg.secret))["type"] == "webhook.test"
            assert [d.type for d in await c.webhook_deliveries()] == ["webhook.test"]
            ids = [(await c.create_video(filename=f"{i}.mp4", size=10)).id for i in range(3)]
            assert [v.id async for v in c.iter_videos(page_size=2)] == ids[::-1]
            await c.delete_video(ids[1])
            page = await c.list_videos(limit=5)
            assert [v.id for v in page.videos] == [ids[2], ids[0]] and page.next_cursor is None
            s = await c.create_subject(name="Bo", height=1.9)
            assert (await c.update_subject(s.subject_id, name="Bob")).name == "Bob"
            assert (await c.list_subjects()).total == 1
            assert (await c.list_subject_analyses(s.subject_id)).total == 0
            await c.delete_subject(s.subject_id)
            assert (await c.list_subjects()).total == 0
            assert (await c.list_analyses()).analyses == []
            with pytest.raises(NotFound):
                await c.delete_analysis("0" * 32)

    asyncio.run(main())
