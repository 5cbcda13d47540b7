"""Exercise engine: table-driven synthetic tests per activity (views, set-up motion, partial
reps, noise), analyses and their names, quality gate, repCount hint, wire format."""

import re

import numpy as np
import pytest

from repstride.analysis import analyze_activity
from repstride.analysis.activities import ACTIVITY_DOMAIN
from repstride.analysis.exercise import SPECS, analyze_exercise
from repstride.testing.exercise import MOTIONS, synthesize
from repstride.analysis.track import PoseTrack
from repstride.errors import UnknownActivity
from repstride.wire import to_json

ACTIVITIES = sorted(SPECS)
UNIT = re.compile(r"^[A-Z][A-Z0-9_]*_(DEGREES|MS|PERCENTAGE|RATIO)$")


def test_every_non_sprint_activity_has_a_spec_and_a_motion():
    expected = {a for a in ACTIVITY_DOMAIN if a != "sprint"}
    assert set(SPECS) == expected
    assert set(MOTIONS) == expected


CASES = [
    (activity, view, seed)
    for activity in ACTIVITIES
    for view, seed in (("side", 1), ("front", 2), ("diag", 3))
]


@pytest.mark.parametrize(("activity", "view", "seed"), CASES)
def test_counts_reps_with_setup_partials_and_noise(activity, view, seed):
    clip = synthesize(activity, n_reps=4, view=view, partial_reps=1, setup=True, dropout=0.03,
                      jitter=0.02, seed=seed)
    res = analyze_exercise(clip.track, activity=activity)
    assert res.status == "Complete"
    assert res.activity == activity and res.domain == ACTIVITY_DOMAIN[activity]
    assert len(res.reps) == clip.count, (res.info, [(r.start_ms, r.mid_ms) for r in res.reps])
    for rep, (start, mid, end) in zip(res.reps, clip.reps):
        assert rep.start_ms <= rep.mid_ms <= rep.end_ms
        assert abs(rep.mid_ms - mid) <= max(450, 0.25 * (end - start))
        assert start - 400 <= rep.start_ms and rep.end_ms <= end + 400


@pytest.mark.parametrize(("n_reps", "rep_s", "pause"), [(1, 2.0, (0.3, 0.3)), (8, 1.2, (0.0, 0.1)),
                                                         (3, 4.0, (2.0, 3.0)),
                                                         (2, 14.0, (1.0, 2.0))])  # slow motion
@pytest.mark.parametrize("activity", ["squat", "push_up", "chin_up", "sit_up"])
def test_tempo_pauses_and_counts(activity, n_reps, rep_s, pause):
    clip = synthesize(activity, n_reps=n_reps, rep_s=rep_s, pause_s=pause, seed=n_reps)
    assert len(analyze_exercise(clip.track, activity=activity).reps) == n_reps


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_analyses_are_named_with_units_and_judged(activity):
    spec = SPECS[activity]
    assert len(spec.analyses) >= 3
    clip = synthesize(activity, n_reps=2, view="side", seed=5)
    res = analyze_exercise(clip.track, activity=activity)
    assert res.reps
    for rep in res.reps:
        types = [a.type for a in rep.analyses]
        assert types == [a.type for a in spec.analyses]
        for a, aspec in zip(rep.analyses, spec.analyses):
            assert UNIT.match(a.type), a.type
            assert a.scalar is None or np.isfinite(a.scalar)
            if aspec.good_min is None and aspec.good_max is None:
                assert a.opinion is None
            elif a.scalar is not None:
                assert a.opinion in ("good", "bad")
        assert sum(a.scalar is not None for a in rep.analyses) >= 3


@pytest.mark.parametrize("activity", ["squat", "bench_press", "deadlift", "clean_and_jerk",
                                      "snatch"])
def test_barbell_lifts_report_bar_path(activity):
    res = analyze_exercise(synthesize(activity, n_reps=2, seed=4).track, activity=activity)
    values = [a.scalar for r in res.reps for a in r.analyses
              if a.type == "BAR_PATH_SINUOSITY_PERCENTAGE"]
    assert values and all(v is not None and 0 <= v < 200 for v in values)


def test_squat_depth_opinion_follows_depth():
    deep = synthesize("squat", n_reps=2, depth_jitter=0.0, seed=1)
    res = analyze_exercise(deep.track, activity="squat")
    hk = [next(a for a in r.analyses if a.type == "HIP_KNEE_ANGLE_DEGREES") for r in res.reps]
    assert all(a.scalar < 10 and a.opinion == "good" for a in hk)
    # a quarter squat is counted only when it is all the set has, and judged too high
    shallow = synthesize("bodyweight_squat", n_reps=3, depth_jitter=0.0, seed=1)
    from repstride.testing.exercise import Motion, MOTIONS as M
    m = M["bodyweight_squat"]
    half = Motion(rest=m.rest, keys=((0.5, {**m.keys[0][1], "thigh": 45.0, "shank": -20.0,
                                            "trunk": 15.0}),))
    M["_half_squat_test"] = half
    try:
        clip = synthesize("_half_squat_test", n_reps=3, seed=1)
    finally:
        del M["_half_squat_test"]
    res = analyze_exercise(clip.track, activity="bodyweight_squat")
    assert len(res.reps) == 3
    hk = [next(a for a in r.analyses if a.type == "HIP_KNEE_ANGLE_DEGREES") for r in res.reps]
    assert all(a.opinion == "bad" and a.scalar > 30 for a in hk)
    assert shallow.count == 3


