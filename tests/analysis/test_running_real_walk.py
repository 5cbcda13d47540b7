"""A real walker through the side-view running analysis (slow: runs the pose model once).

Sports2D's demo clip (from the sports2d wheel) shows a man walking across the frame at about
99 steps/min in real time: as slow as a ten-times slowed run, but with both feet down at once
for part of each step. His times are real and must be reported as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from repstride.analysis.running.side_view import analyze_side_view

pytestmark = pytest.mark.slow


def test_a_slow_walk_is_not_taken_for_slow_motion(demo_video: Path) -> None:
    from repstride.pose import extract_pose

    res = analyze_side_view(extract_pose(demo_video).track)
    m = res.metrics
    assert "slow_motion_suspected" not in res.flags and "advice" not in res.info
    assert "no_flight_phase" in res.flags
    assert 85.0 < m["cadence"].value < 115.0  # a walk
    assert m["duty_factor"].value > 0.5  # no flight phase
    assert m["flight_time"].value < 0  # double support
    assert m["ground_contact_time"].value is not None and m["speed"].value is not None
