"""Video resources: validation, isolation, statuses, PUT/DELETE, stable error bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from svc_helpers import make_video


def _h(token: str) -> dict[str, str]:
    return {"Authorization": token}


def _create(api, token: str, **body):  # noqa: ANN001, ANN202
    payload = {"filename": "a.mp4", "size": 1000, **body}
    return api.post("/videos", json=payload, headers=_h(token))


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", 10)


def _upload(api, created: dict, path: Path):  # noqa: ANN001, ANN202
    with open(path, "rb") as f:
        return api.post(created["url"].removeprefix("http://testserver"), data=created["fields"],
                        files={"file": (path.name, f, "video/mp4")})


def test_create_returns_id_url_fields(api, token) -> None:  # noqa: ANN001
    r = _create(api, token, source="my-service", schemaId="1569597a-3b59-45bf-9048-7287be905f48")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"id", "url", "fields"}
    assert body["url"] == "http://testserver/uploads"
    assert set(body["fields"]) == {"key", "policy", "signature"}


def test_analysis_is_pending_from_creation(api, token) -> None:  # noqa: ANN001
    vid = _create(api, token, domain="weightlifting", activity="squat", repCount=3).json()["id"]
    r = api.get(f"/videos/{vid}/analysis", headers=_h(token))
    assert r.status_code == 200
    assert r.json() == {"status": "Pending", "domain": "weightlifting", "activity": "squat",
                        "reps": []}
    v = api.get(f"/videos/{vid}?include=j2p,analysis,objects", headers=_h(token)).json()
    assert v["status"] == "Pending" and "uri" not in v and v["fps"] is None
    assert v["overlays"] == {"skeleton": {"status": "Pending"}, "all": {"status": "Pending"}}
    assert v["analysis"]["status"] == "Pending" and v["j2p"]["status"] == "Pending"
    assert v["objects"] == []
    assert api.get(f"/videos/{vid}/j2p", headers=_h(token)).json()["status"] == "Pending"
    assert api.get(f"/videos/{vid}/objects", headers=_h(token)).json() == \
        {"status": "Pending", "objects": []}


def test_activity_alone_fills_its_domain(api, token) -> None:  # noqa: ANN001
    vid = _create(api, token, activity="push_up").json()["id"]
    assert api.get(f"/videos/{vid}", headers=_h(token)).json()["domain"] == "calisthenics"


@pytest.mark.parametrize("body, status, code, detail_key", [
    ({"domain": "dance"}, 400, "unknown_activity", "accepted_domains"),
    ({"activity": "moonwalk"}, 400, "unknown_activity", "accepted_activities"),
    ({"domain": "yoga", "activity": "squat"}, 400, "unknown_activity", "accepted_activities"),
    ({"size": -5}, 422, "validation_error", "errors"),
    ({"size": 0}, 422, "validation_error", "errors"),
    ({"size": "big"}, 422, "validation_error", "errors"),
    ({"size": 10**12}, 413, "file_too_large", "max_size"),
    ({"filename": ""}, 422, "validation_error", "errors"),
    ({"filename": "x" * 300}, 422, "validation_error", None),
    ({"filename": "x" * 5000}, 422, "validation_error", "errors"),
    ({"filename": 7}, 422, "validation_error", "errors"),
    ({"repCount": -1}, 422, "validation_error", "errors"),
    ({"repCount": "three"}, 422, "validation_error", "errors"),
])
def test_create_validation(api, token, body, status: int, code: str, detail_key) -> None:  # noqa: ANN001
    r = _create(api, token, **body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]
    if detail_key:
        assert detail_key in r.json()["details"]


def test_unknown_activity_lists_accepted_values(api, token) -> None:  # noqa: ANN001
    r = _create(api, token, domain="yoga", activity="squat")
    assert r.json()["details"]["accepted_activities"] == ["downward_dog"]


@pytest.mark.parametrize("content, ctype, status, code", [
    ("{not json", "application/json", 400, "malformed_request"),
    ("[1, 2]", "application/json", 422, "validation_error"),
    ('{"size": 10}', "application/json", 422, "validation_error"),
])
def test_malformed_bodies(api, token, content, ctype, status, code) -> None:  # noqa: ANN001
    r = api.post("/videos", content=content, headers={**_h(token), "content-type": ctype})
    assert (r.status_code, r.json()["code"]) == (status, code), r.text


def test_isolation_other_clients_videos_are_not_found(api, token, other_token) -> None:  # noqa: ANN001
    vid = _create(api, token).json()["id"]
    missing = api.get("/videos/0123456789abcdef0123456789abcdef", headers=_h(other_token))
    for method, path in [("GET", f"/videos/{vid}"), ("GET", f"/videos/{vid}/analysis"),
                         ("GET", f"/videos/{vid}/j2p"), ("GET", f"/videos/{vid}/objects"),
                         ("PUT", f"/videos/{vid}"), ("DELETE", f"/videos/{vid}")]:
        r = api.request(method, path, headers=_h(other_token), json={"repCount": 1})
        assert r.status_code == 404 and r.json()["code"] == missing.json()["code"] == "not_found"
    assert api.get("/videos", headers=_h(other_token)).json() == []
    assert api.get(f"/videos/{vid}", headers=_h(token)).status_code == 200


def test_put_updates_fields_and_returns_id(api, token) -> None:  # noqa: ANN001
    vid = _create(api, token, activity="squat").json()["id"]
    r = api.put(f"/videos/{vid}", json={"repCount": 10}, headers=_h(token))
    assert r.status_code == 200 and r.json() == {"id": vid}
    v = api.get(f"/videos/{vid}", headers=_h(token)).json()
    assert (v["repCount"], v["activity"], v["domain"]) == (10, "squat", "weightlifting")
    r = api.put(f"/videos/{vid}", json={"domain": "calisthenics"}, headers=_h(token))
    v = api.get(f"/videos/{vid}", headers=_h(token)).json()
    assert (v["domain"], v["activity"]) == ("calisthenics", None)  # squat is not calisthenics
    api.put(f"/videos/{vid}", json={"activity": "deadlift"}, headers=_h(token))
    v = api.get(f"/videos/{vid}", headers=_h(token)).json()
    assert (v["domain"], v["activity"]) == ("weightlifting", "deadlift")
    api.put(f"/videos/{vid}", json={"activity": "push_up"}, headers=_h(token))
    v = api.get(f"/videos/{vid}", headers=_h(token)).json()
    assert (v["domain"], v["activity"]) == ("calisthenics", "push_up")  # its own domain
    r = api.put(f"/videos/{vid}", json={"domain": "yoga", "activity": "push_up"},
                headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (400, "unknown_activity")
    r = api.put(f"/videos/{vid}", json={"activity": "nope"}, headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (400, "unknown_activity")
    r = api.put(f"/videos/{vid}", json={"repCount": -2}, headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")


def test_include_rejects_unknown_values(api, token) -> None:  # noqa: ANN001
    vid = _create(api, token).json()["id"]
    r = api.get(f"/videos/{vid}?include=j2p,bogus", headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    assert r.json()["details"]["accepted_include"] == ["j2p", "analysis", "objects"]


def test_full_cycle_in_process(api, services, token, clip) -> None:  # noqa: ANN001
    created = _create(api, token, size=clip.stat().st_size, activity="push_up").json()
    assert _upload(api, created, clip).status_code == 204
    vid = created["id"]
    v = api.get(f"/videos/{vid}", headers=_h(token)).json()
    assert v["status"] == "Success" and v["uri"].startswith("http://testserver/blobs/")
    assert api.get(f"/videos/{vid}/analysis", headers=_h(token)).json()["status"] == "Pending"
    (job_id,) = services.jobs.ready_ids()
    assert services.runner.run_job(job_id) == "done"
    v = api.get(f"/videos/{vid}?include=analysis,j2p,objects", headers=_h(token)).json()
    assert v["fps"] == pytest.approx(10.0)
    assert v["analysis"]["status"] == "Complete" and len(v["analysis"]["reps"]) == 5
    assert v["j2p"]["resolutionWidth"] == 64 and v["j2p"]["analysis"]["reps"]
    assert v["objects"][0]["subject"] is True
    raw = api.get(v["uri"].removeprefix("http://testserver"))
    assert raw.status_code == 200 and raw.content == clip.read_bytes()
    r = api.get(v["uri"].removeprefix("http://testserver").replace("signature=", "signature=0"))
    assert (r.status_code, r.json()["code"]) == (403, "invalid_signature")
    # PUT recomputes from the stored track
    api.put(f"/videos/{vid}", json={"repCount": 2}, headers=_h(token))
    assert api.get(f"/videos/{vid}/analysis", headers=_h(token)).json()["status"] == "Pending"
    (job2,) = services.jobs.ready_ids()
    services.runner.run_job(job2)
    a = api.get(f"/videos/{vid}/analysis", headers=_h(token)).json()
    assert (a["status"], len(a["reps"])) == ("Complete", 2)
    # DELETE removes everything
    assert api.delete(f"/videos/{vid}", headers=_h(token)).status_code == 204
    assert api.get(f"/videos/{vid}", headers=_h(token)).status_code == 404
    assert api.get(v["uri"].removeprefix("http://testserver")).status_code == 404
    assert not any(services.blobs.root.joinpath("videos").iterdir())


def test_unknown_route_and_method_are_json(api, token) -> None:  # noqa: ANN001
    r = api.get("/nope", headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = api.patch("/videos", headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (405, "method_not_allowed")


def test_unexpected_error_is_a_stable_internal_error(services, monkeypatch, token) -> None:  # noqa: ANN001
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from repstride.api import create_app

    def boom(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("unexpected")

    monkeypatch.setattr(services.videos, "list", boom)
    with TestClient(create_app(services, start_workers=False),
                    raise_server_exceptions=False) as c:
        r = c.get("/videos", headers=_h(token))
    assert r.status_code == 500
    assert r.json() == {"code": "internal_error", "message": "Internal error."}


def test_health_and_docs(api) -> None:  # noqa: ANN001
    h = api.get("/health").json()
    assert h["status"] == "ok"
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/videos", "/videos/{id}", "/videos/{id}/analysis", "/videos/{id}/j2p",
            "/oauth2/token", "/uploads"} <= set(paths)


def test_database_down_is_503_with_retry_after(tmp_path) -> None:  # noqa: ANN001
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from repstride.api import create_app
    from repstride.service import Settings, build_services

    services = build_services(Settings(
        data_dir=tmp_path / "d", secret_key="k" * 32,
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"),
        migrate=False)
    try:
        with TestClient(create_app(services, start_workers=False)) as c:
            for path in ("/health", "/videos/abc/analysis"):
                r = c.get(path, headers={"Authorization": "x" * 43})
                assert (r.status_code, r.json()["code"]) == (503, "service_unavailable")
                assert int(r.headers["Retry-After"]) > 0
    finally:
        services.close()
