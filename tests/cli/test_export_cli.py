"""``--export trc|mot|csv`` of ``repstride pose`` and ``repstride analyze`` (pose model replaced by
the synthetic squat, as in test_analyze_cmd): files written where documented, readable, values
equal to the exports module's."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import repstride.pipeline
import repstride.pose
from repstride.testing.exercise import synthesize
from repstride.cli import _register, cli
from repstride.render.exports import joint_angles, markers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from test_exports import read_mot, read_trc  # noqa: E402  (strict format readers)


@pytest.fixture(scope="module")
def clip():
    _register()
    return synthesize("squat", n_reps=2, view="side", seed=5)


@pytest.fixture()
def video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clip) -> Path:
    def fake_extract(path, *, progress=None, subject=None):  # noqa: ANN001, ANN202
        return SimpleNamespace(track=clip.track, people={}, subject_id=0, info=None)

    monkeypatch.setattr(repstride.pipeline, "extract_pose", fake_extract)
    monkeypatch.setattr(repstride.pose, "extract_pose", fake_extract)
    path = tmp_path / "squat.mp4"
    path.write_bytes(b"x")
    return path


def test_analyze_exports_into_the_out_dir(video: Path, tmp_path: Path, clip) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["analyze", str(video), "--activity", "squat", "--out",
                                   str(out), "--export", "trc", "--export", "mot",
                                   "--export", "csv", "--height", "1.82"])
    assert res.exit_code == 0, res.output
    trc = read_trc((out / "squat.trc").read_text())
    np.testing.assert_allclose(trc["xyz"], markers(clip.track, height_m=1.82).xyz, atol=1e-6)
    assert "1.82 m given" in trc["header"]
    mot = read_mot((out / "squat.mot").read_text())
    np.testing.assert_allclose(mot["data"][:, 1], joint_angles(clip.track)["left_knee"],
                               atol=1e-6)
    assert len((out / "squat.csv").read_text().splitlines()) == len(clip.track) + 1


def test_analyze_exports_default_to_the_current_directory(video: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    res = CliRunner().invoke(cli, ["analyze", str(video), "--export", "trc",
                                   "--coordinates", "world"])
    assert res.exit_code == 0, res.output
    assert "world coordinates" in read_trc((work / "squat.trc").read_text())["header"]


def test_pose_exports_beside_the_j2p(video: Path, tmp_path: Path, clip) -> None:
    out = tmp_path / "j" / "run.json"
    out.parent.mkdir()
    res = CliRunner().invoke(cli, ["pose", str(video), "-o", str(out), "--export", "mot"])
    assert res.exit_code == 0, res.output
    assert out.is_file() and read_mot((tmp_path / "j" / "run.mot").read_text())["data"].shape[
        0] == len(clip.track)


def test_unknown_export_format_is_a_usage_error(video: Path) -> None:
    res = CliRunner().invoke(cli, ["analyze", str(video), "--export", "c3d"])
    assert res.exit_code == 2 and "c3d" in res.output
