"""geometry: joint angles and inclinations, NaN-propagating, scale-free."""

import numpy as np
import pytest

from repstride.analysis.geometry import (
    angle_between, inclination, joint_angle, midpoint, side_angle, side_joint,
)
from repstride.analysis.track import NUM_JOINTS, Joint


@pytest.mark.parametrize(("a", "b", "c", "want"), [
    ((0, 1), (0, 0), (1, 0), 90.0),
    ((1, 0), (0, 0), (-1, 0), 180.0),
    ((1, 0), (0, 0), (1, 1), 45.0),
    ((0, 0, 1), (0, 0, 0), (0, 1, 0), 90.0),
])
def test_joint_angle(a, b, c, want):
    assert joint_angle(np.array(a, float), np.array(b, float), np.array(c, float)) == pytest.approx(want)


def test_angles_are_scale_free_and_broadcast():
    a = np.array([[0, 1.0], [0, 100.0]])
    c = np.array([[1.0, 0], [250.0, 0]])
    np.testing.assert_allclose(joint_angle(a, np.zeros((2, 2)), c), [90.0, 90.0])


def test_nan_in_nan_out_and_zero_length():
    assert np.isnan(joint_angle(np.array([np.nan, 0]), np.zeros(2), np.array([1.0, 0])))
    assert np.isnan(angle_between(np.zeros(2), np.array([1.0, 0])))


def test_inclination_uses_image_up():
    # image y grows downwards: a point above has smaller y
    assert inclination(np.array([0, 1.0]), np.array([0, 0.0])) == pytest.approx(0.0)
    assert inclination(np.array([0, 0.0]), np.array([1.0, 0])) == pytest.approx(90.0)
    assert inclination(np.zeros(3), np.array([0, 1.0, 0])) == pytest.approx(180.0)


def test_side_angle_and_midpoint():
    pts = np.zeros((1, NUM_JOINTS, 2))
    pts[0, side_joint("left", "HIP")] = (0, 0)
    pts[0, side_joint("left", "KNEE")] = (0, 1)
    pts[0, side_joint("left", "ANKLE")] = (1, 1)
    assert side_joint("right", "WRIST") is Joint.RIGHT_WRIST
    assert side_angle(pts, "left", "knee")[0] == pytest.approx(90.0)
    np.testing.assert_allclose(midpoint(np.array([0, 0.0]), np.array([2, 4.0])), [1, 2])
