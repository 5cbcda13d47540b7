"""Gait events on the hand-marked development clip (slow: runs the pose model)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_gait", ROOT / "benchmarks" / "eval_gait.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.devdata
def test_img_5396_cadence_and_contact_time(dev_data: Path) -> None:
    name = "mhuang24__Running-Form/IMG_5396.mp4"
    truth = json.loads((dev_data / "gait_truth.json").read_text())[name]
    ev = _eval_module()
    track = ev.load_track(dev_data, name, None)
    r = ev.evaluate(name, truth, track, declare_slow=False)
    assert abs(r["cadence_err_pct"]) < 3.0, r
    assert abs(r["gct_err_ms_frames_matched"]) < 25.0, r
    assert abs(r["gct_err_ms_cont"]) < 25.0, r
    assert r["matched"] >= 0.8 * r["marked_events"], r
