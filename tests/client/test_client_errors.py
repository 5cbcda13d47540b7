"""Every HTTP status / error code maps to one SDK error class, in one place, for both clients."""

from __future__ import annotations

import httpx
import pytest
from client_fakes import FakeServer

from repstride.client import (
    AnalysisFailed, AuthError, Conflict, InsufficientCredits, InvalidInput, NotFound, RateLimited,
    RepstrideError, ServerError, Timeout, TransportError,
)
from repstride.client.errors import error_from_response

CASES = [
    # status, body, class, code
    (400, {"code": "invalid_input", "message": "size must be >= 0"}, InvalidInput, "invalid_input"),
    (400, {"error": {"code": "unknown_activity", "message": "Unknown activity 'yoga_flow'."}},
     InvalidInput, "unknown_activity"),
    (400, {"code": "invalid_file_type", "message": "Unsupported extension"}, InvalidInput,
     "invalid_file_type"),
    (413, {"code": "file_too_large", "message": "Video exceeds 30 MB"}, InvalidInput, "file_too_large"),
    (400, {"code": "video_too_long", "message": "Video exceeds 10 seconds"}, InvalidInput,
     "video_too_long"),
    (422, {"detail": [{"loc": ["body", "size"], "msg": "Input should be a valid integer",
                       "type": "int_parsing"}]}, InvalidInput, "validation_error"),
    (400, {"detail": "Not completed"}, InvalidInput, "invalid_input"),
    (401, {"code": "unauthorized", "message": "Missing token."}, AuthError, "unauthorized"),
    (403, {"detail": {"code": "forbidden", "message": "Invalid apiKey"}}, AuthError, "forbidden"),
    (402, {"code": "insufficient_credits", "message": "No credits remaining"}, InsufficientCredits,
     "insufficient_credits"),
    (402, {"error": "insufficient_credits"}, InsufficientCredits, "insufficient_credits"),
    (404, {"code": "not_found", "message": "No such video."}, NotFound, "not_found"),
    (404, {"detail": "Not Found"}, NotFound, "not_found"),
    (409, {"code": "conflict", "message": "Not uploaded yet."}, Conflict, "conflict"),
    (429, {"code": "rate_limited", "message": "Too many token requests."}, RateLimited, "rate_limited"),
    (500, "Internal Server Error", ServerError, "server_error"),
    (503, {"code": "unavailable", "message": "maintenance"}, ServerError, "unavailable"),
    (504, {}, Timeout, "timeout"),
    (501, {"code": "not_implemented", "message": "objects are not built yet"}, ServerError,
     "not_implemented"),
    (418, {"message": "teapot"}, RepstrideError, "error"),
    # the Running API answers a failed analysis with 400 {"status": "failed"}
    (400, {"status": "failed", "reason": "runner_not_visible"}, AnalysisFailed, "analysis_failed"),
    (422, {"code": "LOW_QUALITY_POSE_ESTIMATE", "message": "pose unreliable"}, AnalysisFailed,
     "LOW_QUALITY_POSE_ESTIMATE"),
    # a code beats the status: credits refused with a 400 are still about credits
    (400, {"code": "insufficient_credits"}, InsufficientCredits, "insufficient_credits"),
]


def _response(status: int, body: object) -> httpx.Response:
    request = httpx.Request("GET", "http://api.test/videos/x")
    if isinstance(body, str):
        return httpx.Response(status, text=body, request=request)
    return httpx.Response(status, json=body, request=request)


@pytest.mark.parametrize(("status", "body", "cls", "code"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_mapping(status: int, body: object, cls: type, code: str) -> None:
    err = error_from_response(_response(status, body))
    assert type(err) is cls
    assert err.status == status
    assert err.code == code
    assert err.message
    assert isinstance(err, RepstrideError)


def test_messages_carry_the_server_text() -> None:
    err = error_from_response(_response(400, {"error": {"code": "unknown_activity",
                                                        "message": "Unknown activity 'x'."}}))
    assert err.message == "Unknown activity 'x'."
    err = error_from_response(_response(422, {"detail": [
        {"loc": ["body", "size"], "msg": "must be positive"}]}))
    assert err.message == "size: must be positive"
    err = error_from_response(_response(400, {"status": "failed", "reason": "too dark"}))
    assert isinstance(err, AnalysisFailed) and err.reason == "too dark"
    assert "too dark" in str(err)
    err = error_from_response(_response(502, "<html>bad gateway</html>"))
    assert err.message == "<html>bad gateway</html>"


@pytest.mark.parametrize(("status", "body", "cls", "code"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_clients_raise_the_mapped_error(make_client, fake: FakeServer, status, body, cls, code) -> None:
    fake.routes[("GET", "/videos/vid-1")] = lambda request: _response(status, body)
    client = make_client()
    with pytest.raises(cls) as info:
        client.get_video("vid-1")
    assert type(info.value) is cls and info.value.code == code


@pytest.mark.parametrize(("exc", "cls"), [
    (httpx.ConnectError("connection refused"), TransportError),
    (httpx.ReadTimeout("read timed out"), Timeout),
    (httpx.ConnectTimeout("connect timed out"), Timeout),
    (httpx.RemoteProtocolError("peer closed"), TransportError),
])
def test_transport_failures(make_client, fake: FakeServer, exc: Exception, cls: type) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise exc
    fake.routes[("GET", "/videos/vid-1")] = boom
    with pytest.raises(cls) as info:
        make_client().get_video("vid-1")
    assert info.value.__cause__ is exc


def test_unreachable_token_endpoint_is_transport_error(make_client, fake: FakeServer) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")
    fake.routes[("POST", "/oauth2/token")] = down
    with pytest.raises(TransportError):
        make_client().get_video("vid-1")


def test_non_json_success_body_is_a_server_error(make_client, fake: FakeServer) -> None:
    fake.routes[("GET", "/videos/vid-1")] = lambda r: httpx.Response(200, text="<html>proxy</html>")
    with pytest.raises(ServerError) as info:
        make_client().get_video("vid-1")
    assert info.value.code == "invalid_response"
