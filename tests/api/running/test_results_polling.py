"""Polite polling of ``GET /analysis/{id}/results``: an ETag of the body, If-None-Match -> 304
(for the 200 and 202 answers), Retry-After while pending or analyzing, and one query per poll
once the apiKey has been verified."""

from __future__ import annotations

import threading
from pathlib import Path

from running_helpers import Api, Stage
from sqlalchemy import event

from repstride.errors import LowQualityPose


def _conditional(api: Api, aid: str, etag: str):  # noqa: ANN202
    return api.http.get(f"/analysis/{aid}/results", params=api.q(), headers={
        "If-None-Match": etag})


def _assert_304(api: Api, aid: str, etag: str, retry_after: str | None) -> None:
    r = _conditional(api, aid, etag)
    assert (r.status_code, r.content, r.headers["etag"]) == (304, b"", etag)
    assert r.headers.get("retry-after") == retry_after


def test_results_etag_304_and_retry_after_through_the_lifecycle(
        api: Api, videos: dict[str, Path]) -> None:
    stage = Stage(0.4)
    api.pipeline.stages = [stage]
    aid = api.start(videos["mp4"]).json()["analysis_id"]
    r = api.http.get(f"/analysis/{aid}/results", params=api.q())
    assert r.json()["status"] == "pending" and r.headers["retry-after"] == "2"
    pending = r.headers["etag"]
    _assert_304(api, aid, pending, "2")

    seen: list[str] = []
    record = lambda conn, cur, statement, *a: seen.append(statement)  # noqa: E731
    event.listen(api.services.db.engine, "before_cursor_execute", record)
    try:
        api.http.get(f"/analysis/{aid}/results", params=api.q())
    finally:
        event.remove(api.services.db.engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "FROM running_analyses" in seen[0]

    (job_id,) = api.job_ids()
    worker = threading.Thread(target=api.services.runner.run_job, args=(job_id,))
    worker.start()
    try:
        assert stage.reached.wait(30)
        r = _conditional(api, aid, pending)  # changed: the whole new body
        assert r.status_code == 202 and r.json()["percentage"] == 40
        assert r.headers["retry-after"] == "2"
        _assert_304(api, aid, r.headers["etag"], "2")
    finally:
        stage.release.set()
        worker.join(60)

    r = _conditional(api, aid, pending)
    assert r.status_code == 200 and r.json()["status"] == "success"
    assert "retry-after" not in r.headers
    _assert_304(api, aid, r.headers["etag"], None)


def test_a_failed_analysis_is_sent_whole_without_an_etag(api: Api,
                                                         videos: dict[str, Path]) -> None:
    api.pipeline.error = LowQualityPose("no runner found")
    aid = api.start(videos["mp4"]).json()["analysis_id"]
    for _ in range(5):
        if not api.run_jobs():
            break
    r = _conditional(api, aid, "*")  # conditions apply to 2xx answers only
    assert r.status_code == 400 and r.json()["status"] == "failed"
    assert "etag" not in r.headers and "retry-after" not in r.headers
