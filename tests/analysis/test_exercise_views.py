"""View-aware form verdicts: each analysis declares its plane; the view decides what is judged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from repstride.analysis import analyze_activity
from repstride.analysis.exercise import SPECS
from repstride.analysis.exercise.analyses import NOT_OBSERVABLE
from repstride.analysis.exercise.view import OBSERVABLE, estimate_view
from repstride.testing.exercise import MOTIONS, synthesize
from repstride.wire import to_json

VALGUS_ACTIVITIES = ("squat", "bodyweight_squat", "lunge", "deadlift")


def test_every_analysis_declares_a_plane():
    planes = {a.plane for s in SPECS.values() for a in s.analyses}
    assert planes <= {"sagittal", "frontal", "3d"}
    assert "sagittal" in planes and "frontal" in planes


@pytest.mark.parametrize("view,expected", [("front", "front"), ("back", "back"),
                                           ("side", "side"), ("diag", "oblique")])
@pytest.mark.parametrize("activity", ["squat", "push_up", "chin_up", "sit_up"])
def test_the_view_is_estimated(activity, view, expected):
    est = estimate_view(synthesize(activity, n_reps=2, view=view, seed=2).track)
    assert est.view == expected and est.confidence > 0.8


@pytest.mark.parametrize("view", ["front", "back", "side", "diag"])
@pytest.mark.parametrize("activity", ["squat", "lunge", "push_up", "sit_up", "deadlift"])
def test_no_opinion_on_an_analysis_the_view_cannot_observe(activity, view):
    clip = synthesize(activity, n_reps=3, view=view, seed=7)
    res = analyze_activity(clip.track, activity=activity)
    seen = OBSERVABLE[res.info["view"].view]
    planes = {a.type: a.plane for a in SPECS[activity].analyses}
    assert res.reps
    for rep in res.reps:
        for a in rep.analyses:
            if planes[a.type] in seen:
                assert a.reason != NOT_OBSERVABLE
            else:
                assert a.scalar is None and a.opinion is None and a.reason == NOT_OBSERVABLE
                assert to_json(a)["reason"] == NOT_OBSERVABLE
    if view in ("front", "back"):
        assert all(a.reason == NOT_OBSERVABLE for r in res.reps for a in r.analyses
                   if planes[a.type] == "sagittal")
    if view == "side":
        assert all(a.reason == NOT_OBSERVABLE for r in res.reps for a in r.analyses
                   if planes[a.type] == "frontal")


def _valgus_clip(activity: str, degrees: float, view: str, seed: int):
    m = MOTIONS[activity]
    if activity == "deadlift":  # the knees cave at the bottom, where the pull starts
        motion = replace(m, rest={**m.rest, "valgus": degrees})
    else:
        (ph, key), *more = m.keys
        motion = replace(m, keys=((ph, {**key, "valgus": degrees}), *more))
    MOTIONS["_valgus"] = motion
    try:
        return synthesize("_valgus", n_reps=4, view=view, seed=seed)
    finally:
        del MOTIONS["_valgus"]


def _valgus(res):
    return [next(a for a in r.analyses if a.type == "KNEE_VALGUS_DEGREES") for r in res.reps]


@pytest.mark.parametrize("view", ["front", "back", "diag"])
@pytest.mark.parametrize("activity", VALGUS_ACTIVITIES)
def test_knee_cave_is_flagged_and_tracking_knees_are_good(activity, view):
    caved = analyze_activity(_valgus_clip(activity, 15.0, view, 3).track, activity=activity)
    straight = analyze_activity(_valgus_clip(activity, 0.0, view, 3).track, activity=activity)
    assert len(caved.reps) == len(straight.reps) == 4
    assert all(a.opinion == "bad" and a.scalar > 10.0 for a in _valgus(caved))
    assert all(a.opinion == "good" and a.scalar < 10.0 for a in _valgus(straight))


def test_knee_cave_is_not_judged_from_the_side():
    res = analyze_activity(_valgus_clip("bodyweight_squat", 15.0, "side", 3).track,
                           activity="bodyweight_squat")
    assert all(a.scalar is None and a.reason == NOT_OBSERVABLE for a in _valgus(res))


# --- real clips (slow: runs the pose model) ----------------------------------------------------

SAGITTAL = {a.type for s in SPECS.values() for a in s.analyses if a.plane == "sagittal"}
FRONTAL = {a.type for s in SPECS.values() for a in s.analyses if a.plane == "frontal"}


@pytest.mark.slow
@pytest.mark.parametrize("clip,view,activity,withheld", [
    ("Jintao-Xu__Pose_Estimation/sample/Squat.mp4", "front", "bodyweight_squat", SAGITTAL),
    ("calimiro-ai__WorkoutTracker/data/raw/squats/squat_17.mp4", "side", "bodyweight_squat",
     FRONTAL),
    ("calimiro-ai__WorkoutTracker/data/raw/push-ups/push-up_37.mp4", "front", "push_up",
     SAGITTAL),
])
def test_real_clips_get_no_opinion_their_view_cannot_observe(dev_data, clip, view, activity,
                                                             withheld):
    from repstride.pipeline import analyze_video

    track = analyze_video(dev_data / clip).pose.track
    res = analyze_activity(track, activity=activity)
    assert res.info["view"].view == view
    judged = [a for r in res.reps for a in r.analyses]
    assert judged
    assert all(a.opinion is None and a.reason == NOT_OBSERVABLE for a in judged
               if a.type in withheld)
    assert any(a.opinion is not None for a in judged)
