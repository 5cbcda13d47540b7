"""The dashboard's JSON reads, the export routes, the OpenAPI additions, offline docs and CORS
(TestClient; the browser runs are in test_dashboard_browser.py)."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pytest

from dash_helpers import make_video, make_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "render"))
from test_exports import read_mot, read_trc  # noqa: E402  (the strict format readers)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from repstride.api import create_app  # noqa: E402
from repstride.render.exports import angle_names  # noqa: E402


class Env:
    def __init__(self, tmp_path: Path, **kw) -> None:  # noqa: ANN003
        self.world = make_world(tmp_path, **kw)
        self.http = TestClient(create_app(self.world.services, start_workers=False),
                               raise_server_exceptions=False)
        r = self.http.post("/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": self.world.client_id,
            "client_secret": self.world.client_secret})
        self.token = r.json()["access_token"]
        self.h = {"Authorization": f"Bearer {self.token}"}
        self.tmp = tmp_path

    def run_jobs(self) -> None:
        s = self.world.services
        for _ in range(5):
            ids = s.jobs.ready_ids(limit=100)
            if not ids:
                return
            for j in ids:
                s.runner.run_job(j)

    def video(self, frames: int, name: str = "clip.mp4", activity: str | None = None) -> str:
        clip = make_video(self.tmp / name, frames)
        body = {"filename": name, "size": clip.stat().st_size}
        if activity:
            body["activity"] = activity
        created = self.http.post("/videos", json=body, headers=self.h).json()
        r = self.http.post("/uploads", data=created["fields"],
                           files={"file": (name, clip.read_bytes(), "video/mp4")})
        assert r.status_code == 204, r.text
        return created["id"]

    def running(self, name: str = "run.mp4", **form: str) -> str:
        clip = make_video(self.tmp / name, 20)
        key = self.http.post("/dashboard/api-key", headers=self.h).json()["apiKey"]
        self.api_key = key
        r = self.http.post("/analysis/start", params={"apiKey": key}, headers=self.h,
                           data={"analysis_type": "side_view", "height": "180", **form},
                           files={"video": (name, clip.read_bytes(), "video/mp4")})
        assert r.status_code == 202, r.text
        return r.json()["analysis_id"]


@pytest.fixture
def env(tmp_path: Path):  # noqa: ANN201
    e = Env(tmp_path)
    yield e
    e.http.close()
    e.world.services.close()


def test_pages_reference_only_local_assets(env: Env) -> None:
    for path in ("/", "/ui/videos/abc", "/ui/running/abc"):
        r = env.http.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert urls and all(u.startswith("/") or u.startswith("#") for u in urls), urls
        for u in urls:
            if u.startswith("/dashboard-assets/"):
                assert env.http.get(u).status_code == 200, u
        assert "http://" not in r.text and "https://" not in r.text
    index = env.http.get("/").text
    for testid in ("client-id", "client-secret", "sign-in", "upload-file", "upload-activity",
                   "upload-submit"):
        assert f'data-testid="{testid}"' in index
    video = env.http.get("/ui/videos/x").text
    assert all(f'data-testid="{t}"' in video for t in ("rep-count", "annotated-video",
                                                         "angle-chart"))
    assert 'data-testid="running-metrics"' in env.http.get("/ui/running/x").text
    js = env.http.get("/dashboard-assets/app.js").text
    assert "http://" not in js.replace("http://www.w3.org/2000/svg", "") and "https://" not in js


def test_package_data_covers_the_dashboard_files() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[3]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["repstride"]
    here = root / "src" / "repstride" / "api" / "dashboard"
    assert (here / "__init__.py").is_file()  # a regular package: setuptools' find includes it
    files = [p for p in here.rglob("*") if p.is_file() and p.suffix != ".py"
             and "__pycache__" not in p.parts]
    assert files
    for f in files:
        assert any(f.match(g.replace("**/", "")) for g in globs), f


def test_items_are_paginated_and_filtered(env: Env) -> None:
    ids = [env.video(10 + 2 * i, name=f"squat{i}.mp4", activity="bodyweight_squat")
           for i in range(3)]
    run_id = env.running(name="jog.mp4")
    r = env.http.get("/dashboard/items", params={"per_page": 2}, headers=env.h).json()
    assert r["total"] == 4 and len(r["items"]) == 2 and r["perPage"] == 2
    assert r["items"][0]["id"] == run_id and r["items"][0]["kind"] == "running"
    page2 = env.http.get("/dashboard/items", params={"per_page": 2, "page": 2},
                         headers=env.h).json()
    assert [i["id"] for i in page2["items"]] == [ids[1], ids[0]]
    assert {i["status"] for i in r["items"] + page2["items"]} == {"analyzing", "pending"}
    env.run_jobs()
    done = env.http.get("/dashboard/items", params={"kind": "video", "status": "complete"},
                        headers=env.h).json()
    assert [i["repCount"] for i in done["items"]] == [7, 6, 5]  # FastPipeline: frames / 2
    q = env.http.get("/dashboard/items", params={"q": "JOG"}, headers=env.h).json()
    assert [i["id"] for i in q["items"]] == [run_id] and q["items"][0]["status"] == "complete"
    assert env.http.get("/dashboard/items", params={"status": "failed"},
                        headers=env.h).json()["total"] == 0
    assert env.http.get("/dashboard/items", params={"kind": "x"},
                        headers=env.h).json()["code"] == "validation_error"
    assert env.http.get("/dashboard/items").status_code == 401
    # another client sees none of them
    other = env.world.services.clients.create("other")
    tok = env.world.services.clients.issue_token(other.id, other.secret).access_token
    assert env.http.get("/dashboard/items", headers={"Authorization": tok}).json()["total"] == 0
    assert env.http.get(f"/dashboard/videos/{ids[0]}",
                        headers={"Authorization": tok}).status_code == 404


def test_video_detail_stage_chart_and_thresholds(env: Env) -> None:
    vid = env.video(16, activity="squat")
    d = env.http.get(f"/dashboard/videos/{vid}", headers=env.h).json()
    assert d["stage"] == "pose" and d["chart"] is None and d["status"] == "analyzing"
    assert d["thresholds"]["HIP_KNEE_ANGLE_DEGREES"] == {"goodMin": None, "goodMax": 10.0}
    env.run_jobs()
    d = env.http.get(f"/dashboard/videos/{vid}", headers=env.h).json()
    assert d["stage"] == "done" and d["status"] == "complete" and d["fraction"] == 1.0
    assert len(d["chart"]["times_s"]) == len(d["chart"]["values"]) == 16
    assert d["chart"]["label"].startswith("knee angle")


def test_failed_video_reason_in_words(env: Env) -> None:
    created = env.http.post("/videos", json={"filename": "x.mp4", "size": 100},
                            headers=env.h).json()
    env.http.post("/uploads", data=created["fields"],
                  files={"file": ("x.mp4", b"not a video at all" * 5, "video/mp4")})
    env.run_jobs()
    d = env.http.get(f"/dashboard/videos/{created['id']}", headers=env.h).json()
    v = env.http.get(f"/videos/{created['id']}", headers=env.h).json()
    assert d["status"] == "failed"
    code = v["reason"]
    assert d["reasonText"] and d["reasonText"] != code and " " in d["reasonText"]


def test_video_exports_round_trip(env: Env) -> None:
    vid = env.video(12, name="front squat.mp4", activity="squat")
    r = env.http.get(f"/videos/{vid}/export", params={"format": "trc"}, headers=env.h)
    assert r.json()["code"] == "analysis_not_completed"
    env.run_jobs()
    r = env.http.get(f"/videos/{vid}/export", params={"format": "trc", "height": 1.9},
                     headers=env.h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == 'attachment; filename="front_squat.trc"'
    trc = read_trc(r.text)
    assert trc["xyz"].shape == (12, 33, 3) and "1.90 m given" in trc["header"]
    mot = read_mot(env.http.get(f"/videos/{vid}/export", params={"format": "mot"},
                                headers=env.h).text)
    assert mot["columns"][1:] == list(angle_names()) and mot["data"].shape[0] == 12
    csv_r = env.http.get(f"/videos/{vid}/export", params={"format": "csv"}, headers=env.h)
    assert csv_r.headers["content-type"].startswith("text/csv")
    assert len(csv_r.text.strip().split("\n")) == 13
    bad = env.http.get(f"/videos/{vid}/export", params={"format": "c3d"}, headers=env.h)
    assert bad.status_code in (400, 422) and bad.json()["code"] == "validation_error"
    assert env.http.get(f"/videos/{vid}/export").status_code == 401


def test_running_exports_use_the_analysis_height(env: Env) -> None:
    aid = env.running(height="1.8")
    q = {"apiKey": env.api_key}
    early = env.http.get(f"/analysis/{aid}/results/export", params={**q, "format": "trc"},
                         headers=env.h)
    assert early.json()["code"] == "analysis_not_completed"
    env.run_jobs()
    r = env.http.get(f"/analysis/{aid}/results/export", params={**q, "format": "trc"},
                     headers=env.h)
    trc = read_trc(r.text)
    assert "1.80 m given" in trc["header"] and trc["xyz"].shape[1] == 33
    world = read_trc(env.http.get(f"/analysis/{aid}/results/export",
                                  params={**q, "format": "trc", "coordinates": "world"},
                                  headers=env.h).text)
    assert "world coordinates" in world["header"]
    assert env.http.get(f"/analysis/{aid}/results/export", params={"format": "mot"},
                        headers=env.h).json()["code"] == "missing_api_key"
    chart = env.http.get(f"/dashboard/running/{aid}/chart", headers=env.h).json()["chart"]
    assert chart["label"].startswith("knee angle") and len(chart["values"]) == 180


def test_session_api_key_revoke_touches_only_that_key(env: Env) -> None:
    keep = env.world.running.issue_api_key(env.world.client_id)
    key = env.http.post("/dashboard/api-key", headers=env.h).json()["apiKey"]
    env.world.running.check_api_key(env.world.client_id, key)
    r = env.http.post("/dashboard/api-key/revoke", json={"apiKey": key}, headers=env.h)
    assert r.status_code == 204
    from repstride.errors import InvalidApiKey
    with pytest.raises(InvalidApiKey):
        env.world.running.check_api_key(env.world.client_id, key)
    env.world.running.check_api_key(env.world.client_id, keep)  # still valid


def test_openapi_declares_security_multipart_and_202(env: Env) -> None:
    spec = env.http.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth2/token"
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "query",
                                 "name": "apiKey"}
    paths = spec["paths"]
    assert paths["/videos"]["post"]["security"] == [{"oauth2": []}, {"bearer": []}]
    start = paths["/analysis/start"]["post"]
    assert {"oauth2": [], "apiKey": []} in start["security"]
    form = start["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["video"] and form["properties"]["video"]["format"] == "binary"
    assert set(form["properties"]) >= {"analysis_type", "height", "weight", "pace", "treadmill",
                                       "language"}
    up = paths["/uploads"]["post"]
    assert "security" not in up
    assert up["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["file"][
        "format"] == "binary"
    results = paths["/analysis/{id}/results"]["get"]["responses"]
    assert {"200", "202", "400"} <= set(results)
    assert {"oauth2": [], "apiKey": []} in paths["/analysis/{id}/results"]["get"]["security"]
    assert "/videos/{id}/export" in paths and "/analysis/{id}/results/export" in paths
    for path, ops in paths.items():
        for op in ops.values():
            assert not any(p["in"] == "header" and p["name"].lower() == "authorization"
                           for p in op.get("parameters", [])), path
    assert "/dashboard/items" not in paths and "/" not in paths


def test_docs_pages_are_offline(env: Env) -> None:
    for path in ("/docs", "/redoc"):
        html = env.http.get(path).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls and all(u.startswith("/") for u in urls), urls
        for u in urls:
            assert env.http.get(u).status_code == 200, u
        assert "cdn." not in html and "fonts.googleapis" not in html
    js = env.http.get("/redoc-assets/redoc.standalone.js").text
    assert "cdn.redoc.ly" not in js and len(js) > 500_000


def test_cors_is_off_by_default(env: Env) -> None:
    r = env.http.options("/videos", headers={"Origin": "https://coach.example",
                                             "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_preflight_for_allowed_origins(tmp_path: Path) -> None:
    e = Env(tmp_path, cors_origins="https://coach.example, http://localhost:5173/")
    try:
        pre = e.http.options("/analysis/start", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "POST" in pre.headers["access-control-allow-methods"]
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        get = e.http.get("/videos", headers={**e.h, "Origin": "https://coach.example"})
        assert get.headers["access-control-allow-origin"] == "https://coach.example"
        denied = e.http.options("/videos", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "GET"})
        assert denied.status_code == 400
        assert "access-control-allow-origin" not in denied.headers
    finally:
        e.http.close()
        e.world.services.close()
