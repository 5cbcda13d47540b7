"""The Running API's progress on a real analysis (slow: pose model and renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest

CLIP = "dholling4__PolarPlotter/photos/barefoot running side trimmed 30-34.mov"


@pytest.mark.slow
@pytest.mark.devdata
def test_percentage_advances_through_the_real_stages(dev_data: Path, tmp_path: Path) -> None:
    """Every fraction the production pipeline reports, as the job turns it into ``percentage``:
    it never goes back, takes many distinct values, and the rendering (about 40 % of the wall
    time) moves the bar instead of leaving it where the analysis put it."""
    from repstride.service.running.jobs import (
        METRICS_AT, POSE_SHARE, RENDER_SHARE, RealRunningPipeline,
    )
    from repstride.service.running.params import RunningParams

    clip = dev_data / CLIP
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    fractions: list[float] = []
    params = RunningParams(analysis_type="side_view", treadmill=True, pace_s_per_km=330.0)
    out = RealRunningPipeline()(clip, params, workdir=tmp_path, progress=fractions.append)
    assert out.analysis["metrics"]["cadence"]["value"] is not None and out.output_video
    pct = [int(min(0.99, f) * 100) for f in fractions]
    assert pct == sorted(pct)
    distinct = sorted(set(pct))
    assert len(distinct) >= 5, distinct
    pose = [p for p in distinct if POSE_SHARE[0] * 100 <= p <= POSE_SHARE[1] * 100]
    render = [p for p in distinct if METRICS_AT * 100 < p <= RENDER_SHARE[1] * 100]
    assert len(pose) >= 10 and len(render) >= 10, distinct
    assert distinct[-1] == 99
