"""``repstride run-analysis`` (cli/running_cmd.py) with the pose model replaced by the synthetic
runner, so the command's wiring, validation and output are tested quickly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import repstride.pipeline
from repstride.testing.running import synthesize_run
from repstride.cli import _register, cli


@pytest.fixture(scope="module")
def runs() -> dict:
    _register()
    return {"side": synthesize_run(fps=60.0, seed=41),
            "back": synthesize_run(view="back", fps=60.0, eversion_deg=9.0, seed=42)}


@pytest.fixture()
def fake_video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: dict) -> Path:
    def fake_extract(path, *, progress=None):
        view = "back" if "back" in Path(path).name else "side"
        if progress is not None:
            progress(1, 1)
        return SimpleNamespace(track=runs[view].track)

    monkeypatch.setattr(repstride.pipeline, "extract_pose", fake_extract)
    (tmp_path / "side.mp4").write_bytes(b"x")
    (tmp_path / "back.mp4").write_bytes(b"x")
    return tmp_path


def test_side_view_text(fake_video: Path) -> None:
    res = CliRunner().invoke(cli, ["run-analysis", str(fake_video / "side.mp4"), "--treadmill",
                                   "--pace", "5:00", "--height", "175"])
    assert res.exit_code == 0, res.output
    assert "Cadence: 170" in res.output
    assert "Speed: 3.33 m/s" in res.output
    assert "Ground contact time:" in res.output and "Overstride" in res.output


def test_side_view_json(fake_video: Path) -> None:
    res = CliRunner().invoke(cli, ["run-analysis", str(fake_video / "side.mp4"), "--json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["metrics"]["cadence"]["value"] == pytest.approx(170.0, rel=0.01)
    assert body["metrics"]["speed"]["source"] == "displacement"


def test_back_view(fake_video: Path) -> None:
    res = CliRunner().invoke(cli, ["run-analysis", str(fake_video / "back.mp4"), "--view", "back"])
    assert res.exit_code == 0, res.output
    m = re.search(r"Pronation \(rearfoot angle\): ([-0-9.]+) deg", res.output)
    assert m and abs(float(m.group(1)) - 9.0) < 1.5, res.output


@pytest.mark.parametrize("args, message", [
    (["--treadmill"], "--pace"),
    (["--treadmill", "--pace", "5:75"], "SS < 60"),
    (["--pace", "fast"], "MM:SS"),
])
def test_bad_options(fake_video: Path, args: list[str], message: str) -> None:
    res = CliRunner().invoke(cli, ["run-analysis", str(fake_video / "side.mp4"), *args])
    assert res.exit_code == 2 and message in res.output, res.output


def test_wrong_view_is_a_clear_error(fake_video: Path, capsys: pytest.CaptureFixture) -> None:
    from repstride.cli import main

    with pytest.raises(SystemExit) as info:
        main(["run-analysis", str(fake_video / "side.mp4"), "--view", "back"])
    assert info.value.code == 2  # bad input
    err = capsys.readouterr().err
    assert "error [view_mismatch]" in err and "side-view analysis" in err
    assert "Traceback" not in err


def test_runner_facing_the_camera_says_why_pronation_is_missing(
        fake_video: Path, monkeypatch: pytest.MonkeyPatch, runs: dict) -> None:
    track = runs["back"].track
    xy = track.xy.copy()
    xy[..., 0] = 1.0 - xy[..., 0]  # filmed from in front: mirrored picture, same body labels
    monkeypatch.setattr(repstride.pipeline, "extract_pose",
                        lambda path, *, progress=None: SimpleNamespace(track=track.replace(xy=xy)))
    res = CliRunner().invoke(cli, ["run-analysis", str(fake_video / "back.mp4"), "--view", "back"])
    assert res.exit_code == 0, res.output
    assert "Pronation (rearfoot angle): n/a  [The runner faces the camera" in res.output
    assert "runner_faces_camera" in res.output
