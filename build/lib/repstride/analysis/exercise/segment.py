"""Repetition segmentation of one 1-D signal: prominence (hysteresis) + range of motion + duration.

A repetition is a full excursion from the rest level to the extreme and back: the signal must
move away from rest by at least ``min_rom`` (absolute, in the signal's units) *and* by at least
``rel_rom`` of the clip's typical excursion on **both** sides of the extreme. That one rule

- ignores set-up motion that only goes one way (unracking, lying down, getting into position),
- ignores partial reps (too shallow relative to the others) and ghost reps (small bounces at the
  bottom, detector jitter: too little prominence),
- and leaves a half rep at either edge of the clip uncounted (it never returns to rest).

Start and end are where the signal leaves / re-enters the rest zone (``edge_frac`` of the way
from the rest base to the extreme); mid is the extreme itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from repstride.analysis.signal import fill_gaps

FloatArray = NDArray[np.float64]
Direction = Literal["up", "down"]


@dataclass(frozen=True)
class SegmentParams:
    """Thresholds of the segmenter (signal units; seconds)."""

    min_rom: float
    rel_rom: float = 0.55
    min_rep_s: float = 0.5
    max_rep_s: float = 20.0
    edge_frac: float = 0.15
    #: Count a half rep at the clip's edges when it covers this fraction of the typical ROM
    #: (only used when a repCount hint asks for it; ``None`` = never).
    edge_half: float | None = None


@dataclass(frozen=True)
class RepWindow:
    """Frame indices of one rep and its range of motion (signal units, > 0)."""

    start: int
    mid: int
    end: int
    rom: float
    #: True for a half rep at the clip's edge (counted only on a repCount hint).
    half: bool = False
    #: ``"left"``/``"right"`` for one-limb reps (punch, kick), else ``None``.
    side: str | None = None


#: Share of the range of motion within which the extreme counts as reached (the rep's mid).
MID_ZONE = 0.03
#: A rep cut by the clip's end must be within this share of the typical range of motion of the
#: rest level the other reps return to.
EDGE_TOLERANCE = 0.2


def segment_reps(signal: FloatArray, *, fps: float, direction: Direction,
                 params: SegmentParams, allowed: NDArray[np.bool_] | None = None
                 ) -> list[RepWindow]:
    """Find full repetitions in ``signal`` (``(T,)``, NaN allowed).

    ``direction="down"``: a rep moves the signal down from rest and back (knee angle in a squat);
    ``"up"``: up and back (wrist height in a snatch). ``allowed`` (``(T,)`` bool) marks frames
    whose posture fits the activity; an extreme outside them is set-up motion, not a rep.
    """
    y = np.asarray(signal, float)
    if y.size < 3 or not np.isfinite(y).any():
        return []
    z = fill_gaps(y if direction == "up" else -y)  # extremes are maxima of z
    found = _extremes(z, np.isfinite(y), fps, params, allowed)
    if found is None:
        return []
    peaks, lefts, rights, typical = found
    need = max(params.min_rom, params.rel_rom * typical)
    near = max(2, int(round(0.1 * fps)))
    cands = _bracket(z, *_merge_bounces(z, peaks, lefts, rights, need), need=need, near=near,
                     min_rom=params.min_rom)
    reps = [r for r in (_window(z, c, fps, params) for c in _complete(z, cands, fps, typical, near))
            if r is not None]
    return _edge_halves(reps, z, fps, params, typical)


def _edge_need(lb: NDArray | int, near: int, need: float, min_rom: float) -> NDArray | float:
    """Excursion required on the left: a descent cut by the clip's start only has to be clearly
    more than a twitch (its extreme and full return are in the clip)."""
    return np.where(np.asarray(lb) <= near, max(min_rom, 0.5 * need), need)


def _extremes(z: FloatArray, valid: NDArray[np.bool_], fps: float, params: SegmentParams,
              allowed: NDArray[np.bool_] | None
              ) -> tuple[NDArray, NDArray, NDArray, float] | None:
    """Prominent extremes (peaks of ``z``) with their bases and the clip's typical excursion."""
    distance = max(1, int(round(params.min_rep_s * fps * 0.5)))
    peaks, props = find_peaks(z, prominence=params.min_rom, distance=distance,
                              wlen=int(round(2 * params.max_rep_s * fps)) | 1)
    if allowed is not None and peaks.size:
        ok = np.asarray(allowed, bool)[peaks]
        peaks, props = peaks[ok], {k: v[ok] for k, v in props.items()}
    if peaks.size == 0:
        return None
    prom = props["prominences"]
    # the median of the larger half: robust to a few partial reps and to one huge outlier
    typical = float(np.median(np.sort(prom)[-max(1, (prom.size + 1) // 2):]))
    need = max(params.min_rom, params.rel_rom * typical)
    near = max(2, int(round(0.1 * fps)))
    lb, rb = props["left_bases"], props["right_bases"]
    keep = (z[peaks] - z[lb] >= _edge_need(lb, near, need, params.min_rom)) & (
        z[peaks] - z[rb] >= need)
    # a peak whose neighbourhood is all interpolated is not evidence of a rep
    keep &= np.array([valid[max(0, p - 2):p + 3].any() for p in peaks])
    return peaks[keep], lb[keep], rb[keep], typical


def _merge_bounces(z: FloatArray, peaks: NDArray, lefts: NDArray, rights: NDArray, need: float
                   ) -> tuple[NDArray, NDArray, NDArray]:
    """Extremes without a real return between them (a bounce at the bottom) are one rep: keep
    the deeper one, with the outer bases of both."""
    merged: list[list[int]] = []
    for i, p in enumerate(peaks):
        if merged:
            q = merged[-1][1]
            if min(z[q], z[p]) - float(np.min(z[q:p + 1])) < need:
                if z[p] > z[q]:
                    merged[-1][1] = int(p)
                merged[-1][2] = int(rights[i])
                continue
        merged.append([int(lefts[i]), int(p), int(rights[i])])
    cols = np.array(merged, dtype=int).reshape(-1, 3)
    return cols[:, 1], cols[:, 0], cols[:, 2]


def _bracket(z: FloatArray, peaks: NDArray, lefts: NDArray, rights: NDArray, *, need: float,
             near: int, min_rom: float) -> list[tuple[int, int, int]]:
    """(left base, extreme, right base) of every extreme that moves far enough both ways; the
    base between two extremes is the lowest point between them."""
    out = []
    for i, p in enumerate(peaks):
        lb = lefts[i] if i == 0 else peaks[i - 1] + int(np.argmin(z[peaks[i - 1]:p + 1]))
        rb = rights[i] if i == len(peaks) - 1 else p + int(np.argmin(z[p:peaks[i + 1] + 1]))
        if z[p] - z[lb] >= _edge_need(lb, near, need, min_rom) and z[p] - z[rb] >= need:
            out.append((int(lb), int(p), int(rb)))
    return out


def _complete(z: FloatArray, cands: list[tuple[int, int, int]], fps: float, typical: float,
              near: int) -> list[tuple[int, int, int]]:
    """Drop a last rep the clip's end cuts before it is back at rest.

    Back at rest = within :data:`EDGE_TOLERANCE` of the typical excursion of the level the other
    reps return to, or holding still as the clip ends (a moving signal is mid-return).
    """
    inner = [z[b] for lb, _, rb in cands for b in (lb, rb) if near < b < z.size - 1 - near]
    if len(inner) < 2:
        return cands
    rest = float(np.median(inner))
    hold = max(3, int(round(0.15 * fps)))
    still_end = bool(np.ptp(z[-hold:]) < 0.1 * typical)
    return [(lb, p, rb) for lb, p, rb in cands
            if not (rb >= z.size - 1 - near and not still_end
                    and z[rb] > rest + EDGE_TOLERANCE * typical)]


def _window(z: FloatArray, cand: tuple[int, int, int], fps: float, params: SegmentParams
            ) -> RepWindow | None:
    """Start/mid/end of one rep: where it leaves and re-enters the rest zone (``edge_frac`` of
    the way to the extreme) and where a held extreme is first reached."""
    lb, p, rb = cand
    left_exc, right_exc = z[p] - z[lb], z[p] - z[rb]
    below = np.nonzero(z[lb:p + 1] <= z[lb] + params.edge_frac * left_exc)[0]
    start = lb + (int(below[-1]) if below.size else 0)
    below = np.nonzero(z[p:rb + 1] <= z[rb] + params.edge_frac * right_exc)[0]
    end = p + (int(below[0]) if below.size else rb - p)
    # minimum on the whole cycle (fast reps spend little time near rest), maximum on the
    # active part (long pauses at rest are not part of the rep)
    if (rb - lb) / fps < params.min_rep_s or (end - start) / fps > params.max_rep_s:
        return None
    top = np.nonzero(z[start:p + 1] >= z[p] - MID_ZONE * min(left_exc, right_exc))[0]
    mid = start + int(top[0]) if top.size else p
    return RepWindow(start=int(start), mid=int(mid), end=int(end),
                     rom=float(min(left_exc, right_exc)))


def _edge_halves(reps: list[RepWindow], z: FloatArray, fps: float, params: SegmentParams,
                 typical: float | None) -> list[RepWindow]:
    """Add half reps at the clip's edges when ``params.edge_half`` asks for them."""
    if params.edge_half is None or typical is None or not reps:
        return reps
    need = max(params.min_rom, params.edge_half * typical)
    out = list(reps)
    first, last = reps[0], reps[-1]
    # trailing: after the last rep the signal rises to an extreme and the clip ends near it
    tail = z[last.end:]
    if tail.size > 2:
        p = int(np.argmax(tail))
        base = float(np.min(tail[: p + 1]))
        if tail[p] - base >= need and tail[p] - tail[-1] < 0.5 * need and \
                (tail.size - 1 - 0) / fps >= params.min_rep_s * 0.5:
            b = int(np.argmin(tail[: p + 1]))
            out.append(RepWindow(start=last.end + b, mid=last.end + p, end=last.end + tail.size - 1,
                                 rom=float(tail[p] - base), half=True))
    head = z[: first.start + 1]
    if head.size > 2:
        p = int(np.argmax(head))
        base = float(np.min(head[p:]))
        if head[p] - base >= need and head[p] - head[0] < 0.5 * need:
            b = p + int(np.argmin(head[p:]))
            out.insert(0, RepWindow(start=0, mid=p, end=b, rom=float(head[p] - base), half=True))
    return out


def merge_sides(*rep_lists: list[RepWindow], overlap: float = 0.5) -> list[RepWindow]:
    """Merge per-side reps (alternating limbs); reps overlapping by > ``overlap`` are one rep."""
    allr = sorted((r for reps in rep_lists for r in reps), key=lambda r: r.mid)
    out: list[RepWindow] = []
    for r in allr:
        if out:
            o = out[-1]
            inter = min(o.end, r.end) - max(o.start, r.start)
            shorter = max(1, min(o.end - o.start, r.end - r.start))
            if inter / shorter > overlap:
                if r.rom > o.rom:
                    out[-1] = r
                continue
        out.append(r)
    return out


def candidate_params(base: SegmentParams) -> list[SegmentParams]:
    """Alternative thresholds tried, nearest first, when a repCount hint disagrees."""
    out = []
    for rel in (base.rel_rom, 0.35, 0.65, 0.25, 0.8):
        for rom_scale in (1.0, 0.7, 1.3, 0.5):
            for edge in (None, 0.7):
                out.append(replace(base, rel_rom=rel, min_rom=base.min_rom * rom_scale,
                                   edge_half=edge))
    return out
