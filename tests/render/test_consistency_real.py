"""Report table, overlay gauge and JSON show the same numbers on a real clip (slow: pose model)."""

from __future__ import annotations

import numpy as np
import pytest

from repstride.render.angles import analysis_view, main_joint_angle
from repstride.render.labels import format_number
from repstride.render.report import report_html
from repstride.wire import to_json

pytestmark = pytest.mark.slow

CLIP = "calimiro-ai__WorkoutTracker/data/raw/squats/squat_17.mp4"  # side view, one squat


def test_lockout_knee_is_one_number_in_json_table_and_gauge(dev_data):
    from repstride.pipeline import analyze_video

    va = analyze_video(dev_data / CLIP, activity="bodyweight_squat")
    track, res = va.pose.track, va.analysis
    assert res.reps
    series = main_joint_angle(track, res.activity, view=analysis_view(res))
    html = report_html(track=track, analysis=res)
    t_ms = np.asarray(track.timestamps_s, float) * 1000
    for rep in res.reps:
        lock = next(a for a in to_json(rep)["analyses"]
                    if a["analysisType"] == "LOCKOUT_KNEE_ANGLE_DEGREES")
        value = lock["analysisScalar"]
        assert value is not None
        # the table prints the JSON value
        assert f">{format_number(value)}<" in html
        # the gauge shows the same signal: its reading at the lockout frame is the value
        near = (t_ms >= rep.start_ms - 600) & (t_ms <= rep.end_ms + 600)
        frame = int(np.nanargmax(np.where(near, series.degrees, np.nan)))
        assert series.degrees[frame] == pytest.approx(value, abs=0.06)
        assert f"{series.degrees[frame]:.0f}" == f"{value:.0f}"