def _blank(track: PoseTrack, frac: float) -> PoseTrack:
    score = track.score.copy()
    xy = track.xy.copy()
    rng = np.random.default_rng(0)
    idx = rng.random(len(track)) < frac
    score[idx] = 0.1
    return track.replace(score=score, xy=xy)


def test_quality_gate_fails_instead_of_guessing():
    clip = synthesize("squat", n_reps=4, seed=1)
    bad = _blank(clip.track, 0.8)
    res = analyze_exercise(bad, activity="squat")
    assert res.status == "Failed" and res.reason == "LOW_QUALITY_POSE_ESTIMATE"
    assert res.reps == ()
    wire = to_json(res)
    assert wire["status"] == "Failed" and wire["reason"] == "LOW_QUALITY_POSE_ESTIMATE"
    empty = PoseTrack.empty(60, fps=30, width=640, height=480)
    assert analyze_exercise(empty).status == "Failed"
    assert analyze_exercise(empty.slice(0, 0), activity="push_up").status == "Failed"


def test_rep_count_hint_resolves_ambiguity_but_never_invents():
    # 3 full reps and a last descent that reaches the bottom as the clip ends
    clip = synthesize("chin_up", n_reps=4, tail_s=0.0, seed=3)
    fps = clip.track.fps
    cut = int((clip.reps[-1][1] / 1000 + 0.15) * fps)
    track = clip.track.slice(0, cut)
    plain = analyze_exercise(track, activity="chin_up")
    assert len(plain.reps) == 3
    hinted = analyze_exercise(track, activity="chin_up", rep_count=4)
    assert len(hinted.reps) == 4 and hinted.info["repCountHintUsed"] is True
    greedy = analyze_exercise(track, activity="chin_up", rep_count=10)
    assert len(greedy.reps) == 3 and greedy.info["repCountHintDisagrees"] is True
    fewer = analyze_exercise(synthesize("squat", n_reps=5, seed=2).track, activity="squat",
                             rep_count=5)
    assert len(fewer.reps) == 5 and "repCountHintUsed" not in fewer.info


def test_wire_format_matches_seed_001():
    res = analyze_activity(synthesize("push_up", n_reps=2, seed=1).track, activity="push_up")
    wire = to_json(res)
    assert list(wire)[:4] == ["status", "domain", "activity", "reps"]
    assert wire["status"] == "Complete" and wire["domain"] == "calisthenics"
    for rep in wire["reps"]:
        assert set(rep) == {"startTimestampMs", "midTimestampMs", "endTimestampMs", "analyses"}
        assert all(isinstance(rep[k], int) for k in rep if k.endswith("Ms"))
        for a in rep["analyses"]:
            assert set(a) <= {"analysisType", "analysisScalar", "analysisOpinion"}
            assert a.get("analysisOpinion", "good") in ("good", "bad")


def test_recognised_activity_reports_confidence():
    res = analyze_activity(synthesize("bench_press", n_reps=3, seed=1).track)
    assert res.activity == "bench_press" and res.domain == "weightlifting"
    info = to_json(res)["repstride"]
    assert 0.0 < info["activityConfidence"] <= 1.0
    assert info["activitySource"] == "recognised"
    assert info["activityCandidates"][0]["activity"] == "bench_press"


def test_caller_activity_is_trusted_but_a_strong_mismatch_is_flagged():
    track = synthesize("chin_up", n_reps=3, seed=1).track
    res = analyze_exercise(track, activity="push_up")
    assert res.activity == "push_up" and res.info["activitySource"] == "caller"
    assert res.info["activityMismatch"]["recognised"] == "chin_up"
    ok = analyze_exercise(track, activity="chin_up")
    assert "activityMismatch" not in ok.info


def test_unknown_activity_is_rejected():
    with pytest.raises(UnknownActivity) as exc:
        analyze_exercise(synthesize("squat", n_reps=1).track, activity="juggling")
    assert exc.value.code == "unknown_activity"


def test_numbers_from_unseen_landmarks_are_null():
    from repstride.analysis.track import Joint
    track = synthesize("push_up", n_reps=2, view="front", seed=1).track
    score = track.score.copy()
    for j in (Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE):
        score[:, int(j)] = 0.05  # legs hidden behind the body: the ankles are guesses
    res = analyze_exercise(track.replace(score=score), activity="push_up")
    assert len(res.reps) == 2
    for rep in res.reps:
        by_type = {a.type: a for a in rep.analyses}
        assert by_type["BODY_LINE_DEGREES"].scalar is None
        assert by_type["BODY_LINE_DEGREES"].opinion is None
        assert by_type["ELBOW_ANGLE_DEGREES"].scalar is not None


@pytest.mark.parametrize("view", ["front", "side", "diag"])
def test_a_bench_press_with_a_noisy_depth_estimate_is_counted_from_the_image(view):
    # a lying body along the line of sight (a floor press filmed from the feet) leaves the pose
    # model's 3-D estimate noisy; the wrists' height as the camera sees it still shows the press
    clip = synthesize("bench_press", n_reps=5, view=view, dropout=0.03, jitter=0.02, seed=2,
                      world_noise_m=0.15)
    res = analyze_exercise(clip.track, activity="bench_press")
    assert res.info["repSignal"] == "wrist_above_shoulder_image"
    assert len(res.reps) == clip.count
