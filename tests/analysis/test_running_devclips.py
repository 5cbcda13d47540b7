"""Gait events on the hand-marked development clip (slow: runs the pose model)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from repstride.wire import to_json

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


FRONT_CLIPS = (  # real runners filmed from in front (the dev set has no clip filmed from behind)
    "jacky1107__Pose-Estimation/dataSet/jacky_run.mp4",
    "jacky1107__Pose-Estimation/dataSet/lsc_run.mp4",
    "omartarek198__Pose-estimation-using-dollarpy/videos/running.mp4",
)
SIDE_CLIP = "mhuang24__Running-Form/IMG_5396.mp4"
_TRACKS: dict[str, object] = {}


def _track(dev_data: Path, name: str):
    if name not in _TRACKS:
        clip = dev_data / name
        if not clip.is_file():
            pytest.skip(f"{clip} absent")
        from repstride.pose import extract_pose

        _TRACKS[name] = extract_pose(clip).track
    return _TRACKS[name]


@pytest.mark.slow
@pytest.mark.devdata
@pytest.mark.parametrize("name", FRONT_CLIPS)
def test_back_view_answers_on_real_frontal_footage(dev_data: Path, name: str) -> None:
    from repstride.analysis.running.back_view import analyze_back_view

    res = analyze_back_view(_track(dev_data, name))
    assert res.info["view"].facing == "camera" and "runner_faces_camera" in res.flags
    wire = to_json(res)
    json.dumps(wire)
    for side in ("left", "right"):
        leg = wire["gait_cycle"]["stance_means"][side]
        assert leg["n_steps"] >= 2, (side, leg)
        for m in ("hip_adduction", "knee_adduction", "pelvic_drop"):
            v = leg[m]["value"]
            assert v is not None and abs(v) < 30.0, (side, m, v)  # physiological range
            assert leg[m]["advice"], (side, m)
        assert leg["pronation"]["value"] is None
        assert leg["pronation"]["reason"] == "reason.heel_hidden"
    assert len(wire["gait_cycle"]["steps"]) == len(res.events.contacts) >= 4


@pytest.mark.slow
@pytest.mark.devdata
def test_each_view_refuses_real_footage_of_the_other(dev_data: Path) -> None:
    from repstride.analysis.running.back_view import analyze_back_view
    from repstride.analysis.running.side_view import analyze_side_view
    from repstride.errors import ViewMismatch

    with pytest.raises(ViewMismatch):
        analyze_back_view(_track(dev_data, SIDE_CLIP))
    for name in FRONT_CLIPS:
        with pytest.raises(ViewMismatch):
            analyze_side_view(_track(dev_data, name))
    assert analyze_side_view(_track(dev_data, SIDE_CLIP)).info["view"].hip_width < 0.1


@pytest.mark.slow
@pytest.mark.devdata
def test_sprint_strides_on_real_treadmill_footage(dev_data: Path) -> None:
    """The Video API's sprint answer (the worker's own analysis step) on the hand-marked clip:
    every stride carries the seed's seven analyses, the first has no air/ground time, and the
    means agree with the marked flight and contact times."""
    from repstride.pipeline import analyze_track

    truth = json.loads((dev_data / "gait_truth.json").read_text())[SIDE_CLIP]
    track = _track(dev_data, SIDE_CLIP)
    wire = to_json(analyze_track(track, activity="sprint", video_path=dev_data / SIDE_CLIP))
    assert wire["status"] == "Complete" and wire["activity"] == "sprint"
    reps = wire["reps"]
    assert len(reps) >= 12  # 6.5 s at 169 steps/min, edge strides not observable

    def value(rep: dict, name: str) -> float | None:
        return next(a["analysisScalar"] for a in rep["analyses"] if a["analysisType"] == name)

    names = ["IS_LEFT_LEG", "STRIDE_AIR_TIME_MS", "STRIDE_GROUND_TIME_MS",
             "STRIDE_PEAK_FLEXION_ANGLE", "STRIDE_PEAK_FLEXION_ANGLE_TIMESTAMP",
             "STRIDE_PEAK_EXTENSION_ANGLE", "STRIDE_PEAK_EXTENSION_ANGLE_TIMESTAMP"]
    assert all([a["analysisType"] for a in r["analyses"]] == names for r in reps)
    assert value(reps[0], "STRIDE_AIR_TIME_MS") is None
    assert value(reps[0], "STRIDE_GROUND_TIME_MS") is None
    legs = [value(r, "IS_LEFT_LEG") for r in reps]
    assert all(a != b for a, b in zip(legs, legs[1:]))
    air = [v for r in reps if (v := value(r, "STRIDE_AIR_TIME_MS")) is not None]
    ground = [v for r in reps if (v := value(r, "STRIDE_GROUND_TIME_MS")) is not None]
    assert abs(sum(air) / len(air) - truth["mean_flight_ms"]) < 25.0, air
    assert abs(sum(ground) / len(ground) - truth["mean_gct_ms"]) < 25.0, ground
    for r in reps:
        assert r["startTimestampMs"] <= r["midTimestampMs"] <= r["endTimestampMs"]
        assert 10.0 < value(r, "STRIDE_PEAK_FLEXION_ANGLE") < 90.0
    progress = wire["runnerProgress"]
    assert [p["frameIndex"] for p in progress] == list(range(388))
    assert progress[-1]["distanceFromStart"] > 5.0  # the belt moved the runner metres
    assert wire["repstride"]["distanceSource"] == "body_size"
    assert "fieldMarkers" not in wire  # a treadmill in a gym: no yard lines, no cones


@pytest.mark.slow
@pytest.mark.devdata
def test_real_slow_motion_clip_gets_no_invented_durations(dev_data: Path) -> None:
    """slow.mp4 plays about ten times slower than real time and says nothing about it: its
    durations are null with the reason (the video-time value beside), its ratios and angles stay;
    declaring the factor brings real-time figures back."""
    from repstride.analysis.running.side_view import REASON_SLOW_MOTION, analyze_side_view

    track = _track(dev_data, "mhuang24__Running-Form/slow.mp4")
    res = analyze_side_view(track)
    assert "slow_motion_suspected" in res.flags
    m = res.metrics
    for name in ("cadence", "ground_contact_time", "flight_time"):
        assert m[name].value is None and m[name].reason == REASON_SLOW_MOTION, (name, m[name])
        assert m[name].extra["video_time_value"] > 0
    assert m["cadence"].extra["video_time_value"] == pytest.approx(17.6, rel=0.05)  # marked
    assert m["duty_factor"].value is not None
    # It is also a treadmill sent without treadmill=true: no displacement speed at all.
    for name in ("speed", "step_length"):
        assert m[name].value is None and m[name].reason == "reason.treadmill_suspected"
    declared = analyze_side_view(track, slow_motion_factor=10.0)
    assert declared.metrics["cadence"].value == pytest.approx(176.1, rel=0.05)  # marked x 10


@pytest.mark.slow
@pytest.mark.devdata
def test_treadmill_without_the_flag_gets_no_speed(dev_data: Path) -> None:
    """IMG_5396 is a treadmill run sent as overground (the default): speed and step length from
    displacement would be the belt's as if the runner had moved; they are null with the reason
    and a hint, in all nine languages. With treadmill=true and a pace they come back."""
    from repstride.analysis.running.side_view import analyze_side_view
    from repstride.i18n import LANGUAGES, catalog

    track = _track(dev_data, SIDE_CLIP)
    res = analyze_side_view(track)
    for name in ("speed", "step_length"):
        assert res.metrics[name].value is None
        assert res.metrics[name].reason == "reason.treadmill_suspected"
    assert "treadmill_suspected" in res.flags and res.info["estimated_speed_m_s"] is None
    assert res.info["hint"] == "hint.treadmill_suspected"
    assert res.metrics["cadence"].value is not None  # the rest is unaffected
    english = catalog("en")
    for lang in LANGUAGES:
        for key in ("reason.treadmill_suspected", "hint.treadmill_suspected"):
            text = catalog(lang)[key]
            assert text and (lang == "en" or text != english[key])
        assert "treadmill=true" in catalog(lang)["hint.treadmill_suspected"]
    declared = analyze_side_view(track, treadmill=True, pace_s_per_km=300.0)
    assert declared.metrics["speed"].value == pytest.approx(1000 / 300, abs=0.01)
    assert "treadmill_suspected" not in declared.flags


BACK_CLIP = "dholling4__PolarPlotter/photos/barefoot running back trimmed 30-34.mov"


@pytest.mark.slow
@pytest.mark.devdata
def test_back_view_events_on_the_real_rear_clip(dev_data: Path) -> None:
    """The runner filmed from behind, marked per side (touch-downs from the synchronised side
    view): toe-offs within a frame, touch-downs within two, on the marked foot; the cadence
    within 1 %. The landing foot keeps coming towards the camera after touch-down, so a
    touch-down taken where the foot reaches its contact height was 2-3 frames late."""
    truth = json.loads((dev_data / "gait_truth.json").read_text()).get(BACK_CLIP)
    if truth is None:
        pytest.skip("no marks for the rear clip")
    ev = _eval_module()
    r = ev.evaluate(BACK_CLIP, truth, _track(dev_data, BACK_CLIP), declare_slow=False)
    assert r["view"] == "back"
    assert r["matched"] == r["marked_events"], r
    assert r["side_agreement"] == 1.0, r
    assert max(abs(e) for e in r["to_err_frames"]) <= 2 and r["to_mean_abs"] <= 1.0, r
    assert max(abs(e) for e in r["td_err_frames"]) <= 2 and r["td_mean_abs"] <= 1.0, r
    for key in ("TD_left", "TD_right", "TO_left", "TO_right"):
        assert r["per_side_mean_abs"][key] is not None and r["per_side_mean_abs"][key] <= 1.0, r
    assert abs(r["cadence_err_pct"]) < 1.0, r
