"""Activity recognition on synthetic motion: every activity, several views."""

from dataclasses import replace

import numpy as np
import pytest

from repstride.analysis import analyze_activity
from repstride.analysis.activities import ALL_ACTIVITIES, DOMAINS
from repstride.analysis.recognition import LOW_CONFIDENCE, recognize_activity
from repstride.testing.exercise import MOTIONS, synthesize, synthesize_running
from repstride.analysis.track import Joint, PoseTrack


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
    from repstride.testing.exercise import MOTIONS, STAND, Motion
    MOTIONS["_jumping_jack"] = Motion(
        rest={**STAND}, keys=((0.5, {**STAND, "arm_abd": 170.0, "fa_abd": 170.0,
                                     "leg_abd": 18.0}),), setup="rest", typical_rep_s=1.0)
    try:
        track = synthesize("_jumping_jack", n_reps=6, view=view, seed=2).track
    finally:
        del MOTIONS["_jumping_jack"]
    assert recognize_activity(track).confidence < LOW_CONFIDENCE
    # ... and the result says so, naming the most likely domain
    rc = analyze_activity(track).info["recognitionConfidence"]
    assert rc["level"] == "low" and rc["confidence"] < LOW_CONFIDENCE
    assert rc["likelyDomain"] in DOMAINS and 0.0 < rc["domainConfidence"] <= 1.0


def test_a_clear_exercise_is_recognised_with_high_confidence():
    res = analyze_activity(synthesize("push_up", n_reps=4, view="side", seed=5).track)
    rc = res.info["recognitionConfidence"]
    assert res.activity == "push_up"
    assert rc == {"level": "high", "confidence": res.info["activityConfidence"],
                  "likelyDomain": "calisthenics", "domainConfidence": rc["domainConfidence"]}
    assert rc["domainConfidence"] >= rc["confidence"]


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


# --- visibility-aware evidence: only part of the body in frame ---------------------------------

_LOWER_BODY = [int(j) for j in Joint if j.name.split("_", 1)[-1] in
               ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
_LEGS_ONLY = [int(j) for j in Joint if j.name.split("_", 1)[-1] in
              ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]


def _out_of_frame(track: PoseTrack, joints: list[int], *, mode: str, seed: int) -> PoseTrack:
    """``joints`` out of frame: either not found at all (``missing``) or, as pose models do,
    hallucinated at low confidence (``hallucinated``: scores 0.02-0.35, the landmarks wander
    by a large slow random motion, so their angles swing without meaning)."""
    rng = np.random.default_rng(seed)
    xy, score, world = track.xy.copy(), track.score.copy(), track.world.copy()
    t, j = len(track), len(joints)
    if mode == "missing":
        xy[:, joints] = np.nan
        world[:, joints] = np.nan
        score[:, joints] = 0.0
    else:
        phase = rng.uniform(0, 2 * np.pi, (1, j, 1))
        freq = rng.uniform(0.2, 0.8, (1, j, 1))
        wander = np.sin(2 * np.pi * freq * track.timestamps_s[:, None, None] + phase)
        xy[:, joints] += 0.12 * wander + rng.normal(0, 0.01, (t, j, 2))
        world[:, joints] += 0.3 * wander[..., :1] * rng.normal(1, 0.3, (1, j, 3))
        score[:, joints] = rng.uniform(0.02, 0.35, (t, j))
    return replace(track, xy=xy, score=score, world=world)


@pytest.mark.parametrize("mode", ["missing", "hallucinated"])
@pytest.mark.parametrize("view", ["back", "side", "front"])
def test_a_pull_up_with_the_lower_body_out_of_frame_is_a_chin_up(view, mode):
    # close-up pull-up: only head, shoulders and arms are seen; the activities defined by the
    # legs (burpee needs the whole body) must not win on statistics of unseen joints
    clip = synthesize("chin_up", n_reps=5, view=view, dropout=0.03, jitter=0.02, seed=21)
    track = _out_of_frame(clip.track, _LOWER_BODY, mode=mode, seed=4)
    rec = recognize_activity(track)
    assert rec.activity == "chin_up", rec.top(3)
    assert rec.probabilities["burpee"] < 0.02 and rec.stats["usable_burpee"] < 0.05
    res = analyze_activity(track)
    assert res.status == "Complete" and res.activity == "chin_up"
    assert len(res.reps) == clip.count


@pytest.mark.parametrize("mode", ["missing", "hallucinated"])
def test_a_push_up_with_the_legs_out_of_frame_is_still_a_push_up(mode):
    # the knees only refine a push-up (straight legs); not seeing them is no evidence against it
    clip = synthesize("push_up", n_reps=4, view="side", dropout=0.03, seed=8)
    rec = recognize_activity(_out_of_frame(clip.track, _LEGS_ONLY, mode=mode, seed=5))
    assert rec.activity == "push_up", rec.top(3)
    assert np.isnan(rec.stats["knee_range"])


def test_statistics_of_unseen_joints_are_unknown_and_seen_ones_are_kept():
    clip = synthesize("chin_up", n_reps=3, view="side", seed=2)
    full = recognize_activity(clip.track).stats
    cut = recognize_activity(_out_of_frame(clip.track, _LOWER_BODY, mode="hallucinated",
                                           seed=1)).stats
    assert full["seen_knee"] > 0.9 and cut["seen_knee"] == 0.0
    for key in ("knee_range", "hip_range", "hip_ankle_med", "wrist_ankle_lo"):
        assert np.isfinite(full[key]) and np.isnan(cut[key]), key
    assert cut["elbow_range"] == pytest.approx(full["elbow_range"])
    assert cut["nose_wrist_range"] > 0.5


# --- an exercise is one spec -------------------------------------------------------------------

def test_the_catalogue_assembled_from_the_specs_is_the_seeds_table():
    assert DOMAINS == {
        "weightlifting": ("bench_press", "clean_and_jerk", "deadlift", "snatch", "squat"),
        "calisthenics": ("bodyweight_squat", "burpee", "chin_up", "lunge", "push_up", "sit_up"),
        "martial_arts": ("punch", "front_kick"),
        "mobility": ("knee_to_chest",),
        "running": ("sprint",),
        "yoga": ("downward_dog",),
    }


def test_every_spec_brings_its_own_recognition_rule():
    from repstride.analysis.exercise import SPECS
    from repstride.analysis.recognition import CANDIDATES

    assert all(spec.recognize is not None for spec in SPECS.values())
    assert set(CANDIDATES) == set(SPECS) | {"sprint"}
    assert all(CANDIDATES[n].domain == s.domain and CANDIDATES[n].required == s.required
               for n, s in SPECS.items())
