"""Polite polling by the SDK (``Client`` and ``AsyncClient``): the wait helpers send
``If-None-Match`` with the last ETag, take a 304 as "unchanged", and sleep per ``Retry-After``
(kept within the policy's bounds) instead of the backoff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from client_fakes import FakeClock, FakeServer

from repstride.client import PollPolicy


class Etagged:
    """A poll route answering the scripted bodies in turn, each under its own ETag; a request
    naming the current ETag gets a 304 (the script does not advance for it ``hold`` times)."""

    def __init__(self, bodies: list[tuple[int, dict[str, Any]]], *, hold: int = 2,
                 retry_after: str | None = "2") -> None:
        self.bodies, self.hold, self.retry_after = bodies, hold, retry_after
        self.i, self.held = 0, 0
        self.conditions: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        inm = request.headers.get("if-none-match")
        self.conditions.append(inm)
        unchanged = inm == f'"v{self.i}"'
        if unchanged:
            self.held += 1
            if self.held > self.hold and self.i < len(self.bodies) - 1:
                self.i, self.held, unchanged = self.i + 1, 0, False  # it changed meanwhile
        status, body = self.bodies[self.i]
        headers = {"ETag": f'"v{self.i}"'}
        if self.retry_after and self.i < len(self.bodies) - 1:
            headers["Retry-After"] = self.retry_after
        if unchanged:
            return httpx.Response(304, headers=headers)
        return httpx.Response(status, json=body, headers=headers)


def test_wait_for_analysis_revalidates_and_follows_retry_after(
        make_client, fake: FakeServer, clock: FakeClock) -> None:  # noqa: ANN001
    route = Etagged([(200, {"status": "Pending", "reps": []}),
                     (200, {"status": "Pending", "reps": [], "percentage": 50}),
                     (200, {"status": "Complete", "reps": []})], retry_after="3")
    fake.routes[("GET", "/videos/vid-1/analysis")] = route
    analysis = make_client().wait_for_analysis("vid-1")
    assert analysis.is_complete and analysis.video_id == "vid-1"
    assert route.conditions == [None, '"v0"', '"v0"', '"v0"', '"v1"', '"v1"', '"v1"']
    assert clock.sleeps == [3.0] * 6  # the server's Retry-After, not the 1, 1.5, 2.25... backoff


def test_retry_after_is_bounded_by_the_policy(make_client, fake: FakeServer,
                                              clock: FakeClock) -> None:  # noqa: ANN001
    fake.routes[("GET", "/videos/vid-1/analysis")] = Etagged(
        [(200, {"status": "Pending"}), (200, {"status": "Complete"})], hold=0,
        retry_after="86400")
    make_client(poll=PollPolicy(initial_s=0.5, max_retry_after_s=20.0)).wait_for_analysis("vid-1")
    assert clock.sleeps == [20.0]
    clock.sleeps.clear()
    fake.routes[("GET", "/videos/vid-1/analysis")] = Etagged(
        [(200, {"status": "Pending"}), (200, {"status": "Complete"})], hold=0, retry_after="0")
    make_client(poll=PollPolicy(initial_s=0.5)).wait_for_analysis("vid-1")
    assert clock.sleeps == [0.5]  # never below the policy's first delay


def test_without_retry_after_the_backoff_applies(make_client, fake: FakeServer,
                                                 clock: FakeClock) -> None:  # noqa: ANN001
    route = Etagged([(200, {"status": "Pending"}), (200, {"status": "Complete"})], hold=2,
                    retry_after=None)
    fake.routes[("GET", "/videos/vid-1/analysis")] = route
    make_client().wait_for_analysis("vid-1")
    assert clock.sleeps == pytest.approx([1.0, 1.5, 2.25])
    assert route.conditions == [None, '"v0"', '"v0"', '"v0"']


def test_wait_for_results_revalidates_202_answers(make_client, fake: FakeServer,
                                                  clock: FakeClock) -> None:  # noqa: ANN001
    route = Etagged([(202, {"status": "analyzing", "percentage": 40}),
                     (200, {"status": "success", "id": "run-1"})], hold=1)
    fake.routes[("GET", "/analysis/run-1/results")] = route
    client = make_client(api_key="rsk_k")
    events: list[Any] = []
    results = client.wait_for_results("run-1", progress=events.append)
    assert results.is_done and results.id == "run-1"
    assert route.conditions == [None, '"v0"', '"v0"']
    assert [e.done for e in events] == [40.0, 40.0, None]  # a 304 reports the kept body
    assert clock.sleeps == [2.0, 2.0]
    assert all(s.query.get("apiKey") == "rsk_k" for s in fake.api_calls("/analysis"))


def test_download_overlay_revalidates_the_video(make_client, fake: FakeServer,
                                                tmp_path: Path) -> None:  # noqa: ANN001
    route = Etagged([(200, {"id": "vid-1", "status": "Success", "overlays": {
        "all": {"status": "Pending"}}}), (200, {"id": "vid-1", "status": "Success", "overlays": {
            "all": {"status": "Complete", "uri": "https://files.test/all.mp4"}}})], hold=1)
    fake.routes[("GET", "/videos/vid-1")] = route
    dest = make_client().download_overlay("vid-1", tmp_path / "all.mp4")
    assert dest.read_bytes().startswith(b"overlay-bytes")
    assert route.conditions == [None, '"v0"', '"v0"']


def test_single_gets_are_unconditional(make_client, fake: FakeServer) -> None:  # noqa: ANN001
    route = Etagged([(200, {"status": "Pending"})])
    fake.routes[("GET", "/videos/vid-1/analysis")] = route
    client = make_client()
    for _ in range(3):
        assert client.get_analysis("vid-1").status == "Pending"
    assert route.conditions == [None, None, None]
