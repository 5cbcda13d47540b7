"""Side-view running metrics (analysis/running/side_view.py) on the synthetic runner."""

from __future__ import annotations

import json

import numpy as np

import pytest

from repstride.analysis.running.messages import MESSAGE_KEYS, check_keys
from repstride.analysis.running.side_view import (
    REASON_SLOW_MOTION, analyze_side_view, classify_strike,
)
from repstride.testing.running import synthesize_run
from repstride.errors import InvalidInput
from repstride.wire import to_json


@pytest.fixture(scope="module")
def treadmill_run():
    return synthesize_run(fps=60.0, speed_m_s=3.5, cadence_spm=170, contact_ms=240,
                          strike="rearfoot", noise_px=1.0, seed=21)


def test_treadmill_metrics(treadmill_run) -> None:
    res = analyze_side_view(treadmill_run.track, height_cm=175, treadmill=True,
                            pace_s_per_km=300.0)
    m = res.metrics
    assert m["speed"].value == pytest.approx(1000 / 300, abs=0.01)
    assert m["speed"].extra["source"] == "pace"
    assert m["cadence"].value == pytest.approx(170.0, rel=0.01)
    assert m["step_length"].value == pytest.approx((1000 / 300) / (170 / 60), rel=0.02)
    assert m["ground_contact_time"].value == pytest.approx(240.0, abs=1000 / 60)
    assert m["flight_time"].value == pytest.approx(1000 * (60 / 170 - 0.24), abs=1000 / 60)
    assert m["duty_factor"].value == pytest.approx(0.24 / (120 / 170), abs=0.03)
    assert not m["ground_contact_time"].low_resolution
    # The runner's own speed estimate (stance foot vs pelvis) agrees with the true speed.
    assert res.info["estimated_speed_m_s"] == pytest.approx(3.5, rel=0.06)


def test_overground_speed_from_displacement() -> None:
    run = synthesize_run(fps=60.0, treadmill=False, duration_s=3.0, px_per_m=110.0,
                         speed_m_s=4.0, cadence_spm=176, contact_ms=210, seed=22)
    res = analyze_side_view(run.track, height_cm=175)
    assert res.metrics["speed"].extra["source"] == "displacement"
    assert res.metrics["speed"].value == pytest.approx(4.0, rel=0.06)
    assert res.metrics["step_length"].value == pytest.approx(4.0 / (176 / 60), rel=0.07)


@pytest.mark.parametrize("strike", ["rearfoot", "midfoot", "forefoot"])
def test_foot_landing_per_step(strike: str) -> None:
    run = synthesize_run(fps=120.0, strike=strike, noise_px=0.5, seed=23)
    res = analyze_side_view(run.track, treadmill=True, pace_s_per_km=290)
    types = [f.strike for f in res.foot_landing]
    assert len(types) >= 8
    assert sum(t == strike for t in types) >= 0.9 * len(types), types
    wire = to_json(res)["foot_landing"]
    assert wire["dominant"] == strike and wire["steps"][0]["type_key"] == f"foot_landing.{strike}"


def test_classify_strike_thresholds() -> None:
    assert classify_strike(12.0) == "rearfoot"
    assert classify_strike(3.0) == "midfoot"
    assert classify_strike(-6.0) == "forefoot"


