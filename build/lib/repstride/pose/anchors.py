"""SSD anchors and detection decoding for the BlazePose person detector.

Reimplements what MediaPipe's ``SsdAnchorsCalculator``, ``TensorsToDetectionsCalculator`` and
``NonMaxSuppressionCalculator`` (WEIGHTED) do in ``pose_detection_cpu.pbtxt``, in numpy.
Pure functions: arrays in, arrays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: ``pose_detection_cpu.pbtxt`` SsdAnchorsCalculator options.
DETECTOR_INPUT_SIZE = 224
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHOR_MIN_SCALE = 0.1484375
ANCHOR_MAX_SCALE = 0.75
#: TensorsToDetectionsCalculator: 12 values per box = 4 box coords + 4 keypoints x 2.
NUM_KEYPOINTS = 4
SCORE_CLIP = 100.0
#: NonMaxSuppressionCalculator: IoU above which boxes are merged.
NMS_IOU = 0.3


@dataclass(frozen=True)
class Detections:
    """Person detections, all coordinates normalised to the analysed image.

    boxes : (N, 4) ``x1, y1, x2, y2`` (the detector's box is the *face* box)
    keypoints : (N, 4, 2) hip centre, full-body scale/rotation point, shoulder centre,
        upper-body scale/rotation point
    scores : (N,) in [0, 1]
    """

    boxes: NDArray[np.float64]
    keypoints: NDArray[np.float64]
    scores: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros((0, NUM_KEYPOINTS, 2)), np.zeros(0))


def _scale(min_scale: float, max_scale: float, index: int, n: int) -> float:
    if n == 1:
        return (min_scale + max_scale) / 2
    return min_scale + (max_scale - min_scale) * index / (n - 1)


def generate_anchors(
    *,
    input_size: int = DETECTOR_INPUT_SIZE,
    strides: tuple[int, ...] = ANCHOR_STRIDES,
    min_scale: float = ANCHOR_MIN_SCALE,
    max_scale: float = ANCHOR_MAX_SCALE,
    offset: float = 0.5,
    aspect_ratios: tuple[float, ...] = (1.0,),
    interpolated_scale_aspect_ratio: float = 1.0,
    fixed_anchor_size: bool = True,
) -> NDArray[np.float64]:
    """(N, 4) anchors ``x_center, y_center, w, h`` in normalised units, in model output order.

    Consecutive layers with the same stride share one feature map; each location gets one
    anchor per (aspect ratio, scale) of those layers plus one interpolated-scale anchor per layer.
    With MediaPipe's pose options that is 28²·2 + 14²·2 + 7²·6 = 2254 anchors.
    """
    n_layers = len(strides)
    out: list[NDArray[np.float64]] = []
    layer = 0
    while layer < n_layers:
        widths: list[float] = []
        heights: list[float] = []
        last = layer
        while last < n_layers and strides[last] == strides[layer]:
            scale = _scale(min_scale, max_scale, last, n_layers)
            for ar in aspect_ratios:
                widths.append(scale * math.sqrt(ar))
                heights.append(scale / math.sqrt(ar))
            if interpolated_scale_aspect_ratio > 0:
                nxt = 1.0 if last == n_layers - 1 else _scale(min_scale, max_scale, last + 1,
                                                              n_layers)
                s = math.sqrt(scale * nxt)
                widths.append(s * math.sqrt(interpolated_scale_aspect_ratio))
                heights.append(s / math.sqrt(interpolated_scale_aspect_ratio))
            last += 1
        fm = int(math.ceil(input_size / strides[layer]))
        ys, xs = np.meshgrid(np.arange(fm), np.arange(fm), indexing="ij")
        n_per = len(widths)
        cx = np.repeat(((xs + offset) / fm).ravel(), n_per)
        cy = np.repeat(((ys + offset) / fm).ravel(), n_per)
        if fixed_anchor_size:
            w = np.ones_like(cx)
            h = np.ones_like(cy)
        else:
            w = np.tile(np.asarray(widths), fm * fm)
            h = np.tile(np.asarray(heights), fm * fm)
        out.append(np.stack([cx, cy, w, h], axis=1))
        layer = last
    return np.concatenate(out, axis=0)


def decode_detections(
    raw_boxes: NDArray[np.floating],
    raw_scores: NDArray[np.floating],
    anchors: NDArray[np.float64],
    *,
    min_score: float,
    input_size: int = DETECTOR_INPUT_SIZE,
) -> Detections:
    """Decode the detector's (N, 12) regressors and (N,) logits against ``anchors``.

    Coordinates come out normalised to the (letterboxed) detector input. Only boxes whose
    sigmoid score reaches ``min_score`` are kept.
    """
    raw_boxes = np.asarray(raw_boxes, np.float64).reshape(len(anchors), -1)
    logits = np.clip(np.asarray(raw_scores, np.float64).reshape(-1), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = np.flatnonzero(scores >= min_score)
    if keep.size == 0:
        return Detections.empty()
    r = raw_boxes[keep] / input_size
    a = anchors[keep]
    cx = r[:, 0] * a[:, 2] + a[:, 0]
    cy = r[:, 1] * a[:, 3] + a[:, 1]
    w = r[:, 2] * a[:, 2]
    h = r[:, 3] * a[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kp = r[:, 4:4 + 2 * NUM_KEYPOINTS].reshape(-1, NUM_KEYPOINTS, 2)
    kp = kp * a[:, None, 2:4] + a[:, None, 0:2]
    return Detections(boxes, kp, scores[keep])


def box_iou(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float64]:
    """(N, M) intersection over union of ``x1, y1, x2, y2`` boxes (NaN boxes give 0)."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]),
                 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]),
                 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, inter / union, 0.0)
    return np.nan_to_num(iou, nan=0.0)


def weighted_nms(dets: Detections, *, iou_threshold: float = NMS_IOU) -> Detections:
    """MediaPipe's WEIGHTED non-max suppression.

    Take the best remaining box; every remaining box overlapping it by more than
    ``iou_threshold`` (itself included) is merged into one detection whose box and keypoints are
    the score-weighted mean of the cluster and whose score is the best one's.
    """
    if len(dets) == 0:
        return dets
    order = np.argsort(-dets.scores, kind="stable")
    remaining = order
    boxes, kps, scores = [], [], []
    while remaining.size:
        top = remaining[0]
        iou = box_iou(dets.boxes[top], dets.boxes[remaining])[0]
        cluster = remaining[iou > iou_threshold]
        if cluster.size == 0:  # degenerate (zero-area) box: keep it alone
            cluster = remaining[:1]
        remaining = remaining[~np.isin(remaining, cluster)]
        w = dets.scores[cluster]
        w = w / w.sum()
        boxes.append((dets.boxes[cluster] * w[:, None]).sum(axis=0))
        kps.append((dets.keypoints[cluster] * w[:, None, None]).sum(axis=0))
        scores.append(dets.scores[top])
    return Detections(np.asarray(boxes), np.asarray(kps), np.asarray(scores))
