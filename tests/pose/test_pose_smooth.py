"""Left/right swap repair and the gap-aware zero-phase smoothing."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fakes import skeleton

from repstride.analysis.track import LEFT_RIGHT_PAIRS, Joint, PoseTrack
from repstride.pose.smooth import (
    fix_left_right_swaps, smooth_series, smooth_track,
)

W, H, FPS = 640, 480, 30.0


def side_view_track(t: int = 90) -> PoseTrack:
    """A walker in side view: legs swing in antiphase, arms opposite to the legs."""
    xy = np.empty((t, 33, 2))
    for k in range(t):
        pts = skeleton(np.array([100 + 3 * k, 250.0]), 50)
        phase = np.sin(2 * np.pi * k / 30)
        for j, sign in [(Joint.LEFT_KNEE, 1), (Joint.LEFT_ANKLE, 1.6), (Joint.LEFT_HEEL, 1.6),
                        (Joint.LEFT_FOOT_INDEX, 1.6), (Joint.RIGHT_KNEE, -1),
                        (Joint.RIGHT_ANKLE, -1.6), (Joint.RIGHT_HEEL, -1.6),
                        (Joint.RIGHT_FOOT_INDEX, -1.6), (Joint.LEFT_WRIST, -1),
                        (Joint.RIGHT_WRIST, 1)]:
            pts[j, 0] = 100 + 3 * k + 30 * sign * phase
        xy[k] = pts / [W, H]
    tr = PoseTrack.empty(t, fps=FPS, width=W, height=H)
    score = np.tile(np.linspace(0.5, 1.0, 33), (t, 1))
    return tr.replace(xy=xy, score=score, world=np.zeros((t, 33, 3)),
                      bbox=np.tile([0.1, 0.1, 0.5, 0.9], (t, 1)))


def swap(arr: np.ndarray, pairs) -> np.ndarray:
    out = arr.copy()
    for a, b in pairs:
        out[..., [int(a), int(b)], :] = arr[..., [int(b), int(a)], :]
    return out


def test_clean_track_is_left_alone() -> None:
    tr = side_view_track()
    fixed, n = fix_left_right_swaps(tr)
    assert n == 0
    np.testing.assert_array_equal(fixed.xy, tr.xy)


@pytest.mark.parametrize("part", ["body", "legs"])
def test_swapped_frames_are_repaired(part: str) -> None:
    tr = side_view_track()
    pairs = LEFT_RIGHT_PAIRS if part == "body" else [
        (a, b) for a, b in LEFT_RIGHT_PAIRS
        if a in (Joint.LEFT_KNEE, Joint.LEFT_ANKLE, Joint.LEFT_HEEL, Joint.LEFT_FOOT_INDEX)]
    bad_xy = tr.xy.copy()
    bad_score = tr.score.copy()
    frames = [7, 8, 9, 40, 66]  # legs far apart there (sin phase away from 0)
    for k in frames:
        bad_xy[k] = swap(tr.xy[k], pairs)
        bad_score[k] = swap(tr.score[k][:, None], pairs)[:, 0]
    fixed, n = fix_left_right_swaps(tr.replace(xy=bad_xy, score=bad_score))
    assert n == len(frames)
    np.testing.assert_allclose(fixed.xy, tr.xy)
    np.testing.assert_allclose(fixed.score, tr.score)
    assert fixed.meta["left_right_swaps_fixed"] == n


def test_swap_repair_skips_missing_frames() -> None:
    tr = side_view_track()
    xy = tr.xy.copy()
    xy[20:25] = np.nan
    xy[25] = swap(tr.xy[25], LEFT_RIGHT_PAIRS)
    fixed, n = fix_left_right_swaps(tr.replace(xy=xy))
    assert n == 1
    np.testing.assert_allclose(fixed.xy[25], tr.xy[25])
    assert np.isnan(fixed.xy[20:25]).all()


def test_smoothing_reduces_seeded_noise_without_lag() -> None:
    rng = np.random.default_rng(42)
    t = np.arange(300) / FPS
    clean = np.sin(2 * np.pi * 1.0 * t)  # 1 Hz movement
    noisy = clean + rng.normal(0, 0.05, t.size)
    out = smooth_series(noisy, fps=FPS, cutoff_hz=4.0)
    err_before = np.sqrt(np.mean((noisy - clean) ** 2))
    err_after = np.sqrt(np.mean((out - clean) ** 2))
    assert err_after < 0.65 * err_before  # white noise: ~sqrt(4/15) of it is left
    # zero phase: the peak does not move
    assert abs(int(np.argmax(out[:20])) - int(np.argmax(clean[:20]))) <= 1


def test_smoothing_respects_gaps() -> None:
    x = np.concatenate([np.zeros(50), [np.nan] * 5, np.ones(50)])
    out = smooth_series(x, fps=FPS, cutoff_hz=4.0)
    assert np.isnan(out[50:55]).all()
    # no smearing across the gap: each side keeps its level
    np.testing.assert_allclose(out[:50], 0.0, atol=1e-9)
    np.testing.assert_allclose(out[55:], 1.0, atol=1e-9)
    # short runs are returned unchanged
    short = np.array([0.0, 5.0, 0.0, np.nan, 1.0])
    np.testing.assert_array_equal(smooth_series(short, fps=FPS), short)


def test_smooth_track_keeps_raw_and_records_filter() -> None:
    rng = np.random.default_rng(7)
    tr = side_view_track()
    noisy = tr.replace(xy=tr.xy + rng.normal(0, 0.002, tr.xy.shape))
    sm = smooth_track(noisy, cutoff_hz=5.0)
    assert sm.meta["smoothing"]["cutoff_hz"] == 5.0
    assert not np.allclose(sm.xy, noisy.xy)
    assert np.abs(sm.xy - tr.xy).mean() < np.abs(noisy.xy - tr.xy).mean()
    np.testing.assert_array_equal(sm.score, noisy.score)
