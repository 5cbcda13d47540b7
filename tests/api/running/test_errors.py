"""Seed 002's error table, auth (token + apiKey), isolation and parameter checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from running_helpers import Api, make_api

from repstride.service.running.settings import RunningSettings


def _error(r, status: int, code: str | None = None) -> dict:  # noqa: ANN001
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"code", "message"}, body
    if code is not None:
        assert body["code"] == code, body
    return body


def _no_spooled_files(api: Api) -> bool:
    d = api.running.tmp_dir
    return not d.exists() or not any(d.iterdir())


# --- seed table ---------------------------------------------------------------------------------


def test_file_too_large_413(api: Api, videos: dict[str, Path]) -> None:
    big = b"\0" * (api.running.settings.max_bytes + 1)
    body = _error(api.start(big, filename="big.mp4"), 413, "file_too_large")
    assert body["details"]["max_bytes"] == api.running.settings.max_bytes
    assert api.balance() == 10 and api.job_ids() == []
    assert _no_spooled_files(api)


def test_file_too_large_refused_while_streaming_chunked(api: Api) -> None:
    """No Content-Length (chunked): the limit is enforced on the bytes as they arrive, and the
    server stops writing the spooled file at the limit."""
    limit = api.running.settings.max_bytes
    boundary = "XyZboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"analysis_type\"\r\n\r\n"
            f"side_view\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"video\"; "
            f"filename=\"big.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    sent = 0

    def body():  # noqa: ANN202
        nonlocal sent
        yield head
        chunk = b"\1" * 65536
        for _ in range(limit // 65536 + 8):
            sent += len(chunk)
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    r = api.http.post("/analysis/start", params=api.q(), content=body(),
                      headers={**api.auth(), "Content-Type": f"multipart/form-data; boundary={boundary}"})
    _error(r, 413, "file_too_large")
    assert _no_spooled_files(api)


def test_declared_content_length_over_limit_refused_before_reading(api: Api) -> None:
    r = api.http.post("/analysis/start", params=api.q(), content=b"x" * 10,
                      headers={**api.auth(), "Content-Length": str(10**9),
                               "Content-Type": "multipart/form-data; boundary=b"})
    _error(r, 413, "file_too_large")


def test_video_too_long_400(api: Api, videos: dict[str, Path]) -> None:
    body = _error(api.start(videos["long"]), 400, "video_too_long")
    assert body["details"]["duration_s"] == pytest.approx(12.0, abs=0.3)
    assert body["details"]["max_duration_s"] == 10.0
    assert api.balance() == 10  # a refused video costs nothing


def test_video_too_long_limit_is_a_setting(sqlite_url: str, tmp_path: Path, pipeline,  # noqa: ANN001
                                           videos: dict[str, Path]) -> None:

    a = make_api(sqlite_url, tmp_path, pipeline,
                 limits=RunningSettings(max_bytes=200_000, max_duration_s=1.5))
    try:
        _error(a.start(videos["mp4"]), 400, "video_too_long")  # 2 s > 1.5 s
    finally:
        a.http.close()
        a.services.close()


def test_running_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from repstride.service.running.settings import load_running_settings

    monkeypatch.setenv("REPSTRIDE_RUNNING_MAX_BYTES", "1234")
    monkeypatch.setenv("REPSTRIDE_RUNNING_MAX_DURATION_S", "7.5")
    s = load_running_settings()
    assert (s.max_bytes, s.max_duration_s) == (1234, 7.5)
    monkeypatch.delenv("REPSTRIDE_RUNNING_MAX_BYTES")
    assert load_running_settings().max_bytes == 30 * 1024 * 1024


@pytest.mark.parametrize("name, filename", [
    ("text", "notes.mp4"),        # not a video at all, good extension
    ("webm", "clip.mp4"),         # a real video, but WebM content (not MP4/MOV/AVI)
    ("mp4", "clip.mkv"),          # a real MP4 with an extension the seed does not accept
    ("mp4", "clip.txt"),
])
def test_invalid_file_type_400(api: Api, videos: dict[str, Path], name: str, filename: str) -> None:
    _error(api.start(videos[name], filename=filename), 400, "invalid_file_type")
    assert api.balance() == 10 and api.job_ids() == []
    assert _no_spooled_files(api)


@pytest.mark.parametrize("name", ["mp4", "mov", "avi"])
def test_accepted_formats(api: Api, videos: dict[str, Path], name: str) -> None:
    r = api.start(videos[name])
    assert r.status_code == 202, r.text


def test_insufficient_credits_402(api: Api, videos: dict[str, Path]) -> None:
    cid, token, key = api.new_client(credits=0)
    body = _error(api.start(videos["mp4"], token=token, api_key=key), 402, "insufficient_credits")
    assert body["details"]["required"] == 1
    assert api.balance(cid) == 0 and api.job_ids() == []


def test_not_found_404_unknown_and_other_clients(api: Api, videos: dict[str, Path]) -> None:
    _error(api.results("0" * 32), 404, "not_found")
    _error(api.results("0" * 32, "calculated_data"), 404, "not_found")
    _error(api.results("0" * 32, "raw_data"), 404, "not_found")
    _error(api.results("x" * 500), 404, "not_found")  # any string id: 404, never a 422
    mine = api.start(videos["mp4"]).json()["analysis_id"]
    _, token, key = api.new_client()
    for level in ("", "/calculated_data", "/raw_data"):
        r = api.http.get(f"/analysis/{mine}/results{level}", params={"apiKey": key},
                         headers=api.auth(token))
        _error(r, 404, "not_found")  # exactly like a missing id: existence is not revealed


@pytest.mark.parametrize("level", ["calculated_data", "raw_data"])
def test_not_completed_400_before_success(api: Api, videos: dict[str, Path], level: str) -> None:
    aid = api.start(videos["mp4"]).json()["analysis_id"]
    body = _error(api.results(aid, level), 400, "analysis_not_completed")
    assert body["details"]["status"] == "pending"


# --- auth -----------------------------------------------------------------------------------


def test_api_key_alone_runs_the_whole_flow(api: Api, videos: dict[str, Path]) -> None:
    """An Ochy-style client: ``?apiKey=`` and nothing else — start (202), poll, success, the
    calculated and raw data."""
    q = api.q()
    r = api.http.post("/analysis/start", params=q, data={"analysis_type": "side_view"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    body = r.json()
    vid = body["video_id"]
    assert body["message"] == f"Analysis started for ID: {vid}" and body["analysis_id"] == vid
    assert api.http.get(f"/analysis/{vid}/results", params=q).json()["status"] == "pending"
    api.run_jobs()
    res = api.http.get(f"/analysis/{vid}/results", params=q)
    assert res.status_code == 200 and res.json()["status"] == "success", res.text
    calc = api.http.get(f"/analysis/{vid}/results/calculated_data", params=q)
    assert calc.status_code == 200 and isinstance(calc.json()["total_score"], float)
    raw = api.http.get(f"/analysis/{vid}/results/raw_data", params=q)
    assert raw.status_code == 200 and raw.json()["frames"]


def test_error_bodies_have_detail_and_code(api: Api) -> None:
    r = api.http.get("/analysis/abc/results")
    assert r.status_code == 401
    assert r.json()["detail"] == "API Key is missing" and r.json()["code"] == "missing_api_key"
    r = api.http.get("/analysis/abc/results", params={"apiKey": "rsk_nope"})
    assert r.status_code == 403
    assert r.json()["detail"] == "Invalid API Key" and r.json()["code"] == "invalid_api_key"
    r = api.http.get("/analysis/abc/results", params={"apiKey": "rsk_nope", "language": "fr"})
    assert r.json()["detail"] == "Clé API invalide" and r.json()["code"] == "invalid_api_key"
    r = api.http.get(f"/analysis/{'0' * 32}/results", params=api.q())
    assert r.status_code == 404 and r.json()["code"] == "not_found" and r.json()["detail"]
    # The Video API's bodies are unchanged (no Ochy field there).
    assert "detail" not in api.http.get("/videos").json()


def test_insufficient_credits_402_detail_in_the_requested_language(
        api: Api, videos: dict[str, Path]) -> None:
    _, _, key = api.new_client(credits=0)
    r = api.http.post("/analysis/start", params={"apiKey": key},
                      data={"analysis_type": "side_view"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    body = _error(r, 402, "insufficient_credits")
    assert body["detail"] == "Insufficient credits to perform analysis"
    r = api.http.post("/analysis/start", params={"apiKey": key, "language": "de"},
                      data={"analysis_type": "side_view"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert _error(r, 402, "insufficient_credits")["detail"] == "Nicht genügend Credits für die Analyse"


def test_token_of_another_client_403(api: Api, videos: dict[str, Path]) -> None:
    _, other_token, _ = api.new_client()
    _error(api.start(videos["mp4"], token=other_token), 403, "token_client_mismatch")
    r = api.http.get("/analysis/x/results", params=api.q(), headers=api.auth(other_token))
    _error(r, 403, "token_client_mismatch")
    assert api.balance() == 10 and api.job_ids() == []


def test_raw_authorization_header_accepted(api: Api, videos: dict[str, Path]) -> None:
    r = api.http.post("/analysis/start", params=api.q(), headers={"Authorization": api.token},
                      data={"analysis_type": "side_view"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text


def test_missing_api_key_401(api: Api, videos: dict[str, Path]) -> None:
    r = api.http.post("/analysis/start", headers=api.auth(), data={"analysis_type": "side_view"},
                      files={"video": ("a.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    _error(r, 401, "missing_api_key")
    _error(api.http.get("/analysis/x/results", headers=api.auth()), 401, "missing_api_key")


def test_invalid_api_key_403(api: Api, videos: dict[str, Path]) -> None:
    _error(api.start(videos["mp4"], api_key="rsk_wrong"), 403, "invalid_api_key")
    _, _, other_key = api.new_client()
    # Another client's real key with this client's token: the token does not match the key.
    _error(api.start(videos["mp4"], api_key=other_key), 403, "token_client_mismatch")
    api.running.revoke_api_keys(api.client_id)
    _error(api.start(videos["mp4"]), 403, "invalid_api_key")
    assert api.balance() == 10


def test_revoked_client_api_key_403(api: Api, videos: dict[str, Path]) -> None:
    api.services.clients.revoke(api.client_id)
    r = api.http.get("/analysis/x/results", params=api.q())
    _error(r, 403, "invalid_api_key")


def test_invalid_token_401(api: Api, videos: dict[str, Path]) -> None:
    _error(api.start(videos["mp4"], token="x" * 43), 401, "invalid_token")


# --- parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize("form, field", [
    ({"analysis_type": "front_view"}, "analysis_type"),
    ({"analysis_type": ""}, "analysis_type"),
    ({"treadmill": "true"}, "pace"),                     # pace required on a treadmill
    ({"treadmill": "true", "pace": "5.30"}, "pace"),
    ({"treadmill": "true", "pace": "99:99"}, "pace"),
    ({"height": "tall"}, "height"),
    ({"height": "400"}, "height"),
    ({"weight": "-3"}, "weight"),
    ({"treadmill": "maybe"}, "treadmill"),
    ({"full_body": "2"}, "full_body"),
    ({"slow_motion_factor": "0.5"}, "slow_motion_factor"),  # faster than real time
    ({"slow_motion_factor": "ten"}, "slow_motion_factor"),
    ({"slow_motion_factor": "100"}, "slow_motion_factor"),
])
def test_bad_parameters_400(api: Api, videos: dict[str, Path], form: dict, field: str) -> None:
    body = _error(api.start(videos["mp4"], **form), 400, "invalid_parameter")
    assert body["details"]["field"] == field
    assert api.balance() == 10


def test_analysis_type_left_out_is_side_view(api: Api, videos: dict[str, Path]) -> None:
    r = api.http.post("/analysis/start", params=api.q(), headers=api.auth(),
                      files={"video": ("clip.mp4", videos["mp4"].read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    rec = api.running.get(api.client_id, r.json()["analysis_id"])
    assert rec.params.analysis_type == "side_view"


def test_unsupported_language_400(api: Api, videos: dict[str, Path]) -> None:
    body = _error(api.start(videos["mp4"], language="xx"), 400, "unsupported_language")
    assert set(body["details"]["accepted"]) == {"en", "fr", "de", "zh", "ko", "pt", "es", "it", "ja"}


def test_missing_video_400(api: Api) -> None:
    r = api.http.post("/analysis/start", params=api.q(), headers=api.auth(),
                      data={"analysis_type": "side_view"}, files={"other": ("x.txt", b"x")})
    _error(r, 400, "invalid_parameter")
    r = api.http.post("/analysis/start", params=api.q(), headers=api.auth(),
                      json={"analysis_type": "side_view"})
    _error(r, 400, "invalid_parameter")


def test_error_messages_in_requested_language(api: Api, videos: dict[str, Path]) -> None:
    body = _error(api.start(videos["long"], language="fr"), 400, "video_too_long")
    assert "La vidéo dure" in body["message"]
    body = _error(api.start(videos["text"], language="ja"), 400, "invalid_file_type")
    assert "対応していない" in body["message"]
    body = _error(api.start(videos["mp4"], language="de", treadmill="true"), 400)
    assert "Pace" in body["message"] and "treadmill" in body["message"]
    body = _error(api.start(videos["mp4"], language="it", slow_motion_factor="0"), 400)
    assert body["message"] == "Il fattore di rallentamento deve essere un numero tra 1 e 32."


def test_parameters_parsed_and_defaults(api: Api, videos: dict[str, Path]) -> None:
    from repstride.service.running.service import RunningRecord  # noqa: F401

    aid = api.start(videos["mp4"], height="1.82", weight="64.5", treadmill="true",
                    pace="04:45", language="ko", full_body="false",
                    slow_motion_factor="8").json()["analysis_id"]
    rec = api.running.get(api.client_id, aid)
    p = rec.params
    assert (p.height_cm, p.weight_kg, p.pace_s_per_km, p.language, p.treadmill, p.full_body,
            p.slow_motion_factor) == (182.0, 64.5, 285.0, "ko", True, False, 8.0)
    aid = api.start(videos["mp4"]).json()["analysis_id"]
    p = api.running.get(api.client_id, aid).params
    assert (p.height_cm, p.weight_kg, p.pace_s_per_km, p.language, p.treadmill, p.full_body,
            p.slow_motion_factor) == (170.0, 70.0, None, "en", False, True, 1.0)


def test_corrupt_upload_400_in_requested_language(api: Api, videos: dict[str, Path]) -> None:
    data = videos["mp4"].read_bytes()
    truncated = data[: len(data) // 3]  # header present, frames cut off
    body = _error(api.start(truncated, filename="cut.mp4", language="it"), 400, "corrupt_video")
    assert body["message"] == "I dati del video sono danneggiati o troncati."
    assert api.balance() == 10