def test_joint_angles_overstride_styles_and_score(treadmill_run) -> None:
    res = analyze_side_view(treadmill_run.track, treadmill=True, pace_s_per_km=300)
    ja = res.joint_angles
    assert set(ja) == {"ankle", "knee", "hip", "shoulder", "elbow", "trunk", "head"}
    assert ja["hip"].touch_down > 10 and ja["hip"].toe_off < 0  # flexed at TD, extended at TO
    assert ja["knee"].mid_stance > ja["knee"].touch_down  # the knee bends into mid-stance
    assert ja["elbow"].mid_stance == pytest.approx(85.0, abs=3.0)
    # The synthetic trunk leans 6 deg forward; its ear sits 5 cm ahead of and 23 cm above the
    # shoulders: 12.3 deg from vertical, so 6.3 deg ahead of the trunk line.
    assert ja["trunk"].mid_stance == pytest.approx(6.0, abs=0.5)
    assert ja["head"].mid_stance == pytest.approx(6.3, abs=0.5)
    assert all(a.range is not None and a.range >= 0 for a in ja.values())
    o = res.overstride
    assert o.angle_deg is not None and 0.0 <= o.score <= 1.0 and o.advice in MESSAGE_KEYS
    styles = res.running_styles
    assert {s.style for s in styles} == {"stick", "bounce", "push", "sit"}
    assert sum(s.confidence_pct for s in styles) == pytest.approx(100.0)
    assert 0.0 <= res.total_score <= 1.0 and res.total_score_key in MESSAGE_KEYS


def test_wire_is_json_and_uses_known_message_keys(treadmill_run) -> None:
    res = analyze_side_view(treadmill_run.track, treadmill=True, pace_s_per_km=300)
    wire = to_json(res)
    json.dumps(wire)
    assert set(wire) >= {"total_score", "metrics", "overstride", "foot_landing", "joint_angles",
                         "running_styles"}
    assert set(wire["metrics"]) >= {"speed", "step_length", "cadence", "ground_contact_time",
                                    "flight_time", "duty_factor"}
    assert check_keys(res.message_keys()) == []
    assert check_keys(["nope.key"]) == ["nope.key"]


def test_treadmill_without_pace_has_no_speed(treadmill_run) -> None:
    res = analyze_side_view(treadmill_run.track, treadmill=True)
    assert res.metrics["speed"].value is None
    assert res.metrics["speed"].reason == "reason.pace_required"
    assert res.metrics["step_length"].value is None


def test_low_frame_rate_is_flagged_not_hidden() -> None:
    run = synthesize_run(fps=30.0, seed=24)
    res = analyze_side_view(run.track, treadmill=True, pace_s_per_km=300)
    gct = res.metrics["ground_contact_time"]
    assert gct.value is not None and gct.low_resolution and gct.reason == "reason.low_frame_rate"
    assert to_json(res)["metrics"]["flight_time"]["low_resolution"] is True


def _slowed(track, k: float):
    """The same frames played back ``k`` times slower (a phone's slow-motion export)."""
    return track.replace(timestamps_s=track.timestamps_s * k, fps=track.fps / k)


def test_undeclared_slow_motion_leaves_out_durations(treadmill_run) -> None:
    slow = _slowed(treadmill_run.track, 4.0)  # 60 fps recorded, played at 15 fps
    res = analyze_side_view(slow, treadmill=True, pace_s_per_km=300.0)
    assert "slow_motion_suspected" in res.flags and res.info["advice"] == REASON_SLOW_MOTION
    m = res.metrics
    for name in ("cadence", "ground_contact_time", "flight_time", "step_length"):
        assert m[name].value is None and m[name].reason == REASON_SLOW_MOTION, name
    assert m["cadence"].extra["video_time_value"] == pytest.approx(170.0 / 4, rel=0.01)
    assert "advice" not in m["cadence"].extra  # no "your cadence is low" for a slowed video
    assert m["ground_contact_time"].extra["video_time_value"] == pytest.approx(960, abs=70)
    # Ratios and lengths do not depend on the clock.
    assert m["duty_factor"].value == pytest.approx(0.24 / (120 / 170), abs=0.03)
    assert m["vertical_oscillation"].value is not None
    assert m["speed"].value == pytest.approx(1000 / 300, abs=0.01)  # the belt's, from the pace
    assert check_keys(res.message_keys()) == []
    # The score leaves cadence out rather than scoring 42 steps/min as 0: the mean of the
    # other two parts (overstride, bounce) of the real-time score, whose cadence part is 1.
    real = analyze_side_view(treadmill_run.track, treadmill=True, pace_s_per_km=300.0)
    assert real.metrics["cadence"].value >= 170.0
    assert res.total_score == pytest.approx((3 * real.total_score - 1.0) / 2, abs=0.02)

    declared = analyze_side_view(slow, treadmill=True, pace_s_per_km=300.0,
                                 slow_motion_factor=4.0)
    assert "slow_motion_suspected" not in declared.flags
    assert declared.metrics["cadence"].value == pytest.approx(170.0, rel=0.01)
    assert declared.metrics["ground_contact_time"].value == pytest.approx(240.0, abs=1000 / 60)


