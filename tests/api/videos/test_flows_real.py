"""The seeds' client flows, unmodified but for the base URL, against ``repstride serve`` started
as a subprocess on a free port (real pose model, real analysis) on SQLite and PostgreSQL:

- the Python example of seed 001 (requests: create -> upload ``data=fields, files=`` -> poll);
- the official Node example of seed 000 (axios + form-data, raw token, no domain/activity);
- the same Node request shapes reproduced in Python: chunked multipart without Content-Length.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from svc_helpers import fresh_database, free_port, wait_until_final

ROOT = Path(__file__).resolve().parents[3]
NODE_DIR = ROOT / ".cache" / "node"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

SQUAT = "calimiro-ai__WorkoutTracker/data/raw/squats/squat_13.mp4"      # 2 barbell squats
PUSH_UP = "calimiro-ai__WorkoutTracker/data/raw/push-ups/push-up_37.mp4"  # 4 push-ups

pytestmark = [pytest.mark.slow, pytest.mark.devdata]


class Served:
    def __init__(self, url: str, client_id: str, client_secret: str, proc, log: Path) -> None:  # noqa: ANN001
        self.url, self.client_id, self.client_secret = url, client_id, client_secret
        self.proc, self.log = proc, log

    def token(self) -> str:
        r = requests.post(f"{self.url}/oauth2/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": self.client_id,
            "client_secret": self.client_secret, "scope": ""})
        r.raise_for_status()
        return r.json()["access_token"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request, tmp_path_factory, require_service, dev_data):  # noqa: ANN001, ANN201
    if request.param == "postgres":
        require_service("postgres")
    tmp = tmp_path_factory.mktemp(f"serve-{request.param}")
    with fresh_database(request.param, tmp) as url:
        port = free_port()
        env = {**os.environ, "REPSTRIDE_DATA_DIR": str(tmp / "data"),
               "REPSTRIDE_DATABASE_URL": url, "REPSTRIDE_JOB_POLL_S": "0.2"}
        log = tmp / "server.log"
        exe = Path(sys.executable).parent / "repstride"
        with open(log, "wb") as errf:
            proc = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", "1"],
                                    stdout=subprocess.PIPE, stderr=errf, env=env, text=True)
        try:
            creds = {}
            for line in proc.stdout:  # the first start prints the credentials it created
                key, _, value = line.strip().partition(":")
                if key in ("client_id", "client_secret"):
                    creds[key] = value.strip()
                if len(creds) == 2:
                    break
            assert len(creds) == 2, log.read_text()
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield Served(base, creds["client_id"], creds["client_secret"], proc, log)
        finally:
            proc.terminate()
            proc.wait(30)
            proc.stdout.close()


# --- seed 001: the Python example, verbatim but for the URL ---------------------------------


def _seed_python_example(base: str):  # noqa: ANN202
    def create(video_path, access_token, domain, activity, rep_count = 3):  # noqa: ANN001, ANN202, E251
        return requests.post(
            f"{base}/videos",
            json = {  # noqa: E251
                "filename": os.path.basename(video_path),
                "size": os.path.getsize(video_path),
                "domain": domain,
                "activity": activity,
                "repCount": rep_count,
            },
            headers = {  # noqa: E251
                "Content-Type": "application/json",
                "Authorization": access_token
            }
        )

    def upload(video_path, create_response):  # noqa: ANN001, ANN202
        json = create_response.json()
        url = json["url"]
        fields = json["fields"]

        with open(video_path, "rb") as file:
            return requests.post(
                url,
                data=fields,
                files={"file": file},
            )

    return create, upload


def test_seed_python_example(served: Served, dev_data: Path) -> None:
    create, upload = _seed_python_example(served.url)
    access_token = served.token()
    video_path = str(dev_data / SQUAT)
    create_response = create(video_path, access_token, "weightlifting", "squat", 2)
    assert create_response.status_code == 200, create_response.text
    upload_response = upload(video_path, create_response)
    assert upload_response.status_code == 204, upload_response.text
    vid = create_response.json()["id"]
    h = {"Authorization": access_token}
    analysis = wait_until_final(
        lambda: requests.get(f"{served.url}/videos/{vid}/analysis", headers=h, timeout=30).json(),
        timeout=600, interval=1.0)
    assert analysis["status"] == "Complete", analysis
    assert (analysis["domain"], analysis["activity"]) == ("weightlifting", "squat")
    assert len(analysis["reps"]) >= 1
    video = requests.get(f"{served.url}/videos/{vid}?include=j2p,analysis,objects", headers=h,
                         timeout=30).json()
    assert video["status"] == "Success" and video["fps"] == pytest.approx(23.976, abs=0.01)
    assert video["j2p"]["resolutionWidth"] == 1280 and video["j2p"]["jointToPoints"]["leftKnee"]
    assert any(o["subject"] for o in video["objects"])
    raw = requests.get(video["uri"], timeout=60)
    assert raw.content == Path(video_path).read_bytes()


# --- seed 000: the Node example -------------------------------------------------------------


@pytest.fixture(scope="session")
def node_client() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        if IN_CI:
            pytest.fail("node/npm not installed")
        pytest.skip("node/npm not installed")
    if not (NODE_DIR / "node_modules" / "axios").is_dir() or \
            not (NODE_DIR / "node_modules" / "form-data").is_dir():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        (NODE_DIR / "package.json").write_text('{"name": "repstride-node-client-test", "private": true}')
        r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "axios@1", "form-data@4"],
                           cwd=NODE_DIR, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            if IN_CI:
                pytest.fail(f"npm install failed: {r.stderr[-2000:]}")
            pytest.skip(f"npm install failed: {r.stderr[-500:]}")
    script = NODE_DIR / "node_client.js"
    shutil.copyfile(Path(__file__).with_name("node_client.js"), script)
    return script


def test_seed_node_example(served: Served, dev_data: Path, node_client: Path, tmp_path) -> None:  # noqa: ANN001
    env = {**os.environ, "GURU_BASE_URL": served.url, "GURU_CLIENT_ID": served.client_id,
           "GURU_CLIENT_SECRET": served.client_secret, "VIDEO_PATH": str(dev_data / PUSH_UP),
           "NODE_PATH": str(NODE_DIR / "node_modules")}
    r = subprocess.run(["node", str(node_client)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=400)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["pollingErrors"] == 0, r.stderr[-3000:]
    a = out["analysis"]
    assert a["status"] == "Complete", a
    assert a["activity"] is not None and len(a["reps"]) >= 1  # recognised: none was given


def test_node_request_shapes_reproduced(served: Served, dev_data: Path) -> None:
    """What axios + form-data put on the wire, byte for byte: raw token, JSON create without
    domain/activity, multipart fields then file, streamed with chunked encoding (no
    Content-Length) and no Authorization header."""
    path = dev_data / PUSH_UP
    token = served.token()
    created = requests.post(f"{served.url}/videos", headers={"Authorization": token}, json={
        "filename": "test_squat.mp4", "size": path.stat().st_size,
        "schemaId": "1569597a-3b59-45bf-9048-7287be905f48", "source": "guru-api-test"}).json()
    boundary = "--------------------------" + "418234556812837629374851"

    def body():  # noqa: ANN202
        for k, v in created["fields"].items():
            yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n"
                   f"{v}\r\n").encode()
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"test_squat.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
        with open(path, "rb") as f:
            while chunk := f.read(64 * 1024):
                yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    req = requests.Request("POST", created["url"], data=body(),
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    prepared = req.prepare()
    assert "Content-Length" not in prepared.headers
    assert prepared.headers["Transfer-Encoding"] == "chunked"
    with requests.Session() as s:
        r = s.send(prepared, timeout=120)
    assert r.status_code == 204, r.text
    # The analysis answers 200 Pending (never an error) until it is final.
    h = {"Authorization": token}
    seen = []

    def get() -> dict:
        resp = requests.get(f"{served.url}/videos/{created['id']}/analysis", headers=h, timeout=30)
        seen.append(resp.status_code)
        return resp.json()

    a = wait_until_final(get, timeout=600, interval=1.0)
    assert set(seen) == {200}
    assert a["status"] == "Complete" and len(a["reps"]) >= 1, a
