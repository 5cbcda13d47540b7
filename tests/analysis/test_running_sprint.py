"""Sprint strides as Video API reps (analysis/running/sprint.py)."""

from __future__ import annotations

import numpy as np
import pytest

from repstride.analysis.dispatch import analyze_activity
from repstride.analysis.running.field_markers import (
    FINISH_YARDS, YARD_M, FieldMarker, FieldMarkers, distance_from_markers,
)
from repstride.analysis.running.sprint import (
    DISTANCE_FROM_BODY_SIZE, DISTANCE_FROM_MARKERS, analyze_sprint,
)
from repstride.testing.running import synthesize_run
from repstride.analysis.track import PoseTrack
from repstride.wire import to_json

ANALYSES = ["IS_LEFT_LEG", "STRIDE_AIR_TIME_MS", "STRIDE_GROUND_TIME_MS",
            "STRIDE_PEAK_FLEXION_ANGLE", "STRIDE_PEAK_FLEXION_ANGLE_TIMESTAMP",
            "STRIDE_PEAK_EXTENSION_ANGLE", "STRIDE_PEAK_EXTENSION_ANGLE_TIMESTAMP"]


def _values(rep: dict) -> dict:
    return {a["analysisType"]: a["analysisScalar"] for a in rep["analyses"]}


@pytest.fixture(scope="module")
def sprint_run():
    return synthesize_run(fps=120.0, treadmill=False, duration_s=2.6, px_per_m=70.0,
                          speed_m_s=7.0, cadence_spm=200, contact_ms=130, strike="forefoot",
                          noise_px=0.5, seed=11)


def test_strides_follow_the_seed(sprint_run) -> None:
    res = analyze_activity(sprint_run.track, activity="sprint")
    wire = to_json(res)
    assert wire["status"] == "Complete" and wire["domain"] == "running"
    reps = wire["reps"]
    assert len(reps) >= 4
    truth = sprint_run.truth
    tds = {s: [td for side, td, _ in truth.contacts if side == s] for s in ("left", "right")}
    tos = {s: [to for side, _, to in truth.contacts if side == s] for s in ("left", "right")}
    for i, rep in enumerate(reps):
        v = _values(rep)
        assert [a["analysisType"] for a in rep["analyses"]] == ANALYSES
        side = "left" if v["IS_LEFT_LEG"] == 1.0 else "right"
        # start = toe-off and end = touch-down of the same (swinging) foot, within a frame.
        assert min(abs(rep["startTimestampMs"] / 1000 - t) for t in tos[side]) <= 1 / 120 + 1e-3
        assert min(abs(rep["endTimestampMs"] / 1000 - t) for t in tds[side]) <= 1 / 120 + 1e-3
        assert rep["startTimestampMs"] <= rep["midTimestampMs"] <= rep["endTimestampMs"]
        assert v["STRIDE_PEAK_FLEXION_ANGLE_TIMESTAMP"] == rep["midTimestampMs"]
        assert v["STRIDE_PEAK_FLEXION_ANGLE"] > 20.0
        if i == 0:
            assert v["STRIDE_AIR_TIME_MS"] is None and v["STRIDE_GROUND_TIME_MS"] is None
    # Air time = flight, ground time = contact of the other foot (within 2 frames at 120 fps).
    air = [_values(r)["STRIDE_AIR_TIME_MS"] for r in reps[1:]]
    ground = [_values(r)["STRIDE_GROUND_TIME_MS"] for r in reps[1:-1]]
    assert all(a is not None and abs(a - truth.flight_s * 1000) <= 17 for a in air), air
    assert all(g is not None and abs(g - truth.contact_s * 1000) <= 17 for g in ground), ground
    # Legs alternate.
    legs = [_values(r)["IS_LEFT_LEG"] for r in reps]
    assert all(a != b for a, b in zip(legs, legs[1:]))