def test_undeclared_slow_motion_overground_speed() -> None:
    run = synthesize_run(fps=120.0, treadmill=False, duration_s=3.0, px_per_m=110.0,
                         speed_m_s=4.0, cadence_spm=176, contact_ms=210, seed=22)
    res = analyze_side_view(_slowed(run.track, 4.0), height_cm=175)
    speed = res.metrics["speed"]
    assert speed.value is None and speed.reason == REASON_SLOW_MOTION
    assert speed.extra["video_time_value"] == pytest.approx(1.0, rel=0.08)
    # Step length is speed over cadence: the unknown factor cancels.
    assert res.metrics["step_length"].value == pytest.approx(4.0 / (176 / 60), rel=0.07)


def test_a_leg_put_on_the_handrail_is_left_out(treadmill_run) -> None:
    """The pose model sometimes lays the near leg along a treadmill's handrail (knee and ankle
    straight ahead at hip height) for part of every stride. No running leg looks like that:
    those rows are left out instead of stretching the hip and ankle ranges."""
    from repstride.analysis.track import Joint

    t = treadmill_run.track
    xy = t.xy.copy()
    hip, knee, ankle = (int(Joint[f"RIGHT_{n}"]) for n in ("HIP", "KNEE", "ANKLE"))
    leg = float(np.nanmedian(np.abs(xy[:, ankle, 1] - xy[:, hip, 1])))
    fps = t.fps
    for side, _td, to in treadmill_run.truth.contacts:  # in every swing of the right leg
        if side != "right":
            continue
        start = int(round((to + 0.08) * fps))
        rows = slice(start, start + int(0.15 * fps))
        xy[rows, knee] = xy[rows, hip] + [0.5 * leg * t.height / t.width, 0.0]
        xy[rows, ankle] = xy[rows, knee] + [0.5 * leg * t.height / t.width, 0.02 * leg]
        for j in ("HEEL", "FOOT_INDEX"):
            xy[rows, int(Joint[f"RIGHT_{j}"])] = xy[rows, ankle] + [0.01, 0.01]
    clean = analyze_side_view(t, treadmill=True, pace_s_per_km=300.0)
    railed = analyze_side_view(t.replace(xy=xy), treadmill=True, pace_s_per_km=300.0)
    # Left-out rows can only lose samples, never add the rail's bogus extremes.
    for j in ("hip", "knee", "ankle"):
        assert railed.joint_angles[j].range <= clean.joint_angles[j].range + 1.0, j
    pts = railed.events.points
    assert np.isnan(pts[start:rows.stop, ankle]).all()  # the last glitch's rows
    assert railed.metrics["cadence"].value == pytest.approx(170.0, rel=0.01)


def test_height_in_metres_and_bad_inputs(treadmill_run) -> None:
    res = analyze_side_view(treadmill_run.track, height_cm=1.75, treadmill=True,
                            pace_s_per_km=300)
    assert res.info["height_cm"] == pytest.approx(175.0)
    for kwargs in ({"height_cm": -3}, {"height_cm": 400}, {"weight_kg": 0},
                   {"pace_s_per_km": -1.0}):
        with pytest.raises(InvalidInput):
            analyze_side_view(treadmill_run.track, **kwargs)
