"""A full disk (or a failing blob store) during a job: the job fails with the stable reason
``storage_full`` / ``storage_error`` after its retries, every artifact is final, the credit is
refunded, and the API reads the failure (no 500)."""

from __future__ import annotations

import errno
import warnings
from pathlib import Path

import pytest
from svc_helpers import FastPipeline, make_video
from test_retention import MediaPipeline

from repstride.errors import StorageError, StorageFull
from repstride.service import Settings, build_services
from repstride.service.blobs.local import LocalBlobStore
from repstride.service.running.service import attach_running
from repstride.service.running.settings import RunningSettings
from repstride.service.security import Signer
from repstride.service.videos.service import VideoCreate


class FullDisk:
    """A blob store whose writes fail like a full disk (reads and deletes still work)."""

    def __init__(self, inner, error: OSError) -> None:  # noqa: ANN001
        self.inner, self.error, self.puts = inner, error, 0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.puts += 1
        raise self.error

    def put_file(self, key: str, path: Path) -> None:
        self.puts += 1
        raise self.error


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c.mp4", 20)


@pytest.mark.parametrize(("error", "code"), [
    (OSError(errno.ENOSPC, "No space left on device"), "storage_full"),
    (StorageError("The object store did not store it"), "storage_error"),
])
def test_a_full_store_fails_the_jobs_of_both_apis_cleanly(tmp_path: Path, db_url: str,
                                                          clip: Path, error, code) -> None:  # noqa: ANN001
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from repstride.api import create_app

    services = build_services(Settings(data_dir=tmp_path / "data", database_url=db_url,
                                       workers=0, secret_key="k" * 32, job_max_attempts=2),
                              pipeline=FastPipeline())
    try:
        attach_running(services, pipeline=MediaPipeline(),
                       settings=RunningSettings(max_bytes=200_000, max_duration_s=10.0))
        http = TestClient(create_app(services, start_workers=False))
        c = services.clients.create("app", credits=3)
        h = {"Authorization": f"Bearer {services.clients.issue_token(c.id, c.secret).access_token}"}
        q = {"apiKey": services.running.issue_api_key(c.id)}
        video, _ = services.videos.create(c.id, VideoCreate(filename="c.mp4",
                                                           size=clip.stat().st_size),
                                          base_url="http://test")
        services.blobs.put_file(video.video_key, clip)
        services.videos.upload_received(video.id, clip.stat().st_size)
        r = http.post("/analysis/start", params=q, headers=h, data={"analysis_type": "side_view"},
                      files={"video": ("c.mp4", clip.read_bytes(), "video/mp4")})
        analysis_id = r.json()["analysis_id"]
        assert services.credits.balance(c.id) == 2

        real = services.blobs
        services.blobs = full = FullDisk(real, error)
        states = [services.runner.run_job(j) for j in services.jobs.ready_ids()]
        states += [services.runner.run_job(j) for j in services.jobs.ready_ids()]
        assert sorted(states) == ["failed", "failed", "queued", "queued"] and full.puts >= 4
        assert services.jobs.counts() == {"failed": 2}
        services.blobs = real

        body = http.get(f"/videos/{video.id}", params={"include": "analysis,j2p,objects"},
                        headers=h).json()
        assert (body["status"], body["reason"]) == ("Failed", code)
        assert body["analysis"] == {"status": "Failed", "reason": code, "domain": None,
                                    "activity": None, "reps": []}
        assert {k: o for k, o in body["overlays"].items()} == {
            "skeleton": {"status": "Failed", "reason": code},
            "all": {"status": "Failed", "reason": code}}
        assert body["thumbnail"] == {"status": "Failed", "reason": code}
        assert body["j2p"]["status"] == "Failed"
        res = http.get(f"/analysis/{analysis_id}/results", params=q, headers=h).json()
        assert (res["status"], res["code"], res["credit_refunded"]) == ("failed", code, True)
        assert "storage" in res["reason"]
        assert services.credits.balance(c.id) == 3
        http.close()
    finally:
        services.close()


def test_the_local_store_reports_a_full_disk_as_storage_full(tmp_path: Path,
                                                              monkeypatch) -> None:  # noqa: ANN001
    store = LocalBlobStore(tmp_path / "blobs", Signer(b"s" * 32))

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("repstride.service.blobs.local.os.replace", full)
    with pytest.raises(StorageFull) as info:
        store.put_bytes("videos/a/x", b"1")
    assert info.value.code == "storage_full" and info.value.http_status == 503
    assert not store.exists("videos/a/x") and not list((tmp_path / "blobs" / ".tmp").iterdir())
