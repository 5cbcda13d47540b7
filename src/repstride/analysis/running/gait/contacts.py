"""Contacts of one foot: hysteresis runs of low, backward-moving frames, and the sub-frame
touch-down and toe-off instants inside each (see the method in
:mod:`repstride.analysis.running.gait`)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running.gait.model import Contact, FloatArray, GaitEvent, Side
from repstride.analysis.running.gait.params import (
    APPROACH_FRACTION, APPROACH_WINDOW_STRIDE, CONTACT_HEIGHT, EXTRAPOLATE_MAX_S, GLITCH_STRIDE, LOOSE_FACTOR, MAX_CONTACT_HEIGHT,
    MAX_CONTACT_STRIDE, MIN_CONTACT_HEIGHT, MIN_CONTACT_STRIDE, NOISE_MULTIPLE,
    STANCE_SPEED_FRACTION, TD_EXTRAPOLATE, TO_EXTRAPOLATE, TYPICAL_STRIDE_S,
)
from repstride.analysis.signal import runs


def contact_threshold(f: dict[str, FloatArray], stance_speed: float) -> float:
    """Height threshold for one foot: NOISE_MULTIPLE x its spread on the ground (robust SD)."""
    h = f["h"]
    with np.errstate(invalid="ignore"):
        st = f["ok"] & (h < CONTACT_HEIGHT)
        if stance_speed > 0 and "vx" in f:
            st &= f["vx"] < -STANCE_SPEED_FRACTION * stance_speed
    d = h[st]
    d = d[np.isfinite(d)]
    if d.size < 5:
        return CONTACT_HEIGHT
    # Spread of the foot's height while on the ground: pose jitter plus the roll of the foot.
    noise = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    return float(np.clip(NOISE_MULTIPLE * noise, MIN_CONTACT_HEIGHT, MAX_CONTACT_HEIGHT))


def _close_gaps(mask: NDArray[np.bool_], gap: int) -> NDArray[np.bool_]:
    out = mask.copy()
    rs = runs(mask)
    for (_s0, stop0), (s1, _stop1) in zip(rs, rs[1:]):
        if s1 - stop0 <= gap:
            out[stop0:s1] = True
    return out


def _bridge_glitches(loose: NDArray[np.bool_], core: NDArray[np.bool_], gap: int,
                     min_len: int) -> NDArray[np.bool_]:
    """Join two runs of ``loose`` separated by at most ``gap`` rows when the first already holds
    a contact's worth (``min_len``) of ``core`` rows and the second holds core rows too: the foot
    was on the ground before and after and cannot have lifted off and landed in between. (A
    short low dip of the swinging foot just before its landing is not joined to the landing.)"""
    out = loose.copy()
    rs = runs(loose)
    for (s0, stop0), (s1, stop1) in zip(rs, rs[1:]):
        if s1 - stop0 <= gap and core[s0:stop0].sum() >= min_len and core[s1:stop1].any():
            out[stop0:s1] = True
    return out


def _crossing(y: FloatArray, i0: int, i1: int, level: float) -> float | None:
    """Fractional row in [i0, i1] where ``y`` crosses ``level`` (linear), None if no crossing."""
    a, b = y[i0], y[i1]
    if not (np.isfinite(a) and np.isfinite(b)) or (a - level) * (b - level) > 0 or a == b:
        return None
    return i0 + (level - a) / (b - a) * (i1 - i0)


def _time_at(ts: FloatArray, row: float) -> float:
    i = int(math.floor(row))
    i = min(max(i, 0), ts.size - 1)
    if i + 1 >= ts.size:
        return float(ts[i] + (row - i) * (ts[i] - ts[i - 1] if i > 0 else 0.0))
    return float(ts[i] + (row - i) * (ts[i + 1] - ts[i]))


def find_contacts(f: dict[str, FloatArray], side: Side, stance_speed: float, ts: FloatArray,
                   stride_frames: float, near_swap: NDArray[np.bool_]
                   ) -> tuple[list[Contact], NDArray[np.bool_]]:
    """Contacts of one foot, and the (T,) in-contact mask.

    A contact is a run of frames with the foot below :data:`LOOSE_HEIGHT` (hysteresis, so a
    noisy mid-stance frame does not split it) that holds a core of frames in contact (low and,
    in side view, moving backwards with the ground). Within it, TD is when the descending foot
    reaches the contact's own height plateau (extrapolated from the slope at which it crosses
    the contact height, so a heel arriving between two frames is timed between them) and, in
    side view, moves backwards; TO is when the lowest point rises through
    :data:`TOE_OFF_HEIGHT` above the plateau.
    """
    h, ok = f["h"], f["ok"]
    vx = f.get("vx")
    n = h.size
    use_v = vx is not None and stance_speed > 0
    v_level = -STANCE_SPEED_FRACTION * stance_speed
    thr = float(f["thr"])
    with np.errstate(invalid="ignore"):
        core = ok & (h < thr)
        if use_v:
            assert vx is not None
            core &= vx < v_level
        loose = ok & (h < LOOSE_FACTOR * thr)
    min_len = max(2, int(math.ceil(MIN_CONTACT_STRIDE * stride_frames)))
    max_len = MAX_CONTACT_STRIDE * stride_frames
    gap = max(1, int(round(0.1 * stride_frames)))
    max_rows = EXTRAPOLATE_MAX_S * stride_frames / TYPICAL_STRIDE_S
    mask = np.zeros(n, bool)
    out: list[Contact] = []
    # A foot cannot lift off and land again within a few frames: a short rise inside a contact
    # is the pose model losing the stance foot for a frame or two (the other foot swinging past
    # it), so the contact goes on across it.
    loose = _bridge_glitches(loose, core, max(1, int(round(GLITCH_STRIDE * stride_frames))),
                             min_len)
    for a, b_stop in runs(loose):
        b = b_stop - 1  # inclusive end of the loose run
        for i0, i1_stop in runs(_close_gaps(core[a:b + 1], gap)):
            i0, i1 = i0 + a, i1_stop - 1 + a
            if i1 - i0 + 1 < min_len or i0 == 0 or i1 >= n - 1:
                continue
            plateau = float(np.nanmedian(h[i0:i1 + 1]))
            # The foot must be seen above the contact height before its touch-down and after its
            # toe-off; otherwise (already down when first seen, still down when last seen) that
            # event was not observed.
            seen_before = (a > 0 and bool(ok[a - 1])) or bool(np.any(h[a:i0] >= thr))
            seen_after = (b < n - 1 and bool(ok[b + 1])) or bool(np.any(h[i1 + 1:b + 1] >= thr))
            if not (seen_before and seen_after):
                continue
            td_row = _touch_down_row(h, vx if use_v else None, v_level, i0, plateau, a, max_rows,
                                     thr)
            if not use_v and td_row is not None:
                td_row = _approach_touch_down(h, td_row, i0, i1, plateau + thr, stride_frames)
            to_row = _toe_off_row(h, i0, i1, b, plateau, max_rows, thr)
            if to_row is None or td_row is None or not 0 < to_row - td_row <= max_len:
                continue
            if _near_filled(f["filled"], td_row) or _near_filled(f["filled"], to_row):
                continue  # the event falls on interpolated rows: not observed
            td = GaitEvent("TD", side, _time_at(ts, td_row), int(math.ceil(td_row - 1e-9)),
                           _confidence(f, int(round(td_row)), near_swap))
            to = GaitEvent("TO", side, _time_at(ts, to_row), int(math.floor(to_row + 1e-9)),
                           _confidence(f, int(round(to_row)), near_swap))
            out.append(Contact(side, td, to))
            mask[td.frame: to.frame + 1] = True
    return out, mask


def _near_filled(filled: NDArray[np.bool_], row: float) -> bool:
    lo = max(0, int(math.floor(row)) - 1)
    return bool(filled[lo: int(math.ceil(row)) + 2].any())


def _touch_down_row(h: FloatArray, vx: FloatArray | None, v_level: float, i0: int,
                    plateau: float, run_start: int, max_rows: float, thr: float) -> float | None:
    """Fractional row of touch-down for a contact whose first core row is ``i0``."""
    level = plateau + thr
    r_h = float(i0 - 1)
    # The descending crossing of the contact height, at or before i0.
    for j in range(i0, max(run_start, 1) - 1, -1):
        if j >= 1 and h[j - 1] >= level > h[j]:
            c = _crossing(h, j - 1, j, level)
            slope = h[j] - h[j - 1]  # per row, negative
            if c is not None:
                ext = TD_EXTRAPOLATE * thr / max(-slope, 1e-9)
                # Not past the first row that is actually on the plateau.
                reach = next((k for k in range(j, min(j + 6, h.size))
                              if h[k] <= plateau + 0.25 * thr), j + 2)
                r_h = min(c + min(ext, max_rows), float(reach))
            break
    r_v = float(i0 - 1)
    if vx is not None and i0 >= 1:
        c = _crossing(vx, i0 - 1, i0, v_level)
        if c is not None:
            r_v = c
    return max(r_h, r_v, float(run_start) - 1.0)


def _approach_touch_down(h: FloatArray, td_row: float, i0: int, i1: int, level: float,
                         stride_frames: float) -> float:
    """Back view: the touch-down row when the foot keeps descending in the image after landing.

    Seen from behind, a foot lands ahead of the body (farther from the camera, higher in the
    image) and comes towards the camera while on the ground, so its image height goes on
    falling through early stance instead of settling on a plateau. The fraction of the foot's
    whole image descent (from the swing's highest point in the last 0.4 stride before the landing
    to the lowest point of the contact) that lies below the contact level is the approach
    fraction; above :data:`APPROACH_FRACTION`, the touch-down is where the foot has come half
    way down, not where it reaches the contact level (which is then 2-3 frames late against
    marks taken from a synchronised side view). A foot that drops onto a plateau (a
    stick-figure runner, a static camera level with the ground) keeps ``td_row``.
    """
    lo = max(0, int(math.floor(td_row - APPROACH_WINDOW_STRIDE * stride_frames)))
    hi = int(math.ceil(td_row))
    pre = h[lo:hi + 1]
    core = h[i0:i1 + 1]
    if not (np.isfinite(pre).any() and np.isfinite(core).any()):
        return td_row
    top, low = float(np.nanmax(pre)), float(np.nanmin(core))
    if top - low <= 0 or (level - low) / (top - low) <= APPROACH_FRACTION:
        return td_row
    half = (top + low) / 2.0
    for j in range(min(hi, h.size - 1), lo, -1):
        if h[j - 1] >= half > h[j]:
            c = _crossing(h, j - 1, j, half)
            return td_row if c is None else min(c, td_row)
    return td_row


def _toe_off_row(h: FloatArray, i0: int, i1: int, run_end: int, plateau: float,
                 max_rows: float, thr: float) -> float | None:
    """Fractional row at which the foot rises through the contact height after the core."""
    level = plateau + thr
    # From the last core row still on the plateau: a glitch bridged inside the contact is not a
    # toe-off (a core row can sit between the plateau level and the contact height).
    below = np.flatnonzero(h[i0:i1 + 1] < level)
    start = i0 + int(below[-1]) if below.size else (i0 + i1) // 2
    for k in range(start, min(run_end + 2, h.size - 1)):
        if h[k] < level <= h[k + 1]:
            c = _crossing(h, k, k + 1, level)
            if c is None:
                return None
            # Back to the plateau along the rising slope (at most EXTRAPOLATE_MAX rows).
            ext = TO_EXTRAPOLATE * thr / max(h[k + 1] - h[k], 1e-9)
            return max(c - min(ext, max_rows), float(k) - 0.5)
    return None


def _confidence(f: dict[str, FloatArray], row: int, near_swap: NDArray[np.bool_]) -> float:
    """Sharpness of the height change around ``row`` (0..1), halved next to a label swap."""
    h = f["h"]
    lo, hi = max(0, row - 3), min(h.size, row + 4)
    seg = h[lo:hi]
    seg = seg[np.isfinite(seg)]
    if seg.size < 2:
        return 0.0
    sharp = float(np.clip((seg.max() - seg.min()) / (2.0 * float(f["thr"])), 0.0, 1.0))
    ok = float(np.mean(f["ok"][lo:hi]))
    c = sharp * ok
    if near_swap[row]:
        c *= 0.5
    return round(c, 3)
