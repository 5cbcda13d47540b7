"""Issue "overlays": a real clip through the server — both overlays and the thumbnail download
through their signed URLs, decode with PyAV, keep the input's frame count and duration, and
show the skeleton on the subject (slow: real pose model and renderer)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import av
import numpy as np
import pytest

from repstride.analysis.track import Joint
from repstride.media import iter_frames, probe
from repstride.service import Settings, build_services
from repstride.service.videos.service import VideoCreate
from repstride.service.videos.jobs import load_track

pytestmark = pytest.mark.slow

BODY = (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER, Joint.LEFT_HIP, Joint.RIGHT_HIP,
        Joint.LEFT_KNEE, Joint.RIGHT_KNEE, Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE)


@pytest.fixture(scope="module")
def served(demo_video: Path, tmp_path_factory: pytest.TempPathFactory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from repstride.api import create_app

    tmp = tmp_path_factory.mktemp("served")
    settings = Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db'}",
                        workers=0, secret_key="k" * 32)
    services = build_services(settings)  # the real pipeline
    client = services.clients.create("app", credits=5)
    size = demo_video.stat().st_size
    video, _ = services.videos.create(client.id, VideoCreate(filename="demo.mp4", size=size),
                                      base_url="http://test")
    services.blobs.put_file(video.video_key, demo_video)
    assert services.runner.run_job(services.videos.upload_received(video.id, size)) == "done"
    with TestClient(create_app(services, start_workers=False)) as api:
        tok = api.post("/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": client.id,
            "client_secret": client.secret}).json()["access_token"]
        body = api.get(f"/videos/{video.id}", headers={"Authorization": tok}).json()
        files = {}
        for name, o in [*body["overlays"].items(), ("thumbnail", body["thumbnail"])]:
            assert o["status"] == "Complete", (name, o)
            r = api.get(o["uri"].replace("http://testserver", ""))
            assert r.status_code == 200, name
            files[name] = tmp / f"{name}.{'jpg' if name == 'thumbnail' else 'mp4'}"
            files[name].write_bytes(r.content)
    track = load_track(services, video.id)
    services.close()
    return files, track


def test_overlays_keep_frame_count_and_duration(served, demo_video: Path) -> None:
    files, _ = served
    src = probe(demo_video)
    for kind in ("skeleton", "all"):
        with av.open(str(files[kind])) as c:
            n = sum(1 for _ in c.decode(video=0))
        assert abs(n - src.frames) <= 1, kind
        assert probe(files[kind]).duration_s == pytest.approx(src.duration_s, abs=1.5 / src.fps)


def test_thumbnail_decodes(served) -> None:
    files, _ = served
    with av.open(io.BytesIO(files["thumbnail"].read_bytes())) as c:
        frame = next(c.decode(video=0))
    assert frame.width >= 320 and frame.height >= 180


@pytest.mark.parametrize("kind", ["skeleton", "all"])
def test_skeleton_is_drawn_on_the_subject(served, demo_video: Path, kind: str) -> None:
    files, track = served
    rows = [r for r in np.flatnonzero(track.detected)[::15]
            if (track.score[r, [int(j) for j in BODY]] >= 0.5).all()]
    assert len(rows) >= 3
    want = {int(track.frame_index[r]): r for r in rows}
    out = {f.index: f.rgb for f in iter_frames(files[kind]) if f.index in want}
    h, w = next(iter(out.values())).shape[:2]
    src = {f.index: f.rgb for f in iter_frames(demo_video, max_side=max(h, w)) if f.index in want}
    hits = total = 0
    for fi, r in want.items():
        a, b = src[fi].astype(int), out[fi].astype(int)
        assert a.shape == b.shape
        for j in BODY:
            x, y = (track.xy[r, int(j)] * [w, h]).round().astype(int)
            if 2 <= x < w - 2 and 2 <= y < h - 2:
                total += 1
                hits += np.abs(a[y - 2:y + 3, x - 2:x + 3] - b[y - 2:y + 3, x - 2:x + 3]).max() > 50
    assert total >= 10 and hits / total > 0.9