def test_undeclared_slow_motion_has_no_air_or_ground_times(sprint_run) -> None:
    t = sprint_run.track
    slow = t.replace(timestamps_s=t.timestamps_s * 8.0, fps=t.fps / 8.0)  # 120 fps played at 15
    res = analyze_sprint(slow)
    assert "slow_motion_suspected" in res.info["flags"] and res.info["cadenceSpm"] is None
    reps = to_json(res)["reps"]
    assert len(reps) >= 4
    for rep in reps:
        v = _values(rep)
        assert v["STRIDE_AIR_TIME_MS"] is None and v["STRIDE_GROUND_TIME_MS"] is None
        assert v["STRIDE_PEAK_FLEXION_ANGLE"] > 20.0  # angles do not depend on the clock
    declared = to_json(analyze_sprint(slow, slow_motion_factor=8.0))["reps"]
    air = [_values(r)["STRIDE_AIR_TIME_MS"] for r in declared[1:]]
    assert all(a is not None and abs(a - sprint_run.truth.flight_s * 1000) <= 17 for a in air)


def test_runner_progress_from_body_size(sprint_run) -> None:
    res = analyze_sprint(sprint_run.track, height_cm=175)
    prog = to_json(res)["runnerProgress"]
    assert len(prog) == len(sprint_run.track)
    assert res.info["distanceSource"] == DISTANCE_FROM_BODY_SIZE
    assert "fieldMarkers" not in res.extra
    d = [p["distanceFromStart"] for p in prog if p["distanceFromStart"] is not None]
    ts = [p["timestamp"] for p in prog if p["distanceFromStart"] is not None]
    speed = (d[-1] - d[0]) / ((ts[-1] - ts[0]) / 1000.0)
    assert abs(speed - 7.0) / 7.0 < 0.08, speed
    assert prog[10]["frameIndex"] == 10 and prog[12]["timestamp"] == 100


def test_runner_progress_from_yard_lines(sprint_run) -> None:
    t = sprint_run.track
    px_per_m = sprint_run.truth.px_per_m
    pel_x0 = float(np.nanmean(t.pixels()[0, [23, 24], 0]))
    # Start line 1 m ahead of the runner's first position, middle line 5 yards further.
    x_start = pel_x0 + 1.0 * px_per_m
    x_mid = x_start + 5 * YARD_M * px_per_m

    def line(x: float) -> FieldMarker:
        return FieldMarker("YARD_LINE", x - 5, 300.0, x + 5, 700.0, frame_idx=0, timestamp_ms=0)

    markers = FieldMarkers(start_line=line(x_start), middle_line=line(x_mid))
    res = analyze_sprint(t, markers=markers)
    assert res.info["distanceSource"] == DISTANCE_FROM_MARKERS
    fm = to_json(res)["fieldMarkers"]
    assert set(fm) == {"startLine", "middleLine"} and fm["startLine"]["type"] == "YARD_LINE"
    assert set(fm["startLine"]["position"]) == {"x1", "y1", "x2", "y2"}
    first = to_json(res)["runnerProgress"][0]["distanceFromStart"]
    assert first == pytest.approx(-1.0, abs=0.1)  # behind the start line: negative


def test_marker_distance_geometry() -> None:
    cones = FieldMarkers(cones=(FieldMarker("CONE", 90, 400, 110, 440, 3, 100),
                                FieldMarker("CONE", 990, 400, 1010, 440, 3, 100)))
    d = distance_from_markers(np.array([100.0, 550.0, 1000.0, 0.0]), 440.0, cones)
    assert d is not None
    assert d[0] == pytest.approx(0.0) and d[2] == pytest.approx(FINISH_YARDS * YARD_M)
    assert d[1] == pytest.approx(FINISH_YARDS * YARD_M / 2) and d[3] < 0
    assert distance_from_markers(np.array([1.0]), 0.0, FieldMarkers()) is None


def test_no_runner_is_low_quality() -> None:
    res = analyze_sprint(PoseTrack.empty(90, fps=30.0, width=640, height=360))
    assert res.status == "Failed" and res.reason == "LOW_QUALITY_POSE_ESTIMATE"
