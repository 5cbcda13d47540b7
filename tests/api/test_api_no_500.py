"""Garbage at every endpoint: always a JSON error body with a stable code, never a 500."""

from __future__ import annotations

import itertools

import pytest

PATHS = ["/videos", "/videos/x", "/videos/x/analysis", "/videos/x/j2p", "/videos/x/objects",
         "/uploads", "/oauth2/token", "/blobs/videos/x/source", "/blobs/../../etc/passwd",
         "/videos/" + "z" * 3000, "/health"]
BODIES = [None, b"\x00\xff\xfe", b"{", b'{"filename": null, "size": null}',
          b'{"filename": ["a"], "size": {"n": 1}, "repCount": 1e309}', b"x" * 70_000]
CTYPES = ["application/json", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=zz"]


# Request handling does not depend on the database: SQLite only, to keep this quick.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_no_500_anywhere(api, token, method: str) -> None:  # noqa: ANN001
    for path, body, ctype, auth in itertools.product(PATHS, BODIES, CTYPES, [None, token]):
        headers = {"content-type": ctype}
        if auth:
            headers["Authorization"] = auth
        r = api.request(method, path, content=body, headers=headers)
        assert r.status_code < 500, (method, path, body[:40] if body else body, ctype, r.text)
        if r.status_code >= 400:
            assert set(r.json()) >= {"code", "message"}, r.text
