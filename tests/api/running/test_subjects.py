"""Listing of analyses, credits and subjects: pagination, soft delete, and tenant isolation
(two clients, apiKey only)."""

from __future__ import annotations

from pathlib import Path

from running_helpers import Api

from repstride.service.running.subjects import MAX_PAGE_SIZE


def _start(api: Api, video: Path, key: str, **form: str) -> str:
    r = api.http.post("/analysis/start", params={"apiKey": key},
                      data={"analysis_type": "side_view", **form},
                      files={"video": ("a.mp4", video.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    return r.json()["video_id"]


def test_listing_newest_first_paginated_and_isolated(api: Api, videos: dict[str, Path]) -> None:
    clock = [1_800_000_000.0]
    api.services.clock = lambda: clock[0]  # the running service reads the services' clock
    mine = []
    for _ in range(3):
        clock[0] += 10
        mine.append(_start(api, videos["mp4"], api.api_key))
    _, _, other_key = api.new_client()
    theirs = _start(api, videos["mp4"], other_key)

    r = api.http.get("/analysis", params={"apiKey": api.api_key, "limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [a["video_id"] for a in page["analyses"]] == mine[::-1][:2]
    assert page["total"] == 3 and page["next_offset"] == 2
    item = page["analyses"][0]
    assert set(item) == {"video_id", "status", "percentage", "analysis_type", "subject_id",
                         "created_at"}
    assert item["status"] == "pending" and item["subject_id"] is None
    assert item["created_at"].endswith("Z")
    rest = api.http.get("/analysis", params={"apiKey": api.api_key, "limit": 2,
                                             "offset": 2}).json()
    assert [a["video_id"] for a in rest["analyses"]] == [mine[0]] and rest["next_offset"] is None
    other = api.http.get("/analysis", params={"apiKey": other_key}).json()
    assert [a["video_id"] for a in other["analyses"]] == [theirs]

    too_big = api.http.get("/analysis", params={"apiKey": api.api_key,
                                                "limit": MAX_PAGE_SIZE + 1})
    assert too_big.status_code == 422 and too_big.json()["code"] == "validation_error"
    assert too_big.json()["detail"]


def test_credits(api: Api, videos: dict[str, Path]) -> None:
    r = api.http.get("/credits", params=api.q())
    assert r.status_code == 200 and r.json() == {"credits": 10, "credits_per_analysis": 1}
    _start(api, videos["mp4"], api.api_key)
    assert api.http.get("/credits", params=api.q()).json()["credits"] == 9
    assert api.http.get("/credits").status_code == 401


def test_subjects_crud_soft_delete_and_their_analyses(api: Api, videos: dict[str, Path]) -> None:
    q = api.q()
    r = api.http.post("/subjects", params=q, json={"name": "Ana", "email": "ana@example.org",
                                                   "height": 1.68, "weight": 58})
    assert r.status_code == 201, r.text
    sid = r.json()["subject_id"]
    assert r.json()["created_at"].endswith("Z")
    got = api.http.get(f"/subjects/{sid}", params=q).json()
    assert got["name"] == "Ana" and got["height"] == 1.68 and got["weight"] == 58

    put = api.http.put(f"/subjects/{sid}", params=q, json={"weight": 59.5})
    assert put.status_code == 200 and put.json()["weight"] == 59.5 and put.json()["name"] == "Ana"
    bad = api.http.put(f"/subjects/{sid}", params=q, json={"height": 168})  # cm, not m
    assert bad.status_code == 422 and bad.json()["details"]["errors"][0]["field"] == "height"
    assert api.http.post("/subjects", params=q, json={"email": "x@y.z"}).status_code == 422

    with_subject = _start(api, videos["mp4"], api.api_key, subject_id=sid)
    without = _start(api, videos["mp4"], api.api_key)
    rec = api.running.get(api.client_id, with_subject)
    assert rec.subject_id == sid
    # The subject's height and weight stand in for the form fields left out.
    assert rec.params.height_cm == 168.0 and rec.params.weight_kg == 59.5
    listed = api.http.get(f"/subjects/{sid}/analysis", params=q).json()
    assert [a["video_id"] for a in listed["analyses"]] == [with_subject]
    assert listed["analyses"][0]["subject_id"] == sid
    assert without in [a["video_id"] for a in api.http.get("/analysis", params=q).json()["analyses"]]

    subjects = api.http.get("/subjects", params=q).json()
    assert [s["subject_id"] for s in subjects["subjects"]] == [sid] and subjects["total"] == 1

    d = api.http.post(f"/subjects/{sid}/delete", params=q)
    assert d.status_code == 200 and d.json() == {"subject_id": sid, "deleted": True}
    assert api.http.get(f"/subjects/{sid}", params=q).status_code == 404
    assert api.http.get("/subjects", params=q).json()["subjects"] == []
    assert api.http.post(f"/subjects/{sid}/delete", params=q).status_code == 404
    # Its analyses stay.
    assert api.running.get(api.client_id, with_subject).subject_id == sid
    r = api.http.post("/analysis/start", params=q, data={"subject_id": sid},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_another_clients_subject_is_404(api: Api, videos: dict[str, Path]) -> None:
    _, _, other_key = api.new_client()
    sid = api.http.post("/subjects", params={"apiKey": other_key},
                        json={"name": "Theirs"}).json()["subject_id"]
    q = api.q()
    for method, path, kw in (("GET", f"/subjects/{sid}", {}),
                             ("PUT", f"/subjects/{sid}", {"json": {"name": "Mine now"}}),
                             ("POST", f"/subjects/{sid}/delete", {}),
                             ("GET", f"/subjects/{sid}/analysis", {})):
        r = api.http.request(method, path, params={**q, "language": "es"}, **kw)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["code"] == "not_found"
        assert r.json()["detail"] == "No existe ningún sujeto con este ID."
    r = api.http.post("/analysis/start", params=q, data={"subject_id": sid, "language": "fr"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert r.status_code == 404 and r.json()["detail"] == "Aucun sujet ne correspond à cet identifiant."
    assert api.balance() == 10 and api.job_ids() == []
    assert api.http.get("/subjects", params=q).json()["subjects"] == []
    assert api.http.get(f"/subjects/{sid}", params={"apiKey": other_key}).json()["name"] == "Theirs"
