"""Recognition evidence that does not depend on the camera: which point of the body is fixed,
what the knee does while the hip is most flexed, whether the body crosses the ground, whether the
hands move along the body. Each rule is checked on synthetic motion from several views, with a
movement it must tell apart."""

from contextlib import contextmanager

import pytest

from repstride.analysis.recognition import recognize_activity
from repstride.testing.exercise import _PLANK, MOTIONS, STAND, Motion, _p, _side, synthesize

VIEWS = ("side", "front", "diag")


@contextmanager
def _motion(name: str, motion: Motion):
    MOTIONS[name] = motion
    try:
        yield name
    finally:
        del MOTIONS[name]


def _recognised(motion: Motion, view: str):
    """Recognition of a synthetic clip of ``motion`` (registered for the call only)."""
    with _motion("_probe", motion) as name:
        return recognize_activity(_clip(name, view))


def _clip(activity: str, view: str, seed: int = 11, **kw):
    return synthesize(activity, n_reps=4, view=view, partial_reps=1, dropout=0.03, jitter=0.02,
                      seed=seed, **kw).track


#: standing knee raise (high knees): one thigh at a time up past horizontal, knee bent
_KNEE_RAISE = Motion(rest={**STAND}, keys=((0.5, {**STAND, **_side(
    _p(thigh=105.0, shank=5.0, ua=-20.0, fa=60.0), "r")}),), setup="rest", alternate=True,
    typical_rep_s=1.2)
#: a reverse lunge that finishes with a knee drive (knee bent at the top)
_LUNGE_DRIVE = Motion(rest={**STAND}, keys=(
    (0.4, {**STAND, "trunk": 6.0, **_side(_p(thigh=82.0, shank=-8.0), "r"),
           **_side(_p(thigh=-22.0, shank=-82.0, foot=10.0), "l")}),
    (0.8, {**STAND, **_side(_p(thigh=100.0, shank=0.0), "l")})),
    mid_phase=0.4, alternate=True, typical_rep_s=2.6)
#: the jerk alone: front rack -> dip -> drive to overhead -> back to the rack
_RACK = _p(ua=75.0, fa=172.0, arm_abd=15.0)
_JERK = Motion(rest={**STAND, **_RACK}, keys=(
    (0.25, {**_RACK, "thigh": 35.0, "shank": -35.0}),
    (0.5, _p(ua=178.0, fa=180.0, arm_abd=18.0, fa_abd=15.0)),
    (0.75, _p(ua=178.0, fa=180.0, arm_abd=18.0, fa_abd=15.0))),
    setup="rest", typical_rep_s=3.0)
#: a squat whose hands sweep from the knees to overhead and back every rep (a squat snatch with
#: a pipe, lowered to the knees between reps, never pulled from the floor)
_GRIP = _p(arm_abd=35.0, fa_abd=35.0)
_SQUAT_SWEEP = Motion(rest={**STAND, **_p(ua=10.0, fa=10.0, **_GRIP)}, keys=(
    (0.15, _p(trunk=58.0, thigh=65.0, shank=-25.0, ua=0.0, fa=0.0, **_GRIP)),
    (0.45, _p(trunk=20.0, thigh=95.0, shank=-40.0, ua=170.0, fa=175.0, **_GRIP)),
    (0.65, _p(ua=175.0, fa=178.0, **_GRIP)),
    (0.9, _p(trunk=58.0, thigh=65.0, shank=-25.0, ua=0.0, fa=0.0, **_GRIP))),
    mid_phase=0.45, setup="rest", typical_rep_s=3.5)
#: accelerating: trunk leaning well forward, legs driving in turn, the body crossing the ground
_DRIVE = Motion(rest=_p(trunk=45.0, ua=-30.0, fa=60.0), keys=(
    (0.5, {"trunk": 45.0, **_side(_p(thigh=70.0, shank=-60.0, ua=40.0, fa=90.0), "r"),
           **_side(_p(thigh=-30.0, shank=-70.0, ua=-40.0, fa=60.0), "l")}),),
    setup="rest", alternate=True, travel_per_rep_m=1.6, typical_rep_s=0.6)


