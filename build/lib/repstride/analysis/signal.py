"""1-D signal helpers for pose time series: gap filling, outlier removal, zero-phase smoothing.

Every function takes a time series along axis 0 and returns a new array of the same shape. NaN
marks a missing sample; helpers fill only gaps they are told they may bridge.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d, median_filter

FloatArray = NDArray[np.float64]

#: Longest gap (seconds) bridged by linear interpolation by default.
DEFAULT_MAX_GAP_S = 0.5


def fill_gaps(x: FloatArray, *, max_gap: int | None = None, extrapolate: bool = True) -> FloatArray:
    """Linearly interpolate NaN runs along axis 0.

    Runs longer than ``max_gap`` samples stay NaN. Leading/trailing NaNs are held at the nearest
    valid value when ``extrapolate`` (and within ``max_gap``). Works on ``(T,)`` or ``(T, ...)``.
    """
    x = np.array(x, dtype=float, copy=True)
    if x.ndim > 1:
        flat = x.reshape(x.shape[0], -1)
        for k in range(flat.shape[1]):
            flat[:, k] = fill_gaps(flat[:, k], max_gap=max_gap, extrapolate=extrapolate)
        return flat.reshape(x.shape)
    n = x.shape[0]
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x
    idx = np.arange(n)
    filled = np.interp(idx, idx[ok], x[ok])
    if not extrapolate:
        filled[: idx[ok][0]] = np.nan
        filled[idx[ok][-1] + 1:] = np.nan
    if max_gap is not None:
        run_len = _nan_run_lengths(~ok)
        filled[run_len > max_gap] = np.nan
    return filled


def _nan_run_lengths(missing: NDArray[np.bool_]) -> NDArray[np.int64]:
    """For each sample, the length of the missing run it belongs to (0 where present)."""
    out = np.zeros(missing.shape[0], dtype=np.int64)
    i = 0
    n = missing.shape[0]
    while i < n:
        if missing[i]:
            j = i
            while j < n and missing[j]:
                j += 1
            out[i:j] = j - i
            i = j
        else:
            i += 1
    return out


def despike(x: FloatArray, *, window: int = 5, n_sigmas: float = 4.0) -> FloatArray:
    """Hampel filter: replace samples far from the running median by the median.

    ``window`` is the full (odd) window length in samples. NaNs are ignored (kept NaN).
    """
    x = np.asarray(x, float)
    if x.shape[0] < 3:
        return x.copy()
    window = max(3, window | 1)
    filled = fill_gaps(x)
    if not np.isfinite(filled).any():
        return x.copy()
    med = median_filter(filled, size=window, mode="nearest")
    dev = np.abs(filled - med)
    mad = median_filter(dev, size=window * 3, mode="nearest")
    # floor: a smooth curve has almost no local spread, yet its curvature is not a spike
    lo, hi = np.percentile(filled[np.isfinite(filled)], [5, 95])
    scale = np.maximum(1.4826 * mad, 0.02 * (hi - lo)) + 1e-9
    out = np.where(dev > n_sigmas * scale, med, x)
    return np.where(np.isfinite(x), out, np.nan)


def smooth(x: FloatArray, *, fps: float, cutoff_hz: float) -> FloatArray:
    """Zero-phase Gaussian low-pass along axis 0 with a -3 dB point near ``cutoff_hz``.

    NaNs are bridged for filtering and restored afterwards, so missing samples stay missing.
    """
    x = np.asarray(x, float)
    if x.shape[0] < 2 or cutoff_hz <= 0:
        return x.copy()
    # Gaussian: -3 dB at f = 0.1325 / sigma_t  ->  sigma in samples.
    sigma = 0.1325 * fps / cutoff_hz
    missing = ~np.isfinite(x)
    filled = fill_gaps(x)
    if not np.isfinite(filled).any():
        return x.copy()
    out = gaussian_filter1d(np.nan_to_num(filled), sigma=sigma, axis=0, mode="nearest")
    out[missing] = np.nan
    return out


def clean(x: FloatArray, *, fps: float, cutoff_hz: float = 3.0, max_gap_s: float = DEFAULT_MAX_GAP_S
          ) -> FloatArray:
    """The standard recipe: despike, bridge gaps up to ``max_gap_s``, low-pass at ``cutoff_hz``."""
    window = max(3, int(round(fps * 0.15)) | 1)
    y = despike(x, window=window)
    y = fill_gaps(y, max_gap=max(1, int(round(max_gap_s * fps))))
    return smooth(y, fps=fps, cutoff_hz=cutoff_hz)


def robust_range(x: FloatArray, *, lo: float = 5.0, hi: float = 95.0) -> tuple[float, float]:
    """``(p_lo, p_hi)`` percentiles of the finite samples; ``(nan, nan)`` when there are none."""
    v = np.asarray(x, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(np.percentile(v, lo)), float(np.percentile(v, hi))


def dominant_period(x: FloatArray, *, fps: float, min_s: float = 0.4, max_s: float = 10.0
                    ) -> tuple[float, float]:
    """``(period_s, strength)`` from the normalised autocorrelation's highest peak.

    ``strength`` is the autocorrelation at that lag (0..1; > 0.5 is a clearly periodic signal).
    Returns ``(nan, 0.0)`` when the series is too short or flat.
    """
    v = fill_gaps(np.asarray(x, float))
    v = v[np.isfinite(v)]
    n = v.size
    lo, hi = int(round(min_s * fps)), int(round(min(max_s * fps, n * 0.6)))
    if n < 8 or hi <= lo + 1:
        return float("nan"), 0.0
    v = v - v.mean()
    denom = float(np.dot(v, v))
    if denom <= 1e-12:
        return float("nan"), 0.0
    ac = np.array([np.dot(v[:-k], v[k:]) / denom * n / (n - k) for k in range(lo - 1, hi + 1)])
    # only interior local maxima: the lag-range boundary of a smooth signal is not a period
    inner = ac[1:-1]
    is_peak = (inner > ac[:-2]) & (inner >= ac[2:])
    if not is_peak.any():
        return float("nan"), 0.0
    # the first peak nearly as strong as the strongest: multiples of the period score alike
    cand = np.where(is_peak, inner, -np.inf)
    best = float(cand.max())
    k = int(np.nonzero(cand >= best - 0.1 * abs(best))[0][0])
    return (lo + k) / fps, float(max(0.0, inner[k]))
