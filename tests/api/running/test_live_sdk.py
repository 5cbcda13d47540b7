"""Over real HTTP: a uvicorn server with its worker pool, driven by the Python SDK.

Checks what the TestClient cannot: the SDK's streamed multipart upload through uvicorn, the
worker pool running the job by itself, and a 413 that reaches the client as JSON (the rest of
the body is drained, not reset).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from running_helpers import RUNNING_LIMITS, Live


def test_sdk_start_worker_runs_job_results(live: Live, videos: dict[str, Path]) -> None:
    with live.sdk() as client:
        aid = client.start_running_analysis(videos["mov"], view="side", treadmill=True,
                                            pace="05:00", language="pt")
        assert live.done.wait(60), "the worker pool did not finish the job"
        res = client.get_results(aid)
        assert res.status == "success" and res.percentage == 100
        bio = res.biomechanical_analysis or {}
        assert bio["metrics"]["cadence"]["title"] == "Cadência"
        calc = client.get_calculated_data(aid)
        assert calc.metrics["speed"]["value"] == pytest.approx(1000 / 300, rel=0.01)
        raw = client.get_raw_data(aid)
        assert raw.video_input_information["fps"] == pytest.approx(10.0)
        assert raw.frames
    assert live.services.credits.balance(live.client_id) == 4


def test_too_large_upload_reaches_the_sdk_as_413(live: Live, tmp_path: Path) -> None:
    from repstride.client.errors import RepstrideError as SdkError

    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (3 * RUNNING_LIMITS.max_bytes))
    with live.sdk() as client, pytest.raises(SdkError) as info:
        client.start_running_analysis(big, view="side")
    assert info.value.code == "file_too_large"
    assert live.services.credits.balance(live.client_id) == 5


def test_sdk_without_api_key_gets_401(live: Live, videos: dict[str, Path],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from repstride.client.errors import RepstrideError as SdkError

    monkeypatch.delenv("REPSTRIDE_API_KEY", raising=False)
    monkeypatch.setenv("REPSTRIDE_CONFIG", str(Path("/nonexistent/repstride.toml")))
    with live.sdk(api_key=None) as client, pytest.raises(SdkError) as info:
        client.start_running_analysis(videos["mp4"], view="side")
    assert info.value.code == "missing_api_key"


@pytest.mark.parametrize("api_key, code", [("rsk_not_a_key", "invalid_api_key"),
                                           (None, "missing_api_key")])
def test_auth_error_on_a_large_upload_reaches_the_sdk_as_json(
        live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_key: str | None,
        code: str) -> None:
    """Refused before the body is read: the server still drains it, so the client reads the
    JSON error instead of a reset connection."""
    from repstride.client.errors import RepstrideError as SdkError

    monkeypatch.delenv("REPSTRIDE_API_KEY", raising=False)
    monkeypatch.setenv("REPSTRIDE_CONFIG", str(Path("/nonexistent/repstride.toml")))
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (8 * 1024 * 1024))
    with live.sdk(api_key=api_key) as client, pytest.raises(SdkError) as info:
        client.start_running_analysis(big, view="side")
    assert info.value.code == code