@pytest.mark.parametrize("view", VIEWS)
def test_the_knee_is_straight_at_the_peak_of_a_kick_and_bent_in_a_knee_lift(view):
    kick = recognize_activity(_clip("front_kick", view)).stats["knee_at_hip_flex"]
    assert kick >= 130
    for bent in ("knee_to_chest", "lunge", "squat", "bodyweight_squat"):
        assert recognize_activity(_clip(bent, view)).stats["knee_at_hip_flex"] <= 110, bent


@pytest.mark.parametrize("view", VIEWS)
def test_hands_are_the_fixed_point_only_when_hanging(view):
    assert recognize_activity(_clip("chin_up", view)).stats["hands_still"] < 0.8
    # a bar on the back moves with the shoulders (about 1); lifted overhead it moves more
    assert recognize_activity(_clip("squat", view)).stats["hands_still"] > 0.9
    for lift in ("clean_and_jerk", "snatch"):
        assert recognize_activity(_clip(lift, view)).stats["hands_still"] > 1.2, lift


@pytest.mark.parametrize("view", VIEWS)
def test_a_standing_knee_raise_is_knee_to_chest(view):
    rec = _recognised(_KNEE_RAISE, view)
    assert rec.activity == "knee_to_chest", rec.top(3)


@pytest.mark.parametrize("view", VIEWS)
def test_a_lunge_with_a_knee_drive_is_not_a_kick(view):
    rec = _recognised(_LUNGE_DRIVE, view)
    assert rec.activity != "front_kick", rec.top(3)
    assert rec.probabilities["front_kick"] < 0.1


@pytest.mark.parametrize("view", VIEWS)
def test_the_jerk_alone_is_a_clean_and_jerk_not_a_hang(view):
    rec = _recognised(_JERK, view)
    assert rec.activity == "clean_and_jerk", rec.top(3)
    assert rec.probabilities["chin_up"] < 0.1


@pytest.mark.parametrize("view", VIEWS)
def test_a_squat_with_the_hands_sweeping_overhead_is_a_snatch_not_a_squat(view):
    rec = _recognised(_SQUAT_SWEEP, view)
    assert rec.activity == "snatch", rec.top(3)
    assert rec.stats["wrist_sh_iqr"] > 1.1


@pytest.mark.parametrize("view", ["side", "diag"])
def test_a_leaning_acceleration_across_the_ground_is_running(view):
    with _motion("_drive", _DRIVE) as name:
        track = synthesize(name, n_reps=8, view=view, seed=4, setup=False).track
    rec = recognize_activity(track)
    assert rec.stats["travel"] > 2.0 and rec.stats["trunk_med"] > 35  # not upright running
    assert rec.activity == "sprint", rec.top(3)


@pytest.mark.parametrize("view", ["side", "diag"])
def test_a_burpee_does_not_travel(view):
    # the same burpee, carried across the ground, is no longer a burpee
    on_spot = recognize_activity(_clip("burpee", view))
    moving = Motion(**{**MOTIONS["burpee"].__dict__, "travel_per_rep_m": 4.0})
    travelling = _recognised(moving, view)
    assert on_spot.activity == "burpee"
    assert travelling.scores["burpee"] < on_spot.scores["burpee"] - 3


@pytest.mark.parametrize("view", ["front", "diag"])
def test_jogging_on_the_spot_is_running_not_punching(view):
    from repstride.testing.exercise import synthesize_running

    rec = recognize_activity(synthesize_running(view=view, travel=False, seed=5))
    assert rec.stats["leg_alt_strength"] > 0.6  # the knees bend in turn, steadily
    assert rec.activity == "sprint", rec.top(3)
    assert rec.probabilities["punch"] < 0.1


