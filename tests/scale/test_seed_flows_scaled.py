"""Done-when of the scale-out: the seed's Python client flow and the official Node example's
flow reach Complete through API + Celery worker + Redis + PostgreSQL + S3 (moto server), on real
footage with the real pose model."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from scale_helpers import free_port, processes, scale_env, start_api, start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.devdata,
              pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")]

#: 5.2 s of walking lunges, 640x360 (5 reps in the manifest).
CLIP = "dylan-plummer__speed-counting/data/videos/020_fitness.mp4"
HERE = Path(__file__).resolve().parent
NODE_DIR = HERE.parents[1] / ".cache" / "node"


def node_modules() -> Path | None:
    """axios + form-data from npm, installed once into the gitignored .cache/node (None when
    node/npm are unavailable: the flow is then reproduced byte-for-byte in Python)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    mods = NODE_DIR / "node_modules"
    if not (mods / "axios").is_dir() or not (mods / "form-data").is_dir():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        res = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                              "axios@1", "form-data@4"], cwd=NODE_DIR, capture_output=True,
                             text=True, timeout=300)
        if res.returncode != 0:
            return None
    return mods


@pytest.fixture
def stack(tmp_path: Path, pg_url: str, celery_cfg, s3_endpoint: str,  # noqa: ANN001
          s3_bucket: str) -> Iterator[str]:
    """API and a 2-process worker, both on PostgreSQL, Redis and S3; yields the base URL."""
    port = free_port()
    env = scale_env(data_dir=tmp_path / "data", database_url=pg_url, secret_key="s" * 32,
                    queue="celery", blob_store="s3", s3_bucket=s3_bucket,
                    s3_endpoint_url=s3_endpoint, **celery_cfg)
    with processes() as procs:
        procs.append(start_api(env, tmp_path / "api.log", port=port))
        procs.append(start_worker(env, tmp_path / "worker.log", concurrency=2))
        yield f"http://127.0.0.1:{port}"


def _token(base: str, pg_url: str) -> str:
    from repstride.service.auth import ClientService
    from repstride.service.db import Database

    db = Database(pg_url)
    try:
        c = ClientService(db, token_ttl_s=3600, rate_per_minute=30).create("seed-flows")
    finally:
        db.dispose()
    r = requests.post(f"{base}/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": c.id, "client_secret": c.secret})
    r.raise_for_status()
    return r.json()["access_token"]


def _python_flow(base: str, token: str, clip: Path) -> str:
    """Seed 001's Python example: create, then requests.post(url, data=fields, files=...)."""
    headers = {"Authorization": f"Bearer {token}"}
    created = requests.post(f"{base}/videos", headers=headers, timeout=30, json={
        "filename": clip.name, "size": clip.stat().st_size, "domain": "calisthenics",
        "activity": "lunge", "source": "my-service"}).json()
    assert created["url"].startswith("http://127.0.0.1:") and "/videos" not in created["url"]
    with open(clip, "rb") as f:
        r = requests.post(created["url"], data=created["fields"], files={"file": f}, timeout=60)
    assert r.status_code == 204, r.text
    return created["id"]


def _node_flow_upload(base: str, token: str, clip: Path) -> str:
    """The official Node example (axios + form-data): raw token, only filename/size/source/
    schemaId, fields first and the file last, streamed. axios asks form-data for the length of
    an fs stream, so the body carries Content-Length (S3 refuses bodies without one: 411)."""
    created = requests.post(f"{base}/videos", headers={"Authorization": token}, timeout=30,
                            json={"filename": "test_squat.mp4", "size": clip.stat().st_size,
                                  "schemaId": "1569597a-3b59-45bf-9048-7287be905f48",
                                  "source": "guru-api-test"}).json()
    boundary = "--------------------------" + uuid.uuid4().hex[:24]
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in created["fields"].items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="test_squat.mp4"\r\nContent-Type: video/mp4\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    url = urlsplit(created["url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.putrequest("POST", url.path or "/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + clip.stat().st_size + len(tail)))
    conn.endheaders()
    conn.send(head)
    with open(clip, "rb") as f:
        while chunk := f.read(64 * 1024):
            conn.send(chunk)
    conn.send(tail)
    resp = conn.getresponse()
    assert resp.status == 204, resp.read()
    conn.close()
    return created["id"]


def _poll_like_node(base: str, token: str, vid: str) -> dict:
    """Poll /analysis only while Pending; any error is retried at once (as the example does)."""
    def get() -> dict | None:
        try:
            body = requests.get(f"{base}/videos/{vid}/analysis", headers={"Authorization": token},
                                timeout=30).json()
        except (requests.RequestException, ValueError):
            return None
        return body if body.get("status") != "Pending" else None

    return wait_for(get, timeout=600, what="the analysis", interval=0.5)


def test_seed_python_and_node_flows_reach_complete(stack: str, pg_url: str,
                                                   dev_data: Path) -> None:
    clip = dev_data / CLIP
    token = _token(stack, pg_url)
    py_id = _python_flow(stack, token, clip)
    mods = node_modules()
    if mods is not None:  # the official example itself, run by node
        env = {**os.environ, "NODE_PATH": str(mods), "REPSTRIDE_BASE_URL": stack,
               "REPSTRIDE_TOKEN": token, "REPSTRIDE_VIDEO": str(clip)}
        run = subprocess.run(["node", str(HERE / "node_flow.js")], env=env, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        node = json.loads(run.stdout.strip().splitlines()[-1])["analysis"]
    else:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("node + npm (axios, form-data) are needed for the Node flow in CI")
        node = _poll_like_node(stack, token, _node_flow_upload(stack, token, clip))
    py = _poll_like_node(stack, token, py_id)
    assert (py["status"], py["domain"], py["activity"]) == ("Complete", "calisthenics", "lunge")
    assert node["status"] == "Complete" and node["activity"]  # recognised, none was given
    assert len(py["reps"]) >= 1 and len(node["reps"]) >= 1
    video = requests.get(f"{stack}/videos/{py_id}?include=j2p,objects", timeout=30,
                         headers={"Authorization": token}).json()
    assert video["status"] == "Success" and video["fps"] == pytest.approx(29.0, abs=0.5)
    raw = requests.get(video["uri"], timeout=60)  # presigned GET straight from S3
    assert raw.status_code == 200 and raw.content == clip.read_bytes()
    assert video["j2p"]["status"] == "Complete" and any(o["subject"] for o in video["objects"])
