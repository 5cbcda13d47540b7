import numpy as np
import pytest

from repstride.analysis import PoseTrack
from repstride.analysis.activities import resolve_activity
from repstride.errors import UnknownActivity


def test_empty_track_is_nan_and_aligned():
    t = PoseTrack.empty(5, fps=30, width=640, height=480)
    assert len(t) == 5 and not t.detected.any()
    assert np.allclose(t.timestamps_s, np.arange(5) / 30)


def test_bad_shape_is_a_clear_error():
    t = PoseTrack.empty(3, fps=30, width=64, height=48)
    with pytest.raises(ValueError, match=r"xy must have shape \(3, 33, 2\), got \(3, 17, 2\)"):
        t.replace(xy=np.zeros((3, 17, 2)))


def test_round_trip_arrays():
    t = PoseTrack.empty(4, fps=25, width=10, height=20)
    u = PoseTrack.from_arrays(t.to_arrays())
    assert (u.fps, u.width, u.height, len(u)) == (25, 10, 20, 4)


@pytest.mark.parametrize(
    "domain,activity,expected",
    [(None, "squat", ("weightlifting", "squat")), ("running", "sprint", ("running", "sprint")),
     (None, None, (None, None)), ("yoga", None, ("yoga", None))],
)
def test_resolve_activity(domain, activity, expected):
    assert resolve_activity(domain, activity) == expected


@pytest.mark.parametrize("domain,activity", [("dance", None), (None, "jog"), ("yoga", "squat")])
def test_resolve_activity_rejects(domain, activity):
    with pytest.raises(UnknownActivity) as ei:
        resolve_activity(domain, activity)
    assert ei.value.code == "unknown_activity" and ei.value.details
