"""Cheap, polite polls: credentials from memory within ``REPSTRIDE_AUTH_CACHE_S`` (revocation in
another process takes effect within it), one query per poll, ETag / If-None-Match -> 304 and
Retry-After on the Video API's poll routes, ``/health/live`` without the database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from svc_helpers import make_video

from repstride.service import build_services


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextlib.contextmanager
def statements(services) -> Iterator[list[str]]:  # noqa: ANN001
    """SQL statements the services' engine executes inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)


def _client_app(services):  # noqa: ANN001, ANN202
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from repstride.api import create_app

    return TestClient(create_app(services, start_workers=False), raise_server_exceptions=False)


@pytest.fixture
def second(settings, pipeline, clock):  # noqa: ANN001, ANN201
    """Another API process on the same database (its own memory of credentials)."""
    s = build_services(settings, pipeline=pipeline, clock=clock, migrate=False)
    with _client_app(s) as c:
        yield s, c
    s.close()


def test_a_token_revoked_elsewhere_stops_working_within_the_cache_bound(
        api, services, second, clock) -> None:  # noqa: ANN001
    other_services, other = second
    ttl = services.settings.auth_cache_s
    assert ttl == 5.0  # the documented default
    c = services.clients.create("app", credits=1)
    token = services.clients.issue_token(c.id, c.secret).access_token
    vid = api.post("/videos", json={"filename": "a.mp4", "size": 10}, headers=_h(token)).json()["id"]
    assert other.get(f"/videos/{vid}", headers=_h(token)).status_code == 200  # verified, kept
    with statements(other_services) as seen:
        assert other.get(f"/videos/{vid}", headers=_h(token)).status_code == 200
    assert len(seen) == 1 and "FROM videos" in seen[0]  # the video row only, not the token

    services.clients.revoke_token(token)  # "this" process: at once
    r = api.get(f"/videos/{vid}", headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    clock.advance(ttl + 0.01)  # the other process: within the bound
    r = other.get(f"/videos/{vid}", headers=_h(token))
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")


def test_a_revoked_client_and_api_key_stop_working_elsewhere_within_the_bound(
        api, services, second, clock) -> None:  # noqa: ANN001
    other_services, other = second
    c = services.clients.create("runner", credits=1)
    key = services.running.issue_api_key(c.id)
    missing = "/analysis/nope/results"
    assert other.get(missing, params={"apiKey": key}).json()["code"] == "not_found"
    with statements(other_services) as seen:
        assert other.get(missing, params={"apiKey": key}).json()["code"] == "not_found"
    assert len(seen) == 1 and "FROM running_analyses" in seen[0]  # not the key

    services.running.revoke_api_key(c.id, key)
    assert api.get(missing, params={"apiKey": key}).status_code == 403
    clock.advance(services.settings.auth_cache_s + 0.01)
    r = other.get(missing, params={"apiKey": key})
    assert (r.status_code, r.json()["code"]) == (403, "invalid_api_key")

    # a client revoked (the CLI's `clients revoke`) elsewhere: its tokens too
    d = services.clients.create("gone", credits=1)
    token = services.clients.issue_token(d.id, d.secret).access_token
    assert other.get("/videos", headers=_h(token)).status_code == 200
    services.clients.revoke(d.id)
    clock.advance(services.settings.auth_cache_s + 0.01)
    assert other.get("/videos", headers=_h(token)).json()["code"] == "token_revoked"


def test_a_cached_token_still_expires_on_time(api, services, clock) -> None:  # noqa: ANN001
    c = services.clients.create("app", credits=1)
    token = services.clients.issue_token(c.id, c.secret).access_token
    assert api.get("/videos", headers=_h(token)).status_code == 200
    clock.advance(services.settings.token_ttl_s - 1)
    # just before expiry, the entry (verified long ago) is refreshed from the database
    assert api.get("/videos", headers=_h(token)).status_code == 200
    clock.advance(2)  # within the cache's TTL of that refresh, yet expired
    assert api.get("/videos", headers=_h(token)).json()["code"] == "token_expired"


def test_cache_off_asks_the_database_every_time(settings, pipeline, clock) -> None:  # noqa: ANN001
    s = build_services(settings.model_copy(update={"auth_cache_s": 0.0}), pipeline=pipeline,
                       clock=clock)
    try:
        c = s.clients.create("app")
        token = s.clients.issue_token(c.id, c.secret).access_token
        s.clients.authenticate(token)
        with statements(s) as seen:
            s.clients.authenticate(token)
        assert len(seen) == 1 and "FROM tokens" in seen[0]
    finally:
        s.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", 10)


def test_video_polls_etag_304_and_retry_after(api, services, token, clip) -> None:  # noqa: ANN001
    created = api.post("/videos", json={"filename": "c.mp4", "size": clip.stat().st_size},
                       headers=_h(token)).json()
    vid = created["id"]
    for path in (f"/videos/{vid}", f"/videos/{vid}/analysis"):
        r = api.get(path, headers=_h(token))
        assert r.status_code == 200 and r.headers["retry-after"] == "2"
        etag = r.headers["etag"]
        assert etag.startswith('"') and r.headers["cache-control"] == "private, no-cache"
        for inm in (etag, f"W/{etag}", f'"x", {etag}', "*"):
            again = api.get(path, headers={**_h(token), "If-None-Match": inm})
            assert (again.status_code, again.content) == (304, b"")
            assert again.headers["etag"] == etag and again.headers["retry-after"] == "2"
        assert api.get(path, headers={**_h(token), "If-None-Match": '"other"'}).json() == r.json()
    pending = api.get(f"/videos/{vid}/analysis", headers=_h(token)).headers["etag"]
    with statements(services) as seen:
        assert api.get(f"/videos/{vid}", headers=_h(token)).status_code == 200
    assert len(seen) == 1 and "FROM videos" in seen[0]  # one query (the token from memory)

    with open(clip, "rb") as f:
        api.post(created["url"].removeprefix("http://testserver"), data=created["fields"],
                 files={"file": ("c.mp4", f, "video/mp4")})
    for job_id in services.jobs.ready_ids():
        services.runner.run_job(job_id)
    for job_id in services.jobs.ready_ids():  # overlays
        services.runner.run_job(job_id)
    r = api.get(f"/videos/{vid}/analysis", headers={**_h(token), "If-None-Match": pending})
    assert r.status_code == 200 and r.json()["status"] == "Complete"  # changed: the new body
    assert "retry-after" not in r.headers and r.headers["etag"] != pending
    assert api.get(f"/videos/{vid}/analysis", headers={
        **_h(token), "If-None-Match": r.headers["etag"]}).status_code == 304
    v = api.get(f"/videos/{vid}?include=analysis", headers=_h(token))
    assert v.json()["analysis"]["status"] == "Complete"
    overlays = [o["status"] for o in v.json()["overlays"].values()]
    assert ("retry-after" in v.headers) == ("Pending" in overlays)


def test_health_live_asks_nothing(api, services) -> None:  # noqa: ANN001
    with statements(services) as seen:
        r = api.get("/health/live")
    assert (r.status_code, r.json()) == (200, {"status": "alive"}) and seen == []
