"""The OpenAPI document says what the server accepts and answers (issue 20 item 5): closed sets
from the server's own tables, integral numbers, the configured filename limit, declared bodies,
and a response model on every result body."""

from __future__ import annotations

import pytest

from repstride.analysis.activities import ALL_ACTIVITIES, DOMAINS
from repstride.api.videos.routes import INCLUDES
from repstride.i18n import LANGUAGES

MODELLED = [("get", "/videos"), ("get", "/videos/{id}"), ("get", "/videos/{id}/analysis"),
            ("get", "/videos/{id}/j2p"), ("get", "/videos/{id}/overlays"),
            ("get", "/videos/{id}/objects"), ("post", "/videos"), ("put", "/videos/{id}"),
            ("post", "/oauth2/token"), ("post", "/analysis/start"),
            ("get", "/analysis/{id}/results"), ("get", "/analysis/{id}/results/calculated_data"),
            ("get", "/analysis/{id}/results/raw_data")]


@pytest.fixture
def spec(api) -> dict:  # noqa: ANN001
    return api.get("/openapi.json").json()


def _param(spec: dict, method: str, path: str, name: str) -> dict:
    return next(p for p in spec["paths"][path][method]["parameters"] if p["name"] == name)


def test_closed_sets_come_from_the_server_tables(spec: dict) -> None:
    for model in ("VideoCreateIn", "VideoUpdateIn"):
        props = spec["components"]["schemas"][model]["properties"]
        assert props["domain"]["enum"] == [*DOMAINS, None]
        assert props["activity"]["enum"] == [*ALL_ACTIVITIES, None]
    include = _param(spec, "get", "/videos/{id}", "include")
    assert include["schema"]["items"]["enum"] == list(INCLUDES)
    assert include["style"] == "form" and include["explode"] is False
    for path in ("/analysis/{id}/results", "/analysis/{id}/results/calculated_data",
                 "/analysis/{id}/results/raw_data"):
        assert _param(spec, "get", path, "language")["schema"]["enum"] == list(LANGUAGES)


def test_an_integral_number_is_an_integer(api, token: str) -> None:  # noqa: ANN001
    auth = {"Authorization": f"Bearer {token}"}
    r = api.post("/videos", json={"filename": "a.mp4", "size": 4_000_000.0, "repCount": 3.0},
                 headers=auth)
    assert r.status_code == 200, r.text
    for size in ("4000", True, 4000.5):
        r = api.post("/videos", json={"filename": "a.mp4", "size": size}, headers=auth)
        assert r.status_code == 422 and r.json()["code"] == "validation_error", (size, r.text)


def test_filename_limit_is_the_servers_and_its_422_lists_the_field(api, token: str,  # noqa: ANN001
                                                                     spec: dict) -> None:
    limit = api.app.state.services.settings.max_filename_length
    assert spec["components"]["schemas"]["VideoCreateIn"]["properties"]["filename"][
        "maxLength"] == limit
    auth = {"Authorization": f"Bearer {token}"}
    r = api.post("/videos", json={"filename": "a" * limit + ".mp4", "size": 10}, headers=auth)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["errors"][0]["field"] == "filename"
    ok = api.post("/videos", json={"filename": "a" * (limit - 4) + ".mp4", "size": 10},
                  headers=auth)
    assert ok.status_code == 200, ok.text


def test_bodies_are_declared_and_results_have_models(spec: dict) -> None:
    for method, path in MODELLED:
        op = spec["paths"][path][method]
        if method in ("post", "put"):
            assert op["requestBody"]["required"] is True, (method, path)
        for code, resp in op["responses"].items():
            if not code.startswith("2") or "content" not in resp:
                continue
            schema = resp["content"]["application/json"]["schema"]
            target = schema.get("items", schema)
            target = target.get("additionalProperties", target)
            assert "$ref" in target, (method, path, code, schema)


def test_every_json_success_of_every_operation_has_a_model(spec: dict) -> None:
    """Not only the result bodies: listings, subjects, credits, webhooks and health too, so
    schemathesis' response checks and generated clients test something everywhere."""
    loose = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, resp in op.get("responses", {}).items():
                body = resp.get("content", {}).get("application/json")
                if not code.startswith("2") or body is None:
                    continue
                schema = body["schema"]
                target = schema.get("items", schema)
                target = target.get("additionalProperties", target)
                if "$ref" not in target:
                    loose.append((method, path, code, schema))
    assert not loose, loose
