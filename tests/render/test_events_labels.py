"""Pure helpers of render/: gait-event parsing, stances/steps, labels, thumbnail frame choice,
main-joint angle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.track import Joint
from repstride.errors import InvalidInput
from repstride.render.angles import main_joint, main_joint_angle
from repstride.render.events import (
    GaitEvent,
    events_from_strides,
    parse_events,
    stance_intervals,
    steps,
)
from repstride.render.labels import analysis_line, metric_lines, type_label
from repstride.render.style import Sizes
from repstride.render.thumbnail import pick_thumbnail_row
from synthetic_media import figure_track


@dataclass(frozen=True)
class _TheirEvent:  # any object with the same attribute names
    kind: str
    side: str
    time_s: float
    frame: int = 0


def test_parse_events_accepts_dicts_aliases_and_objects() -> None:
    evs = parse_events([
        {"time_ms": 400, "type": "toe_off", "foot": "L"},
        {"time_s": 0.1, "kind": "foot_strike", "side": "left"},
        _TheirEvent("TD", "right", 0.5),
        GaitEvent("TO", "right", 0.7),
    ])
    assert [(e.time_s, e.kind, e.side) for e in evs] == [
        (0.1, "TD", "left"), (0.4, "TO", "left"), (0.5, "TD", "right"), (0.7, "TO", "right")]


@pytest.mark.parametrize("bad", [{"time_s": 1.0, "kind": "jump", "side": "left"},
                                 {"kind": "contact", "side": "left"},
                                 {"time_s": 1.0, "kind": "contact", "side": "middle"}])
def test_parse_events_rejects_bad_events(bad) -> None:
    with pytest.raises(InvalidInput):
        parse_events([bad])


def test_stances_and_steps() -> None:
    evs = parse_events([
        {"time_s": 0.0, "kind": "toe_off", "side": "right"},  # unpaired: no stance guessed
        {"time_s": 0.1, "kind": "contact", "side": "left"},
        {"time_s": 0.3, "kind": "toe_off", "side": "left"},
        {"time_s": 0.45, "kind": "contact", "side": "right"},
        {"time_s": 0.66, "kind": "toe_off", "side": "right"},
        {"time_s": 0.8, "kind": "contact", "side": "left"},
    ])
    assert stance_intervals(evs) == [("left", 0.1, 0.3), ("right", 0.45, 0.66)]
    st = steps(evs)
    assert [s.side for s in st] == ["left", "right", "left"]
    assert st[0].contact_ms == pytest.approx(200) and st[0].flight_ms == pytest.approx(150)
    assert st[1].contact_ms == pytest.approx(210) and st[1].flight_ms == pytest.approx(140)
    assert st[2].contact_ms is None and st[2].flight_ms is None


def test_events_from_sprint_strides() -> None:
    reps = (Rep(100, 200, 400, (RepAnalysis("IS_LEFT_LEG", 1.0),)),
            Rep(450, 600, 750, (RepAnalysis("IS_LEFT_LEG", 0.0),)),
            Rep(800, 900, 1000, (RepAnalysis("STRIDE_AIR_TIME_MS", 50.0),)))  # no leg: skipped
    evs = events_from_strides(ActivityResult("Complete", "running", "sprint", reps))
    assert [(e.time_s, e.kind, e.side) for e in evs] == [
        (0.1, "TO", "left"), (0.4, "TD", "left"), (0.45, "TO", "right"), (0.75, "TD", "right")]
    squat = ActivityResult("Complete", "weightlifting", "squat", reps)
    assert events_from_strides(squat) == ()


@pytest.mark.parametrize(("analysis", "text", "color_name"), [
    (RepAnalysis("HIP_KNEE_ANGLE_DEGREES", 92.34, "good"), "Hip knee angle 92.3 deg", "GOOD"),
    (RepAnalysis("STRIDE_AIR_TIME_MS", 123.4, "bad"), "Stride air time 123 ms", "BAD"),
    (RepAnalysis("STRIDE_PEAK_FLEXION_ANGLE", 4.567), "Stride peak flexion angle 4.57 deg",
     "NEUTRAL"),
    (RepAnalysis("ECCENTRIC_DURATION_MS", None), "Eccentric duration n/a", "NEUTRAL"),
    (RepAnalysis("IS_LEFT_LEG", 0.0), "Swing leg right", "NEUTRAL"),
])
def test_analysis_lines(analysis, text, color_name) -> None:
    from repstride.render import style

    assert analysis_line(analysis) == (text, getattr(style, color_name))


def test_hidden_and_column_labels() -> None:
    assert analysis_line(RepAnalysis("STRIDE_PEAK_FLEXION_ANGLE_TIMESTAMP", 1234.0)) is None
    assert type_label("HIP_KNEE_ANGLE_DEGREES") == "Hip knee angle (deg)"
    assert type_label("STRIDE_GROUND_TIME_MS") == "Stride ground time (ms)"


def test_metric_lines() -> None:
    lines = metric_lines({"cadence": {"value": 171.26, "unit": "spm", "title_key": "x"},
                          "speed": None, "treadmill": False, "style": "Stride runner",
                          "nested": {"a": 1}})
    assert lines == ["Cadence: 171 spm", "Speed: n/a", "Treadmill: no", "Style: Stride runner"]


def test_sizes_scale_with_the_shorter_side() -> None:
    small, hd, uhd = Sizes.for_frame(640, 360), Sizes.for_frame(1280, 720), Sizes.for_frame(3840, 2160)
    assert hd.scale == pytest.approx(1.0) and uhd.scale == pytest.approx(3.0)
    assert small.font_scale < hd.font_scale < uhd.font_scale
    assert Sizes.for_frame(720, 1280).scale == pytest.approx(1.0)  # portrait = landscape
    assert Sizes.for_frame(160, 120).scale >= 0.42  # floor keeps tiny frames legible


def test_thumbnail_row_is_the_best_reps_mid_point() -> None:
    track = figure_track(60, width=320, height=240)
    reps = (Rep(0, 300, 600, (RepAnalysis("X", 1.0, "bad"),)),
            Rep(700, 1200, 1600, (RepAnalysis("X", 1.0, "good"),)),
            Rep(1600, 1800, 1900, ()))
    result = ActivityResult("Complete", "weightlifting", "squat", reps)
    assert pick_thumbnail_row(track, result) == 36  # 1.2 s at 30 fps
    # running: mid-stance of the best-seen contact
    evs = parse_events([{"time_s": 0.2, "kind": "contact", "side": "left"},
                        {"time_s": 0.4, "kind": "toe_off", "side": "left"}])
    assert pick_thumbnail_row(track, None, evs) == 9
    # nothing: the best-seen frame
    score = track.score.copy()
    score[17] = 1.0
    assert pick_thumbnail_row(track.replace(score=score), None) == 17


def test_main_joint_angle_picks_the_better_seen_side() -> None:
    track = figure_track(10, width=400, height=400, drift=0.0)
    assert main_joint("squat").label == "knee" and main_joint("push_up").label == "elbow"
    assert main_joint(None).label == "knee"
    score = track.score.copy()
    score[:, int(Joint.LEFT_KNEE)] = 0.1
    series = main_joint_angle(track.replace(score=score), "squat")
    assert series.side == "right"
    # right hip (0.45,0.55) knee (0.44,0.70) ankle (0.44,0.85): almost straight
    assert np.all((series.degrees > 170) & (series.degrees < 180))


def test_current_rep_for_reps_and_overlapping_strides() -> None:
    from repstride.render.overlay import _current_rep, _scene

    track = figure_track(60, width=320, height=240)
    reps = (Rep(100, 300, 600, ()), Rep(500, 700, 900, ()), Rep(1000, 1200, 1400, ()))

    def scene(activity: str):
        result = ActivityResult("Complete", "running" if activity == "sprint" else "x", activity,
                                reps)
        return _scene(track, width=320, height=240, analysis=result, people=None,
                      subject_id=None, events=(), metrics=None, duration_s=2.0)

    sc = scene("squat")
    assert _current_rep(sc, 0.05) is None
    assert _current_rep(sc, 0.55)[0] == 1  # under way
    assert _current_rep(sc, 0.95)[0] == 1  # finished, numbers stay up until the next starts
    sp = scene("sprint")
    assert _current_rep(sp, 0.55, finished_only=True)[0] == 0  # stride 1 still in the air
    assert _current_rep(sp, 0.65, finished_only=True)[0] == 0
    assert _current_rep(sp, 0.95, finished_only=True)[0] == 1
