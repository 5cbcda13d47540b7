"""Per-foot signals: height above a ground line that follows the camera, pelvis-relative
horizontal velocity, the stride period and the direction of running."""

from __future__ import annotations

import numpy as np

from repstride.analysis.running.gait.model import FloatArray
from repstride.analysis.running.gait.params import (
    CONTACT_HEIGHT, GROUND_PERCENTILE, TYPICAL_STRIDE_S,
)
from repstride.analysis.signal import dominant_period, smooth
from repstride.analysis.track import Joint


def foot_signals(pts: FloatArray, side: str, pelvis: FloatArray, leg: float, fps: float, *,
                  cutoff: float, ground_window: int) -> dict[str, FloatArray]:
    """Height above ground (leg lengths) and pelvis-relative horizontal velocity of one foot."""
    s = side.upper()
    heel = smooth(pts[:, Joint[f"{s}_HEEL"]], fps=fps, cutoff_hz=cutoff)
    toe = smooth(pts[:, Joint[f"{s}_FOOT_INDEX"]], fps=fps, cutoff_hz=cutoff)
    ankle = smooth(pts[:, Joint[f"{s}_ANKLE"]], fps=fps, cutoff_hz=cutoff)
    low = np.fmax(heel[:, 1], toe[:, 1])  # y grows downwards: the lower point has the larger y
    ground = rolling_percentile(low, window=max(5, ground_window), q=90.0)
    h = (ground - low) / leg
    with np.errstate(invalid="ignore"):
        stack = np.stack([heel[:, 0], toe[:, 0], ankle[:, 0]])
        cnt = np.isfinite(stack).sum(axis=0)
        foot_x = np.where(cnt > 0, np.nansum(stack, axis=0) / np.maximum(cnt, 1), np.nan)
    rel_x = (foot_x - pelvis[:, 0]) / leg
    vx = np.gradient(rel_x) * fps if rel_x.size > 1 else np.zeros_like(rel_x)
    ok = np.isfinite(h) & np.isfinite(vx)
    return {"h": h, "vx_raw": vx, "rel_x": rel_x, "ok": ok, "low": low,
            "toe_minus_heel_x": toe[:, 0] - heel[:, 0]}


def moving_ground_heights(feet: dict[str, dict[str, FloatArray]], leg: float,
                           stride_frames: float, fps: float) -> None:
    """Replace each foot's height by one measured against a ground line that follows the camera.

    Whichever foot is lowest is, most of the time, on the ground (in running one foot or none is
    down, and contacts fill about two thirds of every step), so a high percentile of the lowest
    point of both feet over one step tracks the ground line in the image even when a hand-held
    or panning camera moves. Each foot's own offset (perspective puts the far foot's ground a
    little higher in the image) is removed with a low percentile of its height.
    """
    both = np.fmax(feet["left"]["low"], feet["right"]["low"])
    window = max(5, int(round(0.5 * stride_frames)))
    ground = rolling_percentile(both, window=window, q=GROUND_PERCENTILE)
    ground = smooth(ground, fps=fps, cutoff_hz=2.0 * TYPICAL_STRIDE_S * fps / stride_frames)
    for f in feet.values():
        raw = (ground - f["low"]) / leg
        fin = raw[np.isfinite(raw)]
        off = float(np.percentile(fin, 15.0)) if fin.size else 0.0
        f["h"] = raw - off
        f["ok"] = f["ok"] & np.isfinite(f["h"])


def stride_period_frames(pts: FloatArray, pelvis: FloatArray, fps: float) -> float:
    """Stride period in video frames from the feet's pelvis-relative motion (autocorrelation).

    Falls back to :data:`TYPICAL_STRIDE_S` when no clear period is found.
    """
    n = pts.shape[0]
    best, strength = float("nan"), 0.0
    for side in ("LEFT", "RIGHT"):
        ankle = pts[:, Joint[f"{side}_ANKLE"]] - pelvis
        for axis in (0, 1):
            x = ankle[:, axis]
            if np.isfinite(x).sum() < 0.5 * n:
                continue
            per, st = dominant_period(x, fps=fps, min_s=0.25, max_s=min(20.0, 0.6 * n / fps),
                                      near_best=0.8, refine=True)
            if np.isfinite(per) and st > strength:
                best, strength = per, st
    if not np.isfinite(best) or strength < 0.3:
        return TYPICAL_STRIDE_S * fps
    return best * fps


def rolling_percentile(x: FloatArray, *, window: int, q: float) -> FloatArray:
    n = x.size
    out = np.full(n, np.nan)
    half = window // 2
    for i in range(n):
        seg = x[max(0, i - half): i + half + 1]
        seg = seg[np.isfinite(seg)]
        if seg.size >= 3:
            out[i] = np.percentile(seg, q)
    return out


def runner_direction(feet: dict[str, dict[str, FloatArray]], pts: FloatArray) -> int:
    """+1 if the runner faces +x: a foot on the ground moves backwards relative to the pelvis."""
    votes = []
    for f in feet.values():
        low = f["h"] < CONTACT_HEIGHT
        v = f["vx_raw"][low & np.isfinite(f["vx_raw"])]
        if v.size:
            votes.append(-float(np.median(v)) * v.size)
    s = float(np.sum(votes)) if votes else 0.0
    if abs(s) < 1e-9:
        th = np.concatenate([f["toe_minus_heel_x"] for f in feet.values()])
        s = float(np.nanmedian(th)) if np.isfinite(th).any() else 1.0
    return 1 if s >= 0 else -1

