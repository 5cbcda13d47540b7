"""segment: full reps only; partial, ghost and edge half reps are not counted."""

import numpy as np
import pytest

from repstride.analysis.exercise.segment import (
    RepWindow, SegmentParams, candidate_params, merge_sides, segment_reps,
)

FPS = 30.0
PARAMS = SegmentParams(min_rom=40.0, min_rep_s=0.6)


def _signal(depths, *, rep_s=2.0, pause_s=0.5, rest=170.0, rom=90.0, lead_s=1.0, tail_s=1.0,
            seed=0, noise=1.0):
    """Knee-angle-like signal: rest -> rest - depth * rom -> rest for each depth."""
    parts = [np.full(int(lead_s * FPS), rest)]
    for d in depths:
        n = int(rep_s * FPS)
        parts.append(rest - d * rom * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)))
        parts.append(np.full(int(pause_s * FPS), rest))
    parts.append(np.full(int(tail_s * FPS), rest))
    x = np.concatenate(parts)
    return x + np.random.default_rng(seed).normal(0, noise, x.size)


@pytest.mark.parametrize(("depths", "want"), [
    ([1, 1, 1, 1, 1], 5),
    ([1, 0.85, 1.05, 0.9], 4),
    ([1, 0.3, 1, 0.3, 1], 3),          # partial reps ignored
    ([1], 1),
    ([], 0),
    ([0.2, 0.25], 0),                   # below the absolute minimum range of motion
])
def test_counts_full_reps(depths, want):
    reps = segment_reps(_signal(depths), fps=FPS, direction="down", params=PARAMS)
    assert len(reps) == want


def test_rep_timing_brackets_the_extreme():
    x = _signal([1, 1, 1], rep_s=2.0, pause_s=1.0, lead_s=1.0, noise=0.0)
    reps = segment_reps(x, fps=FPS, direction="down", params=PARAMS)
    mids = [r.mid for r in reps]
    # mid of rep k: lead 30 + k * (60 + 30) + 30 frames
    np.testing.assert_allclose(mids, [60, 150, 240], atol=6)
    for r in reps:
        assert r.start < r.mid < r.end
        assert (r.end - r.start) / FPS == pytest.approx(2.0 * 0.75, abs=0.35)


def test_ghost_bounce_at_the_bottom_is_one_rep():
    x = _signal([1, 1], noise=0.0)
    i = int(1.0 * FPS) + 30  # bottom of the first rep
    x[i - 6:i + 7] += 12 * np.hanning(13)  # small bounce: two local minima
    assert len(segment_reps(x, fps=FPS, direction="down", params=PARAMS)) == 2


def test_half_reps_at_the_edges_are_not_counted():
    full = _signal([1, 1, 1], lead_s=0.0, tail_s=0.0, noise=0.0)
    # cut the clip in the middle of the first and of the last rep
    cut = full[30:-45]
    reps = segment_reps(cut, fps=FPS, direction="down", params=PARAMS)
    assert len(reps) == 1


def test_up_direction_and_nans():
    x = 200.0 - _signal([1, 1, 1])
    x[50:53] = np.nan
    assert len(segment_reps(x, fps=FPS, direction="up", params=PARAMS)) == 3
    assert segment_reps(np.full(100, np.nan), fps=FPS, direction="up", params=PARAMS) == []


def test_too_fast_oscillation_is_not_a_rep():
    t = np.arange(300) / FPS
    x = 120 + 45 * np.cos(2 * np.pi * 4.0 * t)  # 4 Hz: 0.25 s cycles, faster than min_rep_s
    assert segment_reps(x, fps=FPS, direction="down", params=PARAMS) == []


def test_allowed_mask_drops_setup_extremes():
    x = _signal([1, 1, 1], noise=0.0)
    allowed = np.ones(x.size, bool)
    allowed[:100] = False  # the first rep's extreme falls in a posture that does not fit
    reps = segment_reps(x, fps=FPS, direction="down", params=PARAMS, allowed=allowed)
    assert len(reps) == 2


def test_edge_half_only_when_asked():
    x = _signal([1, 1], tail_s=0.0, noise=0.0)
    n = int(2.0 * FPS)
    x = np.concatenate([x, 170 - 90 * (0.5 - 0.5 * np.cos(np.pi * np.arange(n // 2) / (n // 2)))])
    assert len(segment_reps(x, fps=FPS, direction="down", params=PARAMS)) == 2
    halves = segment_reps(x, fps=FPS, direction="down",
                          params=SegmentParams(min_rom=40.0, edge_half=0.7))
    assert len(halves) == 3 and halves[-1].half


def test_merge_sides_dedups_overlaps():
    a = [RepWindow(0, 10, 20, 50.0), RepWindow(40, 50, 60, 50.0)]
    b = [RepWindow(2, 11, 19, 60.0), RepWindow(70, 80, 90, 50.0)]
    merged = merge_sides(a, b)
    assert [r.mid for r in merged] == [11, 50, 80]


def test_candidate_params_start_with_the_defaults():
    cands = candidate_params(PARAMS)
    assert cands[0] == PARAMS
    assert len({(c.rel_rom, c.min_rom, c.edge_half) for c in cands}) == len(cands)


def test_rep_cut_at_the_start_counts_but_cut_at_the_end_does_not():
    full = _signal([1, 1, 1], lead_s=0.0, tail_s=0.0, pause_s=0.5, noise=0.0)
    n = int(2.0 * FPS)
    # clip starts a quarter into the first rep's descent: extreme and full return visible
    assert len(segment_reps(full[n // 4:], fps=FPS, direction="down", params=PARAMS)) == 3
    # clip ends three quarters into the last rep: the return is incomplete
    end_cut = full[: -(int(0.5 * FPS) + n // 6)]
    assert len(segment_reps(end_cut, fps=FPS, direction="down", params=PARAMS)) == 2


def test_rep_back_at_rest_and_holding_still_at_the_end_counts():
    x = _signal([1, 1, 1], lead_s=1.0, tail_s=0.0, pause_s=0.5, noise=0.0)
    n = int(2.0 * FPS)
    # last rep returns 75 % of the way, then holds still for 0.3 s as the clip ends
    x = x[: -(int(0.5 * FPS) + n // 6)]
    x = np.concatenate([x, np.full(int(0.3 * FPS), x[-1])])
    assert len(segment_reps(x, fps=FPS, direction="down", params=PARAMS)) == 3
