"""Anchors, detection decoding, weighted NMS, ROI math and heatmap refinement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from repstride.pose.anchors import (
    Detections, box_iou, decode_detections, generate_anchors, weighted_nms,
)
from repstride.pose.models import refine_from_heatmap
from repstride.pose.roi import Roi, letterbox, normalize_angle, unletterbox


def test_anchor_count_matches_mediapipe_pose_detector() -> None:
    a = generate_anchors()
    assert a.shape == (2254, 4)  # 28²·2 + 14²·2 + 7²·6
    assert np.all(a[:, 2:] == 1.0)  # fixed_anchor_size
    # first anchors: stride 8 grid, two per cell, centred in the cell
    np.testing.assert_allclose(a[0, :2], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[1, :2], a[0, :2])
    np.testing.assert_allclose(a[2, :2], [1.5 / 28, 0.5 / 28])
    # last block: 7x7 grid with 6 anchors per cell (three stride-32 layers merged)
    np.testing.assert_allclose(a[-6:, :2], np.tile([6.5 / 7, 6.5 / 7], (6, 1)))
    assert len(np.unique(a[-294:, :2], axis=0)) == 49


def test_anchor_count_without_fixed_size_differs_only_in_sizes() -> None:
    a = generate_anchors(fixed_anchor_size=False)
    assert a.shape == (2254, 4)
    assert not np.all(a[:, 2:] == 1.0)


def test_decode_places_box_and_keypoints_relative_to_anchor() -> None:
    anchors = np.array([[0.25, 0.5, 1.0, 1.0], [0.75, 0.5, 1.0, 1.0]])
    raw = np.zeros((2, 12))
    raw[0, :4] = [22.4, -22.4, 44.8, 89.6]  # dx=.1, dy=-.1, w=.2, h=.4 (x224)
    raw[0, 4:6] = [0.0, 44.8]               # keypoint 0 at anchor + (0, .2)
    scores = np.array([5.0, -5.0])          # sigmoid: 0.993, 0.007
    d = decode_detections(raw, scores, anchors, min_score=0.5)
    assert len(d) == 1
    np.testing.assert_allclose(d.boxes[0], [0.25, 0.2, 0.45, 0.6], atol=1e-9)
    np.testing.assert_allclose(d.keypoints[0, 0], [0.25, 0.7], atol=1e-9)
    assert d.scores[0] == pytest.approx(1 / (1 + math.exp(-5)))


def test_box_iou() -> None:
    a = np.array([[0, 0, 2, 2]], float)
    b = np.array([[1, 1, 3, 3], [5, 5, 6, 6], [0, 0, 2, 2]], float)
    np.testing.assert_allclose(box_iou(a, b), [[1 / 7, 0.0, 1.0]])


def test_weighted_nms_merges_overlaps_and_keeps_separate_people() -> None:
    boxes = np.array([[0.10, 0.10, 0.30, 0.30], [0.12, 0.10, 0.32, 0.30],
                      [0.60, 0.60, 0.80, 0.80]])
    kps = np.zeros((3, 4, 2))
    kps[:, 0] = [[0.2, 0.2], [0.22, 0.2], [0.7, 0.7]]
    scores = np.array([0.9, 0.6, 0.8])
    out = weighted_nms(Detections(boxes, kps, scores))
    assert len(out) == 2
    np.testing.assert_allclose(out.scores, [0.9, 0.8])
    # merged box is the score-weighted mean of the cluster
    np.testing.assert_allclose(out.boxes[0, 0], (0.10 * 0.9 + 0.12 * 0.6) / 1.5)
    np.testing.assert_allclose(out.keypoints[0, 0, 0], (0.2 * 0.9 + 0.22 * 0.6) / 1.5)
    np.testing.assert_allclose(out.boxes[1], boxes[2])


def test_roi_from_upright_person_has_no_rotation() -> None:
    roi = Roi.from_alignment_points(np.array([100.0, 200.0]), np.array([100.0, 120.0]))
    assert roi.rotation == pytest.approx(0.0)
    assert roi.size == pytest.approx(2 * 80 * 1.25)
    assert (roi.cx, roi.cy) == (100.0, 200.0)


def test_roi_rotation_follows_the_body_axis() -> None:
    # scale point to the right of the hip: the body lies horizontally -> turned by +90°
    roi = Roi.from_alignment_points(np.array([0.0, 0.0]), np.array([50.0, 0.0]))
    assert roi.rotation == pytest.approx(math.pi / 2)
    # in the crop, "up" (v = 0) must map towards the scale point
    top = roi.to_image(np.array([0.5, 0.0]))
    assert top[0] > 0 and abs(top[1]) < 1e-9


@pytest.mark.parametrize("rot", [0.0, 0.4, -2.0, 3.0])
def test_roi_round_trip(rot: float) -> None:
    roi = Roi(320.5, 180.25, 211.0, rot)
    rng = np.random.default_rng(0)
    uv = rng.uniform(0, 1, (20, 2))
    np.testing.assert_allclose(roi.to_crop(roi.to_image(uv)), uv, atol=1e-12)
    # the OpenCV warp matrix maps crop pixel centres to the same points
    m = roi.crop_matrix(256)
    px = uv * 256 - 0.5
    via_matrix = px @ m[:, :2].T + m[:, 2] + 0.5
    np.testing.assert_allclose(via_matrix, roi.to_image(uv), atol=1e-9)


def test_normalize_angle() -> None:
    assert normalize_angle(3 * math.pi / 2) == pytest.approx(-math.pi / 2)
    assert normalize_angle(-math.pi) == pytest.approx(-math.pi)


def test_letterbox_round_trip_for_a_wide_frame() -> None:
    scale, px, py, _ = letterbox(1920, 1080, 224)
    assert px == 0 and py == pytest.approx((224 - 1080 * 224 / 1920) / 2)
    pts = np.array([[0.0, 0.0], [1920.0, 1080.0], [960.0, 540.0]])
    norm = (pts * scale + [px, py]) / 224
    np.testing.assert_allclose(unletterbox(norm, 1920, 1080, 224), pts, atol=1e-9)


def _refine_loop(uv, hm, kernel=7, min_conf=0.5):
    """Straightforward port of RefineLandmarksFromHeatmapCalculator, for comparison."""
    h, w, n = hm.shape
    out = uv.copy()
    for i in range(n):
        c, r = int(uv[i, 0] * w), int(uv[i, 1] * h)
        if not (0 <= c < w and 0 <= r < h):
            continue
        tot = wc = wr = mx = 0.0
        for rr in range(max(0, r - kernel // 2), min(h, r + kernel // 2 + 1)):
            for cc in range(max(0, c - kernel // 2), min(w, c + kernel // 2 + 1)):
                conf = 1 / (1 + math.exp(-hm[rr, cc, i]))
                tot += conf
                mx = max(mx, conf)
                wc += cc * conf
                wr += rr * conf
        if mx >= min_conf and tot > 0:
            out[i] = [wc / w / tot, wr / h / tot]
    return out


def test_heatmap_refinement_matches_reference_loop() -> None:
    rng = np.random.default_rng(1)
    hm = rng.normal(-2, 2, (64, 64, 39))
    hm[10, 12, 0] = 8.0  # a clear peak near landmark 0
    uv = rng.uniform(-0.05, 1.05, (39, 2))
    uv[0] = [12.5 / 64, 11.2 / 64]
    uv[1] = [0.0, 0.999]  # window clipped at the border
    got = refine_from_heatmap(uv, hm)
    np.testing.assert_allclose(got, _refine_loop(uv, hm), atol=1e-12)
    assert not np.allclose(got[0], uv[0])


@pytest.mark.parametrize("rot", [0.0, 2.5, -3.0])
def test_flipped_roi_turns_the_crop_half_a_turn(rot: float) -> None:
    roi = Roi(100.0, 50.0, 80.0, rot)
    flip = roi.flipped()
    assert -math.pi <= flip.rotation < math.pi
    assert (flip.cx, flip.cy, flip.size) == (roi.cx, roi.cy, roi.size)
    # the top of one crop is the bottom of the other
    np.testing.assert_allclose(flip.to_image(np.array([0.5, 0.0])),
                               roi.to_image(np.array([0.5, 1.0])), atol=1e-9)
