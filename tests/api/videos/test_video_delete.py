"""``DELETE /videos/{id}``: 204, every blob of the video gone from the blob store (upload, pose
track, j2p, objects, overlays, thumbnail), another tenant's id 404 with nothing touched, and a
delete while the job runs: the job ends as failed with reason ``deleted`` and leaves no blob."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from svc_helpers import make_video

from repstride.service.models import Job
from repstride.service.videos.service import blob_key


def _h(token: str) -> dict[str, str]:
    return {"Authorization": token}


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", 10)


def _video(api, token: str, path: Path) -> str:  # noqa: ANN001
    created = api.post("/videos", headers=_h(token), json={
        "filename": path.name, "size": path.stat().st_size, "activity": "push_up"}).json()
    with open(path, "rb") as f:
        r = api.post(created["url"].removeprefix("http://testserver"), data=created["fields"],
                     files={"file": (path.name, f, "video/mp4")})
    assert r.status_code == 204, r.text
    return created["id"]


def _blobs(services, video_id: str) -> set[str]:  # noqa: ANN001
    d = services.blobs.root / "videos" / video_id
    return {p.name for p in d.rglob("*") if p.is_file()} if d.exists() else set()


def _job_error(services, job_id: str) -> tuple[str, str | None]:  # noqa: ANN001
    with services.db.session() as s:
        j = s.get(Job, job_id)
        return j.state, j.error


def test_delete_removes_every_blob_and_only_the_callers(api, services, token, other_token,
                                                        clip) -> None:  # noqa: ANN001
    gone, kept = _video(api, token, clip), _video(api, token, clip)
    for job_id in services.jobs.ready_ids():
        assert services.runner.run_job(job_id) == "done"
    stored = _blobs(services, gone)
    assert {"source", "track.npz", "j2p.json", "objects.json", "overlay_skeleton.mp4",
            "overlay_all.mp4", "thumbnail.jpg"} <= stored
    uri = api.get(f"/videos/{gone}", headers=_h(token)).json()["overlays"]["all"]["uri"]

    r = api.delete(f"/videos/{gone}", headers=_h(other_token))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert _blobs(services, gone) == stored  # another tenant's delete touched nothing

    r = api.delete(f"/videos/{gone}", headers=_h(token))
    assert r.status_code == 204 and r.content == b""
    assert _blobs(services, gone) == set()
    assert _blobs(services, kept) == stored  # the other video keeps its files
    assert api.get(f"/videos/{gone}", headers=_h(token)).status_code == 404
    assert api.get(uri.removeprefix("http://testserver")).status_code == 404
    assert [v["id"] for v in api.get("/videos", headers=_h(token)).json()] == [kept]
    assert api.delete(f"/videos/{gone}", headers=_h(token)).status_code == 404


def test_delete_while_pose_runs_ends_the_job_as_deleted(api, services, pipeline, token,
                                                        clip) -> None:  # noqa: ANN001
    vid = _video(api, token, clip)
    (job_id,) = services.jobs.ready_ids()
    pipeline.block = threading.Event()  # the pose stage waits (reporting progress) until set
    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(services.runner.run_job(job_id)))
    worker.start()
    try:
        assert pipeline.started.wait(30)
        assert api.delete(f"/videos/{vid}", headers=_h(token)).status_code == 204
        worker.join(30)  # noticed from the progress callback: the pose is never released
        assert not worker.is_alive()
    finally:
        pipeline.block.set()
        worker.join(30)
    assert outcome == ["failed"]
    state, error = _job_error(services, job_id)
    assert state == "failed" and error.startswith("deleted: ")
    assert _blobs(services, vid) == set()
    assert services.jobs.ready_ids() == []  # not retried


def test_delete_during_rendering_leaves_no_late_blob(api, services, token, clip) -> None:  # noqa: ANN001
    vid = _video(api, token, clip)
    client_id = services.clients.authenticate(token).id

    def step(ctx):  # noqa: ANN001, ANN202
        services.videos.delete(client_id, ctx.video_id)  # the client deletes meanwhile ...
        key = blob_key(ctx.video_id, "overlay_all.mp4")
        ctx.services.blobs.put_bytes(key, b"late")  # ... and the renderer stores its file
        return {"all": {"status": "Complete", "key": key}}

    services.artifact_steps = (step,)
    (job_id,) = services.jobs.ready_ids()
    assert services.runner.run_job(job_id) == "failed"
    assert _job_error(services, job_id)[1].startswith("deleted: ")
    assert _blobs(services, vid) == set()
