"""Activity recognition on synthetic motion: every activity, several views."""

import numpy as np
import pytest

from repstride.analysis import analyze_activity
from repstride.analysis.activities import ALL_ACTIVITIES, DOMAINS
from repstride.analysis.recognition import recognize_activity
from repstride.analysis.synthetic import MOTIONS, synthesize, synthesize_running
from repstride.analysis.track import PoseTrack


@pytest.mark.parametrize("view", ["side", "front", "diag"])
@pytest.mark.parametrize("activity", sorted(MOTIONS))
def test_recognises_each_exercise(activity, view):
    clip = synthesize(activity, n_reps=4, view=view, partial_reps=1, dropout=0.03, jitter=0.02,
                      seed=11)
    rec = recognize_activity(clip.track)
    assert rec.activity == activity, rec.top(3)
    assert rec.confidence == pytest.approx(max(rec.probabilities.values()))


@pytest.mark.parametrize("view", ["side", "diag"])
def test_recognises_running_as_sprint(view):
    rec = recognize_activity(synthesize_running(view=view, seed=3))
    assert rec.activity == "sprint", rec.top(3)


def test_probabilities_cover_the_catalogue_and_sum_to_one():
    rec = recognize_activity(synthesize("squat", n_reps=2, seed=1).track)
    assert set(rec.probabilities) == set(ALL_ACTIVITIES)
    assert 0.5 < sum(rec.probabilities.values()) <= 1.0  # the rest: "none of these"
    top = rec.top(3)
    assert [t["activity"] for t in top][0] == "squat" and len(top) == 3


@pytest.mark.parametrize("view", ["front", "side", "diag"])
def test_a_movement_outside_the_catalogue_is_not_confident(view):
    # jumping jacks: arms and legs swing out sideways; no activity of the catalogue fits well
    from repstride.analysis.synthetic import MOTIONS, STAND, Motion
    MOTIONS["_jumping_jack"] = Motion(
        rest={**STAND}, keys=((0.5, {**STAND, "arm_abd": 170.0, "fa_abd": 170.0,
                                     "leg_abd": 18.0}),), setup="rest", typical_rep_s=1.0)
    try:
        track = synthesize("_jumping_jack", n_reps=6, view=view, seed=2).track
    finally:
        del MOTIONS["_jumping_jack"]
    assert recognize_activity(track).confidence < 0.5


def test_nothing_detected_is_not_confident():
    rec = recognize_activity(PoseTrack.empty(90, fps=30, width=640, height=480))
    assert rec.confidence < 0.5
    assert np.isfinite(rec.confidence)


@pytest.mark.parametrize("activity,domain", [("squat", "calisthenics"), ("push_up", "weightlifting")])
def test_a_domain_without_activity_restricts_recognition(activity, domain):
    track = synthesize(activity, n_reps=4, view="side", seed=5).track
    res = analyze_activity(track, domain=domain)
    assert res.domain == domain and res.activity in DOMAINS[domain]
    assert res.info["activitySource"] == "recognised_in_domain"
    probs = [c["probability"] for c in res.info["activityCandidates"]]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0 + 1e-6


def test_a_one_activity_domain_needs_no_recognition():
    res = analyze_activity(synthesize_running(view="side", seed=3), domain="running")
    assert res.activity == "sprint" and "activitySource" not in res.info
