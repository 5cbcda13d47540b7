"""``POST /oauth2/token`` and the Authorization header forms; every 401 has a stable code."""

from __future__ import annotations

import base64

import pytest


def _form(c, **over) -> dict[str, str]:  # noqa: ANN001
    return {"grant_type": "client_credentials", "client_id": c.id, "client_secret": c.secret,
            "scope": "", **over}


def test_token_as_seed_sends_it(api, services) -> None:  # noqa: ANN001
    c = services.clients.create("app")
    # The Node example: a hand-built, unencoded form body.
    body = f"grant_type=client_credentials&client_id={c.id}&client_secret={c.secret}&scope="
    r = api.post("/oauth2/token", content=body,
                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    tok = r.json()
    assert set(tok) == {"access_token", "expires_in", "token_type"}
    assert tok["expires_in"] == services.settings.token_ttl_s
    for header in (tok["access_token"], f"Bearer {tok['access_token']}",
                   f"bearer {tok['access_token']}"):
        assert api.get("/videos", headers={"Authorization": header}).status_code == 200


def test_token_with_http_basic(api, services) -> None:  # noqa: ANN001
    c = services.clients.create("app")
    basic = base64.b64encode(f"{c.id}:{c.secret}".encode()).decode()
    r = api.post("/oauth2/token", data={"grant_type": "client_credentials"},
                 headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("case, status, code", [
    ("wrong_secret", 401, "invalid_client"),
    ("unknown_client", 401, "invalid_client"),
    ("no_credentials", 401, "invalid_client"),
    ("bad_grant", 400, "unsupported_grant_type"),
    ("no_grant", 400, "unsupported_grant_type"),
    ("bad_basic", 401, "invalid_client"),
    ("bad_json", 400, "malformed_request"),
])
def test_token_errors(api, services, case: str, status: int, code: str) -> None:  # noqa: ANN001
    c = services.clients.create("app")
    kwargs: dict = {"data": _form(c)}
    if case == "wrong_secret":
        kwargs["data"] = _form(c, client_secret="nope")
    elif case == "unknown_client":
        kwargs["data"] = _form(c, client_id="nobody")
    elif case == "no_credentials":
        kwargs["data"] = {"grant_type": "client_credentials"}
    elif case == "bad_grant":
        kwargs["data"] = _form(c, grant_type="password")
    elif case == "no_grant":
        kwargs["data"] = {"client_id": c.id, "client_secret": c.secret}
    elif case == "bad_basic":
        kwargs = {"data": {"grant_type": "client_credentials"},
                  "headers": {"Authorization": "Basic !!notbase64"}}
    elif case == "bad_json":
        kwargs = {"content": "{nope", "headers": {"content-type": "application/json"}}
    r = api.post("/oauth2/token", **kwargs)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]


def test_token_endpoint_is_rate_limited_per_client(api, services) -> None:  # noqa: ANN001
    c = services.clients.create("app")
    for _ in range(services.settings.token_rate_per_minute):
        assert api.post("/oauth2/token", data=_form(c)).status_code == 200
    r = api.post("/oauth2/token", data=_form(c))
    assert (r.status_code, r.json()["code"]) == (429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    other = services.clients.create("other")
    assert api.post("/oauth2/token", data=_form(other)).status_code == 200


@pytest.mark.parametrize("header, code", [
    (None, "missing_token"),
    ("", "missing_token"),
    ("Bearer ", "missing_token"),
    ("garbage", "invalid_token"),
    ("Bearer " + "x" * 43, "invalid_token"),
    ("Basic dXNlcjpwYXNz", "invalid_token"),
    ("y" * 5000, "invalid_token"),
])
def test_api_rejects_bad_authorization(api, header, code: str) -> None:  # noqa: ANN001
    headers = {} if header is None else {"Authorization": header}
    r = api.get("/videos/abc/analysis", headers=headers)
    assert (r.status_code, r.json()["code"]) == (401, code)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_expired_and_revoked_tokens(api, services, clock, token) -> None:  # noqa: ANN001
    assert api.get("/videos", headers={"Authorization": token}).status_code == 200
    clock.advance(services.settings.token_ttl_s + 1)
    r = api.get("/videos", headers={"Authorization": token})
    assert (r.status_code, r.json()["code"]) == (401, "token_expired")
    c = services.clients.create("b")
    tok = api.post("/oauth2/token", data=_form(c)).json()["access_token"]
    services.clients.revoke(c.id)
    r = api.get("/videos", headers={"Authorization": tok})
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    r = api.post("/oauth2/token", data=_form(c))
    assert (r.status_code, r.json()["code"]) == (401, "invalid_client")
