"""``DELETE /analysis/{id}`` with the apiKey: 204, the analysis' blobs gone from the blob store,
another client's analysis 404 with nothing touched, and a delete while the analysis runs: the job
ends as failed with reason ``deleted`` and leaves no blob."""

from __future__ import annotations

import threading
from pathlib import Path

from running_helpers import Api, Stage

from repstride.service.models import Job


def _blobs(api: Api, analysis_id: str) -> set[str]:
    d = api.services.blobs.root / "running" / analysis_id
    return {p.name for p in d.rglob("*") if p.is_file()} if d.exists() else set()


def _start(api: Api, video: Path) -> str:
    r = api.start(video)
    assert r.status_code == 202, r.text
    return r.json()["video_id"]


def test_delete_removes_the_analysis_and_its_blobs(api: Api, videos: dict[str, Path]) -> None:
    gone, kept = _start(api, videos["mp4"]), _start(api, videos["mp4"])
    assert api.run_jobs() == ["done", "done"]
    stored = _blobs(api, gone)
    assert {"source.mp4", "track.npz"} <= stored
    other_id, other_token, other_key = api.new_client()

    r = api.http.delete(f"/analysis/{gone}", params=api.q(other_key))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert _blobs(api, gone) == stored
    assert api.http.delete(f"/analysis/{gone}").json()["code"] == "missing_api_key"

    r = api.http.delete(f"/analysis/{gone}", params=api.q())  # the apiKey alone
    assert r.status_code == 204 and r.content == b""
    assert _blobs(api, gone) == set() and _blobs(api, kept) == stored
    assert api.results(gone).status_code == 404
    listed = api.http.get("/analysis", params=api.q()).json()["analyses"]
    assert [a["video_id"] for a in listed] == [kept]
    assert api.http.delete(f"/analysis/{gone}", params=api.q()).status_code == 404


def test_delete_while_running_ends_the_job_as_deleted(api: Api, videos: dict[str, Path]) -> None:
    stage = Stage(0.3)
    api.pipeline.stages = [stage]
    aid = _start(api, videos["mp4"])
    (job_id,) = api.job_ids()
    balance = api.balance()
    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(api.services.runner.run_job(job_id)))
    worker.start()
    try:
        assert stage.reached.wait(30)
        assert api.http.delete(f"/analysis/{aid}", params=api.q()).status_code == 204
    finally:
        stage.release.set()
        worker.join(30)
    assert outcome == ["failed"]
    with api.services.db.session() as s:
        job = s.get(Job, job_id)
        assert job.state == "failed" and job.error.startswith("deleted: ")
    assert _blobs(api, aid) == set()  # the track the job stored afterwards is gone too
    assert api.job_ids() == [] and api.balance() == balance  # not retried, not refunded
