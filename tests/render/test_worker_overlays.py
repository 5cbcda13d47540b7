"""Overlays through the service: the worker renders them after the analysis, ``GET /videos/{id}``
shows their status and a signed ``uri``, ``GET /videos/{id}/overlays`` lists them, and the
downloads decode with the input's frame count and the skeleton on the subject."""

from __future__ import annotations

import warnings
from pathlib import Path

import av
import numpy as np
import pytest

from repstride.analysis.track import Joint
from repstride.media import iter_frames, probe
from repstride.service import Settings, build_services
from repstride.service.videos.service import VideoCreate
from repstride.service.videos.jobs import ARTIFACT_STEPS
from synthetic_media import GREY, figure_track, squat_result, write_video

FRAMES = 36


class FigurePipeline:
    """Injected pose + analysis: the stick figure of ``synthetic_media`` on the uploaded clip."""

    def pose(self, path, *, progress=None):  # noqa: ANN001, ANN201
        from repstride.pose import PoseResult

        info = probe(path)
        track = figure_track(FRAMES, width=info.width, height=info.height)
        other = np.tile([0.02, 0.3, 0.25, 0.95, 0.9], (FRAMES, 1))
        subject = np.concatenate([track.bbox, np.full((FRAMES, 1), 0.9)], axis=1)
        return PoseResult(info=info, track=track, people={0: subject, 1: other}, subject_id=0)

    def analyze(self, track, *, domain, activity, rep_count, video_path=None):  # noqa: ANN001, ANN201
        return squat_result([(100, 300, 500), (600, 800, 1000)])


@pytest.fixture
def services(tmp_path: Path):  # noqa: ANN201
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'db'}",
                        workers=0, secret_key="k" * 32)
    s = build_services(settings, pipeline=FigurePipeline())
    yield s
    s.close()


@pytest.fixture
def processed(services, tmp_path: Path):  # noqa: ANN001, ANN201
    if not ARTIFACT_STEPS:
        pytest.fail("no artifact step registered: overlays would stay Pending")
    clip = write_video(tmp_path / "clip.mp4", width=320, height=240, frames=FRAMES)
    client = services.clients.create("app", credits=5)
    video, _ = services.videos.create(
        client.id, VideoCreate(filename="clip.mp4", size=clip.stat().st_size, activity="squat"),
        base_url="http://test")
    services.blobs.put_file(video.video_key, clip)
    job_id = services.videos.upload_received(video.id, clip.stat().st_size)
    assert services.runner.run_job(job_id) == "done"
    return client, services.videos.get(client.id, video.id), clip


def _decode(data: bytes, tmp: Path, name: str) -> list[np.ndarray]:
    path = tmp / name
    path.write_bytes(data)
    return [f.rgb for f in iter_frames(path)]


def test_worker_stores_both_overlays(services, processed, tmp_path: Path) -> None:  # noqa: ANN001
    _, v, clip = processed
    assert {k: o["status"] for k, o in v.overlays.items()} == {"skeleton": "Complete",
                                                               "all": "Complete",
                                                               "thumbnail": "Complete"}
    track = figure_track(FRAMES, width=320, height=240)
    for kind in ("skeleton", "all"):
        frames = _decode(services.blobs.get_bytes(v.overlays[kind]["key"]), tmp_path, kind + ".mp4")
        assert abs(len(frames) - probe(clip).frames) <= 1
        f = frames[FRAMES // 2].astype(int)
        x, y = (track.xy[FRAMES // 2, int(Joint.LEFT_KNEE)] * [320, 240]).round().astype(int)
        assert np.abs(f[y - 2:y + 3, x - 2:x + 3] - GREY).max() > 60


def test_api_lists_overlays_with_signed_uris(services, processed, tmp_path: Path) -> None:  # noqa: ANN001
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from repstride.api import create_app

    client, v, clip = processed
    with TestClient(create_app(services, start_workers=False)) as api:
        tok = api.post("/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": client.id,
            "client_secret": client.secret, "scope": ""}).json()["access_token"]
        h = {"Authorization": f"Bearer {tok}"}
        body = api.get(f"/videos/{v.id}", headers=h).json()
        assert set(body["overlays"]) == {"skeleton", "all"}
        listed = api.get(f"/videos/{v.id}/overlays", headers=h)
        assert listed.status_code == 200
        assert set(listed.json()) == {"skeleton", "all"}
        for kind, o in body["overlays"].items():
            assert o["status"] == "Complete" and "key" not in o
            r = api.get(o["uri"].replace("http://testserver", ""))
            assert r.status_code == 200 and r.content[4:8] == b"ftyp"
            with av.open(str(_save(tmp_path / f"{kind}.mp4", r.content))) as c:
                assert c.streams.video[0].codec_context.name == "h264"
            assert abs(probe(tmp_path / f"{kind}.mp4").duration_s - probe(clip).duration_s) < 0.05
        thumb = body["thumbnail"]
        assert thumb["status"] == "Complete"
        r = api.get(thumb["uri"].replace("http://testserver", ""))
        assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"  # JPEG
        # a tampered signature is refused
        bad = body["overlays"]["all"]["uri"].replace("http://testserver", "")[:-4] + "AAAA"
        assert api.get(bad).status_code in (401, 403)


def _save(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
