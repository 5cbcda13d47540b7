"""The Running API's progress on a real analysis (slow: pose model and renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest

CLIP = "dholling4__PolarPlotter/photos/barefoot running side trimmed 30-34.mov"


@pytest.mark.slow
@pytest.mark.devdata
def test_percentage_advances_through_the_real_stages(dev_data: Path, tmp_path: Path) -> None:
    """Every fraction the production pipeline reports, as the job turns it into ``percentage``:
    it never goes back and takes many distinct values through the pose stage; the analysis
    ends without media (results first) and ``render_media`` renders them afterwards, reporting
    its own frames."""
    from repstride.service.running.jobs import (
        METRICS_AT, POSE_SHARE, RENDER_DONE, RealRunningPipeline,
    )
    from repstride.service.running.params import RunningParams

    clip = dev_data / CLIP
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    fractions: list[float] = []
    params = RunningParams(analysis_type="side_view", treadmill=True, pace_s_per_km=330.0)
    pipe = RealRunningPipeline()
    out = pipe(clip, params, workdir=tmp_path, progress=fractions.append)
    assert out.analysis["metrics"]["cadence"]["value"] is not None and out.media is None
    pct = [int(min(0.99, f) * 100) for f in fractions]
    assert pct == sorted(pct)
    distinct = sorted(set(pct))
    pose = [p for p in distinct if POSE_SHARE[0] * 100 <= p <= POSE_SHARE[1] * 100]
    assert len(pose) >= 10, distinct
    assert distinct[-1] == int(METRICS_AT * 100)

    rendered: list[float] = []
    media = pipe.render_media(clip, params, out.track, out.analysis, workdir=tmp_path,
                              progress=rendered.append)
    assert media.media_reason is None
    assert media.output_video is not None and media.output_video.stat().st_size > 10_000
    assert media.thumbnail is not None and media.thumbnail.read_bytes()[:2] == b"\xff\xd8"
    assert rendered == sorted(rendered) and len(set(rendered)) >= 10
    assert rendered[-1] == RENDER_DONE
