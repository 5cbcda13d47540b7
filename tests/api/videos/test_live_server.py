"""A live server (uvicorn on a free port) driven over real HTTP with ``requests``, with the
fast injected pipeline: concurrency and restart mid-queue, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from svc_helpers import FastPipeline, ThreadServer, make_video, wait_until_final

from repstride.service import build_services


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:  # noqa: ANN001
    d = tmp_path_factory.mktemp("clips")
    return [make_video(d / f"c{n}.mp4", n) for n in range(6, 26)]  # 20 clips, 6..25 frames


def _token(base: str, services) -> str:  # noqa: ANN001
    c = services.clients.create("live")
    r = requests.post(f"{base}/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": c.id, "client_secret": c.secret})
    r.raise_for_status()
    return r.json()["access_token"]


def _create_and_upload(base: str, token: str, path: Path) -> str:
    created = requests.post(f"{base}/videos", timeout=30, headers={"Authorization": token},
                            json={"filename": path.name, "size": path.stat().st_size}).json()
    with open(path, "rb") as f:
        r = requests.post(created["url"], data=created["fields"], files={"file": f}, timeout=60)
    assert r.status_code == 204, r.text
    return created["id"]


def _analysis(base: str, token: str, vid: str):  # noqa: ANN202
    def get() -> dict:
        return requests.get(f"{base}/videos/{vid}/analysis", headers={"Authorization": token},
                            timeout=30).json()
    return wait_until_final(get, timeout=180)


def test_twenty_concurrent_uploads_no_lost_or_mixed_results(settings, clips) -> None:  # noqa: ANN001
    pipeline = FastPipeline()
    services = build_services(settings.model_copy(update={"workers": 2, "job_poll_s": 0.2}),
                              pipeline=pipeline)
    try:
        with ThreadServer(services) as srv:
            token = _token(srv.url, services)
            barrier = threading.Barrier(len(clips))

            def one(path: Path) -> tuple[Path, dict]:
                barrier.wait()
                vid = _create_and_upload(srv.url, token, path)
                return path, _analysis(srv.url, token, vid)

            with ThreadPoolExecutor(len(clips)) as pool:
                results = list(pool.map(one, clips))
        counts = services.jobs.counts()
    finally:
        services.close()
    assert len(results) == 20
    for path, a in results:
        frames = int(path.stem[1:])
        assert a["status"] == "Complete", a
        assert len(a["reps"]) == frames // 2
        assert a["reps"][0]["analyses"][0]["analysisScalar"] == frames  # its own video
    assert pipeline.pose_calls == 20
    assert counts == {"done": 20}


def test_restart_mid_queue_resumes_every_job(settings, clips) -> None:  # noqa: ANN001
    s1 = settings.model_copy(update={"workers": 1, "job_poll_s": 0.2})
    blocked = FastPipeline()
    blocked.block = threading.Event()  # never set: the first job is mid-pose at shutdown
    services = build_services(s1, pipeline=blocked)
    with ThreadServer(services) as srv:
        token = _token(srv.url, services)
        ids = [_create_and_upload(srv.url, token, p) for p in clips[:4]]
        assert blocked.started.wait(60)
        assert services.jobs.counts().get("running") == 1
    counts = services.jobs.counts()  # after the server (and its workers) stopped
    services.close()
    assert counts == {"queued": 4}  # the running one was released, not lost

    fresh = FastPipeline()
    services2 = build_services(s1, pipeline=fresh)
    try:
        with ThreadServer(services2) as srv2:
            results = [_analysis(srv2.url, token, vid) for vid in ids]
    finally:
        services2.close()
    assert [a["status"] for a in results] == ["Complete"] * 4
    assert [len(a["reps"]) for a in results] == [3, 3, 4, 4]
    assert fresh.pose_calls == 4


def test_client_disconnect_mid_upload_leaves_nothing(settings, clips) -> None:  # noqa: ANN001
    import socket

    services = build_services(settings, pipeline=FastPipeline())
    try:
        with ThreadServer(services, start_workers=False) as srv:
            token = _token(srv.url, services)
            data = clips[0].read_bytes()
            created = requests.post(f"{srv.url}/videos", headers={"Authorization": token},
                                    json={"filename": "c.mp4", "size": len(data)}).json()
            head = "".join(f"--B\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                           for k, v in created["fields"].items())
            head += "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.mp4\"\r\n\r\n"
            with socket.create_connection(("127.0.0.1", srv.port)) as sock:
                sock.sendall((f"POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              f"multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked"
                              f"\r\n\r\n").encode())
                part = head.encode() + data[: len(data) // 2]
                sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            video = requests.get(f"{srv.url}/videos/{created['id']}",
                                 headers={"Authorization": token}).json()
            # the server notices the disconnect; the video stays uploadable
            retry = requests.post(created["url"], data=created["fields"],
                                  files={"file": ("c.mp4", data)})
        tmp_left = list((services.blobs.root / ".tmp").iterdir())
    finally:
        services.close()
    assert video["status"] == "Pending"
    assert retry.status_code == 204
    assert tmp_left == []