def test_a_downward_dog_from_all_fours_is_counted_from_the_trunk():
    from repstride.analysis import analyze_activity

    # tabletop (hips and knees at 90 deg) -> dog -> tabletop: the hip angle hardly changes,
    # the trunk turns from level to inverted
    table = _p(trunk=80.0, thigh=0.0, shank=-90.0, foot=0.0, ua=0.0, fa=0.0, arm_abd=10.0)
    dog = _p(trunk=140.0, thigh=-35.0, shank=-35.0, foot=40.0, ua=42.0, fa=42.0, arm_abd=12.0)
    with _motion("_dog_from_table", Motion(rest=table, keys=((0.5, dog),), setup="rest",
                                           ground="lowest", typical_rep_s=6.0)) as name:
        clip = synthesize(name, n_reps=2, view="side", seed=3)
    res = analyze_activity(clip.track, activity="downward_dog")
    assert len(res.reps) == clip.count == 2 and res.info["repSignal"] == "trunk"


def test_fast_knee_lifts_are_each_counted():
    from repstride.analysis import analyze_activity

    with _motion("_high_knees", _KNEE_RAISE) as name:
        clip = synthesize(name, n_reps=10, view="front", rep_s=0.55, pause_s=(0.0, 0.05), seed=2)
    res = analyze_activity(clip.track, activity="knee_to_chest")
    assert len(res.reps) == clip.count == 10


#: mountain climber: a plank with one knee driven towards the chest at a time
_CLIMBER = Motion(rest={**_PLANK}, keys=((0.5, {**_PLANK, **_side(
    _p(thigh=20.0, shank=-95.0), "r")}),), setup="rest", ground="lowest", alternate=True,
    typical_rep_s=0.9)
#: two-hand kettlebell swing: a hip hinge, the bell from between the legs to the eye line,
#: the hands together on one handle
_SWING = Motion(rest=_p(ua=110.0, fa=110.0, arm_abd=-12.0, fa_abd=-4.0), keys=((0.5, _p(
    trunk=60.0, thigh=45.0, shank=-15.0, ua=-30.0, fa=-30.0, arm_abd=-12.0, fa_abd=-4.0)),),
    mid_phase=0.5, typical_rep_s=1.3)


@pytest.mark.parametrize("view", VIEWS)
def test_a_downward_dog_keeps_the_legs_straight_a_knee_drive_does_not(view):
    # a knee driven to the chest from a plank folds the hip with the knee bent: no inverted V
    dog = recognize_activity(_clip("downward_dog", view))
    assert dog.stats["knee_at_hip_flex"] >= 135 and dog.activity == "downward_dog"
    climber = _recognised(_CLIMBER, view)
    assert climber.stats["knee_at_hip_flex"] < 135
    assert climber.probabilities["downward_dog"] < 0.2, climber.top(3)


@pytest.mark.parametrize("view", VIEWS)
def test_a_kettlebell_swing_is_not_a_squat_or_a_barbell_lift(view):
    # hands together on one handle (no bar grip), swung from the hips to the head
    rec = _recognised(_SWING, view)
    assert rec.stats["wrist_spread_med"] < 1.0 and rec.stats["wrist_hip_range"] > 1.5
    for lift in ("squat", "bodyweight_squat", "clean_and_jerk", "snatch"):
        assert rec.probabilities[lift] < 0.3, rec.top(3)


@pytest.mark.parametrize("view", ["side", "diag"])
def test_strides_slower_than_a_second_on_the_spot_are_not_running(view):
    from repstride.testing.exercise import synthesize_running

    run = recognize_activity(synthesize_running(view=view, travel=False, seed=5))
    walk = recognize_activity(synthesize_running(view=view, travel=False, stride_hz=0.8,
                                                 duration_s=10.0, seed=5))
    assert run.activity == "sprint" and run.confidence >= 0.5
    assert walk.stats["leg_alt_period"] > 1.1
    assert walk.probabilities["sprint"] < 0.5, walk.top(3)


@pytest.mark.parametrize("view", VIEWS)
def test_a_deadlift_stands_tall_a_plank_does_not(view):
    dl = recognize_activity(_clip("deadlift", view))
    assert dl.activity == "deadlift" and dl.stats["trunk_lo"] < 30
    with _motion("_plank_rows", _CLIMBER) as name:
        plank = recognize_activity(_clip(name, view))
    assert plank.stats["trunk_lo"] > 45
    assert plank.probabilities["deadlift"] < 0.1, plank.top(3)
