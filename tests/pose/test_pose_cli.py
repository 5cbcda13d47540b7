"""``repstride pose``: argument validation, output file and summary line."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from repstride.cli import _register, cli, main


@pytest.fixture(scope="module")
def empty_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-frame clip of a plain gradient: nobody in it."""
    path = tmp_path_factory.mktemp("pose_cli") / "empty.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 160, 96, "yuv420p"
        for k in range(12):
            img = np.zeros((96, 160, 3), np.uint8)
            img[:, :, 1] = np.linspace(0, 200, 160, dtype=np.uint8)[None, :]
            img[:, :, 2] = 10 * k
            for packet in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in s.encode():
            out.mux(packet)
    return path


def invoke(*args: str):
    _register()
    return CliRunner().invoke(cli, list(args))


def test_writes_j2p_and_summary(empty_scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "j2p.json"
    res = invoke("pose", str(empty_scene), "-o", str(out))
    assert res.exit_code == 0, res.output
    summary = res.output.strip().splitlines()[-1]
    assert summary.startswith("12 frames, 0 people seen, subject #None in 0% of frames")
    assert "frames/s" in summary
    data = json.loads(out.read_text())
    assert data["resolutionWidth"] == 160 and data["resolutionHeight"] == 96
    assert data["jointToPoints"]["leftAnkle"] == []
    assert len(data["jointToPoints"]) == 33


@pytest.mark.parametrize("value", ["0.5", "a,b", "0.1,0.2,0.3", "2,0.5"])
def test_bad_subject_is_a_usage_error(empty_scene: Path, tmp_path: Path, value: str) -> None:
    res = invoke("pose", str(empty_scene), "-o", str(tmp_path / "x.json"), "--subject", value)
    assert res.exit_code == 2
    assert "--subject" in res.output


def test_subject_nobody_matches_exits_with_its_code(empty_scene: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["pose", str(empty_scene), "-o", str(tmp_path / "x.json"), "--subject", "0.5,0.5"])
    assert exc.value.code == 2  # InvalidInput family
    assert "subject_not_found" in capsys.readouterr().err


def test_at_needs_subject(empty_scene: Path, tmp_path: Path) -> None:
    res = invoke("pose", str(empty_scene), "-o", str(tmp_path / "x.json"), "--at", "1.0")
    assert res.exit_code == 2
    assert "--at needs --subject" in res.output
