"""``repstride analyze`` (cli/analyze_cmd.py): the pipeline's pose stage is replaced by the
synthetic stick figure, so wiring, validation and output are tested in a second; one slow test
runs the real pose model on a dev clip."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import repstride.pipeline
from repstride.testing.exercise import synthesize
from repstride.cli import _register, cli
from repstride.errors import LowQualityPose


@pytest.fixture(scope="module")
def clip():
    _register()
    return synthesize("squat", n_reps=3, view="side", seed=21)


@pytest.fixture()
def video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clip) -> Path:
    def fake_extract(path, *, progress=None):
        if progress is not None:
            progress(5, 10)
            progress(10, 10)
        track = clip.track
        if "blurry" in Path(path).name:
            track = track.replace(score=track.score * 0.1)
        return SimpleNamespace(track=track, people={}, subject_id=0, info=None)

    monkeypatch.setattr(repstride.pipeline, "extract_pose", fake_extract)
    (tmp_path / "squat.mp4").write_bytes(b"x")
    (tmp_path / "blurry.mp4").write_bytes(b"x")
    return tmp_path / "squat.mp4"


def test_json_is_exactly_the_analysis_object(video: Path, clip) -> None:
    res = CliRunner().invoke(cli, ["analyze", str(video), "--json"])
    assert res.exit_code == 0, res.output
    wire = json.loads(res.stdout)
    assert wire["status"] == "Complete"
    assert wire["domain"] == "weightlifting" and wire["activity"] == "squat"
    assert len(wire["reps"]) == clip.count
    rep = wire["reps"][0]
    assert set(rep) == {"startTimestampMs", "midTimestampMs", "endTimestampMs", "analyses"}
    assert any(a["analysisType"] == "HIP_KNEE_ANGLE_DEGREES" for a in rep["analyses"])
    assert wire["repstride"]["activitySource"] == "recognised"


def test_table_and_out_dir(video: Path, tmp_path: Path, clip) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["analyze", str(video), "--activity", "squat",
                                   "--rep-count", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "squat (weightlifting)" in res.stdout
    assert f"{clip.count} reps" in res.stdout
    assert "HIP_KNEE_ANGLE_DEGREES" in res.stdout and "HKA deg" in res.stdout
    assert len([ln for ln in res.stdout.splitlines() if ln[:3].strip().isdigit()]) == clip.count
    saved = json.loads((out / "analysis.json").read_text())
    assert saved["activity"] == "squat" and len(saved["reps"]) == clip.count
    j2p = json.loads((out / "j2p.json").read_text())
    assert len(j2p["jointToPoints"]["leftKnee"]) == len(clip.track)


def test_mismatch_is_shown(video: Path) -> None:
    res = CliRunner().invoke(cli, ["analyze", str(video), "--activity", "push_up"])
    assert res.exit_code == 0, res.output
    assert "push_up (calisthenics)" in res.stdout
    assert "looks like squat" in res.stdout


@pytest.mark.parametrize("args", [["--activity", "juggling"], ["--rep-count", "-1"]])
def test_bad_options_are_usage_errors(video: Path, args: list[str]) -> None:
    res = CliRunner().invoke(cli, ["analyze", str(video), *args])
    assert res.exit_code == 2


def test_low_quality_pose_is_reported_and_raised(video: Path) -> None:
    res = CliRunner().invoke(cli, ["analyze", str(video.parent / "blurry.mp4"), "--activity",
                                   "squat"])
    assert "LOW_QUALITY_POSE_ESTIMATE" in res.stdout
    assert isinstance(res.exception, LowQualityPose)


@pytest.mark.slow
@pytest.mark.devdata
def test_real_clip(dev_data: Path) -> None:
    _register()
    clip = dev_data / "Jintao-Xu__Pose_Estimation" / "sample" / "Squat.mp4"
    if not clip.is_file():
        pytest.skip("clip not present")
    res = CliRunner().invoke(cli, ["analyze", str(clip), "--json"])
    assert res.exit_code == 0, res.output
    wire = json.loads(res.stdout)
    assert wire["status"] == "Complete"
    assert wire["activity"] in ("bodyweight_squat", "squat")
    assert len(wire["reps"]) == 1


def test_report_writes_html_and_the_annotated_video(video: Path, tmp_path: Path, clip) -> None:
    import av
    import numpy as np

    from repstride.media.encode import VideoWriter

    t = clip.track
    src = tmp_path / "real.mp4"
    with VideoWriter(src, fps=t.fps, width=t.width, height=t.height) as w:
        for i in range(len(t)):
            w.write(np.full((t.height, t.width, 3), 40 + i % 50, np.uint8))
    report = tmp_path / "rep" / "report.html"
    res = CliRunner().invoke(cli, ["analyze", str(src), "--activity", "squat",
                                   "--report", str(report)])
    assert res.exit_code == 0, res.output
    html = report.read_text()
    assert "<svg" in html and "report.all.mp4" in html and "http" not in html.split("<body")[0]
    with av.open(str(report.with_suffix(".all.mp4"))) as c:
        assert abs(sum(1 for _ in c.decode(video=0)) - len(t)) <= 1
