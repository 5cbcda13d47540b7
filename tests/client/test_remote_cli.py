"""``repstride remote analyze|run-analysis`` with click's runner against the scripted fake."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from client_fakes import BASE, FakeClock, FakeServer

from repstride.cli import _register, cli
from repstride.cli import remote_cmd
from repstride.client import Client, MemoryTokenCache, PollPolicy

COMPLETE = {"status": "Complete", "domain": "calisthenics", "activity": "push_up",
            "reps": [{"startTimestampMs": 0, "midTimestampMs": 500, "endTimestampMs": 1000,
                      "analyses": [{"analysisType": "ELBOW_ANGLE_DEGREES", "analysisScalar": 88.5}]}]}


@pytest.fixture
def video(tmp_path: Path) -> Path:
    p = tmp_path / "pushups.mp4"
    p.write_bytes(os.urandom(150_000))
    return p


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, fake: FakeServer, clock: FakeClock, tmp_path: Path):
    _register()
    monkeypatch.setenv("REPSTRIDE_CLIENT_ID", "cid")
    monkeypatch.setenv("REPSTRIDE_CLIENT_SECRET", "secret")
    monkeypatch.setenv("REPSTRIDE_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("REPSTRIDE_SERVER", BASE)
    made: list[dict[str, Any]] = []

    def make(**kwargs: Any) -> Client:
        made.append(kwargs)
        return Client(transport=fake.transport(), token_cache=MemoryTokenCache(), clock=clock,
                      poll=PollPolicy(timeout_s=60), **kwargs)

    monkeypatch.setattr(remote_cmd, "_make_client", make)

    def invoke(*args: str) -> Any:
        result = CliRunner().invoke(cli, ["remote", *args], catch_exceptions=False)
        result.made = made
        return result

    return invoke


def test_analyze_json(run, fake: FakeServer, video: Path) -> None:
    fake.analysis_script = [{"status": "Pending"}, COMPLETE]
    result = run("analyze", str(video), "--server", BASE, "--activity", "push_up", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == {"video_id": "vid-1", "analysis": COMPLETE}
    assert result.made[0]["base_url"] == BASE
    assert fake.api_calls("/videos")[0].json()["activity"] == "push_up"
    assert "upload" in result.stderr and "processing" in result.stderr  # progress on stderr


def test_analyze_text_and_overlay(run, fake: FakeServer, video: Path, tmp_path: Path) -> None:
    fake.analysis_script = [COMPLETE]
    fake.video = {"status": "Success", "overlays": {"all": {"status": "Complete",
                                                            "uri": f"{BASE}/files/all.mp4"}}}
    out_path = tmp_path / "annotated.mp4"
    result = run("analyze", str(video), "--overlay", str(out_path), "-q")
    assert result.exit_code == 0, result.output
    assert "push_up (calisthenics), 1 reps" in result.stdout
    assert "ELBOW_ANGLE_DEGREES=88.5" in result.stdout
    assert out_path.read_bytes() == b"overlay-bytes" * 1000
    assert result.stderr == ""


@pytest.mark.parametrize(("answer", "code", "text"), [
    ((404, {"code": "not_found", "message": "gone"}), 6, "error [not_found] gone"),
    ((200, {"status": "Failed", "reason": "LOW_QUALITY_POSE_ESTIMATE"}), 4, "LOW_QUALITY_POSE_ESTIMATE"),
    ((402, {"code": "insufficient_credits", "message": "No credits"}), 7, "insufficient_credits"),
    ((413, {"code": "file_too_large", "message": "too big"}), 3, "file_too_large"),
])
def test_analyze_errors_map_to_exit_codes(run, fake: FakeServer, video: Path, answer, code, text) -> None:
    fake.analysis_script = [answer]
    result = run("analyze", str(video), "-q")
    assert result.exit_code == code
    assert text in result.stderr


def test_missing_credentials_exit_5(run, monkeypatch: pytest.MonkeyPatch, video: Path) -> None:
    monkeypatch.delenv("REPSTRIDE_CLIENT_ID")
    result = run("analyze", str(video))
    assert result.exit_code == 5
    assert "REPSTRIDE_CLIENT_ID" in result.stderr


def test_run_analysis(run, fake: FakeServer, video: Path) -> None:
    fake.results_script = [(202, {"status": "analyzing", "percentage": 50}),
                           {"status": "success", "id": "run-1"}]
    result = run("run-analysis", str(video), "--view", "side", "--treadmill", "--pace", "5:10",
                 "--height", "181", "--language", "de", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["analysis_id"] == "run-1"
    assert out["results"]["status"] == "success"
    assert out["calculated_data"] == {"total_score": 0.72, "metrics": {"cadence": 172}}
    start = fake.api_calls("/analysis/start")[0]
    assert b'name="analysis_type"\r\n\r\nside_view' in start.body
    assert b'name="pace"\r\n\r\n5:10' in start.body
    assert b'name="treadmill"\r\n\r\ntrue' in start.body


def test_run_analysis_text(run, fake: FakeServer, video: Path) -> None:
    fake.routes[("GET", "/analysis/run-1/results/calculated_data")] = lambda r: httpx.Response(
        200, json={"total_score": 0.5, "metrics": {"cadence": {"value": 171.5, "unit": "steps/min"},
                                                    "speed": 3.1}})
    result = run("run-analysis", str(video), "--view", "back", "--pronation-only",
                 "--slow-motion", "8", "-q")
    assert result.exit_code == 0, result.output
    assert "analysis run-1: success" in result.stdout
    assert "cadence: 171.5 steps/min" in result.stdout and "speed: 3.1" in result.stdout
    body = fake.api_calls("/analysis/start")[0].body
    assert b'name="full_body"\r\n\r\nfalse' in body
    assert b'name="slow_motion_factor"\r\n\r\n8' in body


@pytest.mark.parametrize("args", [
    ["--view", "side", "--treadmill"],
    ["--view", "side", "--pace", "5.30"],
    ["--view", "front"],
    ["--view", "side", "--language", "nl"],
    ["--view", "side", "--height", "0"],
])
def test_run_analysis_usage_errors(run, fake: FakeServer, video: Path, args: list[str]) -> None:
    result = run("run-analysis", str(video), *args)
    assert result.exit_code == 2
    assert fake.seen == []
