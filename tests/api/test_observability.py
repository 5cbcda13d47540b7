"""Logs, request ids, ``/metrics`` and ``/health/ready``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from svc_helpers import make_video

from repstride.service.observability import JsonFormatter, TextFormatter


def _run_ready_jobs(services) -> int:  # noqa: ANN001
    n = 0
    while ids := services.jobs.ready_ids():
        for job_id in ids:
            services.runner.run_job(job_id)
            n += 1
    return n


def _upload_video(api, token: str, clip: Path, request_id: str | None = None) -> str:  # noqa: ANN001
    created = api.post("/videos", json={"filename": "a.mp4", "size": clip.stat().st_size,
                                        "activity": "squat"},
                       headers={"Authorization": token}).json()
    headers = {"X-Request-ID": request_id} if request_id else {}
    with open(clip, "rb") as f:
        r = api.post(created["url"].removeprefix("http://testserver"), data=created["fields"],
                     files={"file": (clip.name, f, "video/mp4")}, headers=headers)
    assert r.status_code == 204, r.text
    return created["id"]


def _fields(records: list[logging.LogRecord], logger: str) -> list[dict]:
    return [dict(r.fields, message=r.getMessage()) for r in records
            if r.name == logger and hasattr(r, "fields")]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4", 10)


def test_one_line_per_request_and_job_state_with_the_request_id_and_no_secret(
        api, services, clip, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO, logger="repstride")
    c = services.clients.create("app")
    api_key = services.running.issue_api_key(c.id)
    tok = api.post("/oauth2/token", data={"grant_type": "client_credentials",
                                          "client_id": c.id, "client_secret": c.secret}).json()
    token = tok["access_token"]
    video_id = _upload_video(api, token, clip, request_id="req-upload-1")
    assert _run_ready_jobs(services) >= 1
    got = api.get(f"/videos/{video_id}", headers={"Authorization": token})
    signed_urls = json.dumps(got.json())
    assert api.get("/analysis", params={"apiKey": api_key}).status_code == 200

    requests = _fields(caplog.records, "repstride.http")
    by_route = {(r["method"], r["route"]): r for r in requests}
    create = by_route[("POST", "/videos")]
    assert create["status"] == 200 and create["client_id"] == c.id
    assert isinstance(create["latency_ms"], float) and len(create["request_id"]) == 32
    assert by_route[("POST", "/uploads")]["request_id"] == "req-upload-1"
    assert by_route[("GET", "/videos/{id}")]["status"] == 200
    listing = by_route[("GET", "/analysis")]
    assert listing["client_id"] == c.id and listing["status"] == 200
    assert "client_id" not in by_route[("POST", "/oauth2/token")]  # no client before auth

    jobs = _fields(caplog.records, "repstride.service.jobs.runner")
    started = [j for j in jobs if j["message"] == "job started"]
    ended = [j for j in jobs if j["message"] == "job done"]
    assert started and len(ended) == len(started)
    assert started[0]["request_id"] == "req-upload-1" and started[0]["attempt"] == 1
    assert {"job_id", "kind", "duration_s", "state"} <= set(ended[0])

    secrets = [c.secret, token, api_key]
    secrets += [part.split("signature=")[1].split("&")[0][:20]
                for part in signed_urls.split('"') if "signature=" in part]
    assert len(secrets) > 3  # the signed URLs' signatures are checked too
    for fmt in (TextFormatter(), JsonFormatter()):
        text = "\n".join(fmt.format(r) for r in caplog.records)
        for secret in secrets:
            assert secret not in text


def test_the_request_id_header(api) -> None:  # noqa: ANN001
    assert api.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == \
        "abc-123"
    fresh = api.get("/health", headers={"X-Request-ID": "not an id;" * 20})
    assert len(fresh.headers["x-request-id"]) == 32  # a malformed one is replaced
    assert api.get("/nowhere").headers["x-request-id"]


def test_json_log_lines_parse() -> None:
    rec = logging.LogRecord("repstride.http", logging.INFO, __file__, 1, "request", (), None)
    rec.fields = {"method": "GET", "route": "/videos", "status": 200}
    out = json.loads(JsonFormatter().format(rec))
    assert out["message"] == "request" and out["route"] == "/videos" and out["status"] == 200
    assert 'route=/videos' in TextFormatter().format(rec)


def _scrape(api) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    r = api.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_parse_and_move_when_a_job_runs(api, services, token, clip) -> None:  # noqa: ANN001
    before = _scrape(api)
    assert before[("repstride_queue_depth", ())] == 0.0
    _upload_video(api, token, clip)
    queued = _scrape(api)
    assert queued[("repstride_queue_depth", ())] >= 1.0
    assert queued[("repstride_http_requests_total",
                   (("method", "POST"), ("route", "/uploads"), ("status", "204")))] == 1.0
    ran = _run_ready_jobs(services)
    after = _scrape(api)
    done = after[("repstride_jobs", (("state", "done"),))]
    assert done == before[("repstride_jobs", (("state", "done"),))] + ran
    assert after[("repstride_queue_depth", ())] == 0.0
    stages = {dict(k[1])["stage"] for k in after
              if k[0] == "repstride_job_duration_seconds_count"}
    assert len(stages) >= 1
    assert sum(v for k, v in after.items() if k[0] == "repstride_job_duration_seconds_count") == ran
    assert ("repstride_http_request_duration_seconds_bucket",
            (("le", "0.005"), ("method", "GET"), ("route", "/metrics"))) in after


def test_ready_checks_the_database_queue_and_blob_store(api, services, monkeypatch) -> None:  # noqa: ANN001
    services.queue.workers = 1
    r = api.get("/health/ready")
    # the test app has not started its worker thread: the local queue cannot deliver
    assert r.status_code == 503
    body = r.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["blobs"]["ok"]
    assert not body["checks"]["queue"]["ok"] and "worker threads" in body["checks"]["queue"]["detail"]
    services.queue.start()
    try:
        assert api.get("/health/ready").json() == {"status": "ready", "checks": {
            "database": {"ok": True, "detail": services.db.engine.dialect.name},
            "queue": {"ok": True, "detail": "local, 1 worker(s)"},
            "blobs": {"ok": True, "detail": "reachable"}}}

        def down(key: str) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(services.blobs, "head_size", down)
        r = api.get("/health/ready")
        assert r.status_code == 503 and r.json()["checks"]["blobs"] == {
            "ok": False, "detail": "OSError: disk gone"}
    finally:
        services.queue.stop()
