"""synthetic: the stick-figure generator produces valid tracks with exact ground truth."""

import numpy as np
import pytest

from repstride.analysis.geometry import side_angle
from repstride.testing.exercise import (
    MOTIONS, STAND, body_points, pose_vector, synthesize,
)
from repstride.analysis.track import Joint, PoseTrack


def test_standing_body_has_adult_proportions():
    pts = body_points(pose_vector(STAND))[0]
    height = pts[:, 1].max() - pts[:, 1].min()
    assert 1.55 < height < 1.85
    assert pts[Joint.NOSE, 1] > pts[Joint.LEFT_SHOULDER, 1] > pts[Joint.LEFT_HIP, 1] \
        > pts[Joint.LEFT_KNEE, 1] > pts[Joint.LEFT_ANKLE, 1]
    # subject's right is +x in the body frame
    assert pts[Joint.RIGHT_SHOULDER, 0] > pts[Joint.LEFT_SHOULDER, 0]


def test_pose_vector_rejects_unknown_fields():
    with pytest.raises(KeyError):
        pose_vector({"tail": 3.0})


@pytest.mark.parametrize("activity", sorted(MOTIONS))
def test_every_activity_synthesises_a_valid_track(activity):
    clip = synthesize(activity, n_reps=3, seed=2)
    t = clip.track
    assert isinstance(t, PoseTrack) and len(t) > 30
    assert clip.count == 3
    ms = t.timestamps_s[-1] * 1000
    for start, mid, end in clip.reps:
        assert 0 <= start < mid < end <= ms + 1
    assert np.isfinite(t.xy).all() and np.isfinite(t.world).all()


def test_squat_truth_matches_the_knee_angle():
    clip = synthesize("squat", n_reps=3, view="side", noise_px=0.0, world_noise_m=0.0, seed=0)
    knee = side_angle(clip.track.world, "left", "knee")
    for start, mid, end in clip.reps:
        i = int(round(mid / 1000 * clip.track.fps))
        s = int(round(start / 1000 * clip.track.fps))
        assert knee[i] < 90 < knee[s]


@pytest.mark.parametrize("view", ["front", "side", "diag", "back", 30.0])
def test_views_keep_world_angles_and_change_image(view):
    a = synthesize("push_up", n_reps=2, view=view, noise_px=0, world_noise_m=0, seed=1)
    b = synthesize("push_up", n_reps=2, view="side", noise_px=0, world_noise_m=0, seed=1)
    np.testing.assert_allclose(side_angle(a.track.world, "left", "elbow"),
                               side_angle(b.track.world, "left", "elbow"), atol=1e-6)
    if view != "side":
        assert not np.allclose(a.track.xy, b.track.xy)


def test_noise_dropouts_jitter_and_determinism():
    a = synthesize("lunge", n_reps=2, dropout=0.1, jitter=0.05, seed=7)
    b = synthesize("lunge", n_reps=2, dropout=0.1, jitter=0.05, seed=7)
    np.testing.assert_array_equal(a.track.xy, b.track.xy)
    missing = ~a.track.detected
    assert 0.02 < missing.mean() < 0.3
    assert (a.track.score[missing] == 0).all()
    assert np.isnan(a.track.bbox[missing]).all()


def test_partial_reps_are_not_in_the_truth():
    clip = synthesize("bench_press", n_reps=3, partial_reps=2, seed=3)
    assert clip.count == 3 and clip.partial_reps == 2


def test_unknown_activity():
    with pytest.raises(KeyError):
        synthesize("juggling")
