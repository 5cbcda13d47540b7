"""Per-frame body signals: conventions (degrees, signs, heights in torso lengths)."""

import numpy as np
import pytest

from repstride.analysis.exercise.features import compute_features
from repstride.testing.exercise import MOTIONS, STAND, synthesize


def _at_rest(activity: str, view: str = "side"):
    clip = synthesize(activity, n_reps=1, view=view, setup=False, lead_s=1.0, noise_px=0.0,
                      world_noise_m=0.0, seed=0)
    f = compute_features(clip.track)
    return f, int(0.5 * clip.track.fps)


@pytest.mark.parametrize("view", ["side", "front", "diag"])
def test_standing_conventions(view):
    f, i = _at_rest("bodyweight_squat", view)
    assert f["knee"][i] == pytest.approx(180, abs=6)
    assert f["trunk"][i] == pytest.approx(0, abs=6)
    assert f["hip_above_ankle"][i] > 1.2
    assert f["wrist_above_shoulder"][i] < -0.8  # arms hanging


def test_lying_and_plank_are_horizontal_and_hands_down_or_up():
    bench, i = _at_rest("bench_press")
    push, j = _at_rest("push_up")
    assert 75 < bench["trunk"][i] < 105 and 60 < push["trunk"][j] < 100
    assert bench["wrist_above_shoulder"][i] > 0.8     # lockout over the chest
    assert push["wrist_above_shoulder"][j] < -0.8     # hands on the floor


def test_squat_depth_sign_and_forearm_angle():
    clip = synthesize("squat", n_reps=1, setup=False, noise_px=0.0, world_noise_m=0.0, seed=0)
    f = compute_features(clip.track)
    mid = int(round(clip.reps[0][1] / 1000 * clip.track.fps))
    assert f["thigh_pitch"][0] > 60           # standing: hip far above the knee (+)
    assert -10 < f["thigh_pitch"][mid] < 10   # bottom: thigh about parallel
    assert f["knee"][mid] < 70
    assert 0 <= np.nanmin(f["forearm_vertical"]) and np.nanmax(f["forearm_vertical"]) <= 90


def test_missing_world_falls_back_to_image():
    clip = synthesize("push_up", n_reps=1, seed=0)
    t = clip.track
    f = compute_features(t.replace(world=np.full_like(t.world, np.nan)))
    assert np.isfinite(f["elbow"]).mean() > 0.9


def test_every_motion_exists_for_features():
    assert "squat" in MOTIONS and STAND["trunk"] == 0.0
