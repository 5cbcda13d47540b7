"""signal: gap filling, despiking, zero-phase smoothing, dominant period."""

import numpy as np
import pytest

from repstride.analysis.signal import (
    clean, despike, dominant_period, fill_gaps, robust_range, smooth,
)


def test_fill_gaps_bridges_short_runs_only():
    x = np.array([0, np.nan, 2, np.nan, np.nan, np.nan, np.nan, 7.0])
    y = fill_gaps(x, max_gap=2)
    assert y[1] == pytest.approx(1.0)
    assert np.isnan(y[3:7]).all()
    assert fill_gaps(np.array([np.nan, 1.0, 2.0]))[0] == pytest.approx(1.0)


def test_fill_gaps_2d_and_all_nan():
    x = np.full((4, 2), np.nan)
    x[0] = [0, 10]
    x[3] = [3, 13]
    np.testing.assert_allclose(fill_gaps(x)[1], [1, 11])
    assert np.isnan(fill_gaps(np.full(5, np.nan))).all()


def test_despike_removes_outlier_keeps_signal():
    t = np.arange(200) / 30
    x = np.sin(2 * np.pi * 0.5 * t)
    y = x.copy()
    y[100] += 5.0
    out = despike(y, window=7)
    assert abs(out[100] - x[100]) < 0.2
    np.testing.assert_allclose(out[:90], x[:90], atol=1e-9)


def test_smooth_is_zero_phase_and_keeps_nans():
    t = np.arange(300) / 30
    x = np.sin(2 * np.pi * 0.5 * t)
    x[50] = np.nan
    y = smooth(x, fps=30, cutoff_hz=3)
    assert np.isnan(y[50])
    assert int(np.nanargmax(y[:60])) == int(np.nanargmax(x[:60]))


def test_clean_and_range():
    rng = np.random.default_rng(0)
    x = np.sin(np.linspace(0, 20, 400)) * 50 + rng.normal(0, 3, 400)
    y = clean(x, fps=30)
    assert np.std(np.diff(y)) < np.std(np.diff(x))
    lo, hi = robust_range(y)
    assert -55 < lo < -40 and 40 < hi < 55
    assert np.isnan(robust_range(np.full(3, np.nan))[0])


@pytest.mark.parametrize("period", [0.8, 1.5, 3.0])
def test_dominant_period(period):
    t = np.arange(int(30 * 12)) / 30
    p, strength = dominant_period(np.cos(2 * np.pi * t / period), fps=30)
    assert p == pytest.approx(period, abs=0.05)
    assert strength > 0.8


def test_dominant_period_of_flat_signal():
    assert dominant_period(np.ones(100), fps=30)[1] == 0.0
