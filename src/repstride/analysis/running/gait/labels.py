"""Left/right labels: blanking unseen joints, undoing the detector's leg swaps frame by frame
(a two-state Viterbi pass), and making the contacts of a run alternate feet."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any

import numpy as np

from repstride.analysis.running.gait.model import Contact, FloatArray, Side
from repstride.analysis.running.gait.params import (
    DEPTH_APART_M, DEPTH_COST, DEPTH_MIN_ROWS, MAX_FORWARD_SHANK_DEG, MIN_JOINT_SCORE, NON_ALTERNATION_COST, SAME_FOOT_GAP_STRIDE, SWAP_COST,
    SWAPPED_FRAME_COST,
)
from repstride.analysis.track import Joint, PoseTrack

_CHAIN = ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")


def clean_points(track: PoseTrack) -> FloatArray:
    """Pixels with low-visibility joints blanked (NaN). Gaps are bridged only after the
    label-swap pass, so a swapped frame is never blended with its neighbours."""
    pts = track.pixels().copy()
    pts[track.score < MIN_JOINT_SCORE] = np.nan
    return pts


def blank_implausible_legs(pts: FloatArray) -> FloatArray:
    """Blank (NaN) a leg below the hip in rows where its shank points forward more than
    :data:`MAX_FORWARD_SHANK_DEG` from vertical: no running stride does that (the shank is at
    most 20-30 deg forward before touch-down, even sprinting), but a leg the pose model has
    put on a treadmill's handrail does. Forward is where the feet point (toe ahead of heel)."""
    toe_heel = np.concatenate([pts[:, Joint[f"{s}_FOOT_INDEX"], 0] - pts[:, Joint[f"{s}_HEEL"], 0]
                               for s in ("LEFT", "RIGHT")])
    toe_heel = toe_heel[np.isfinite(toe_heel)]
    if not toe_heel.size:
        return pts
    forward = 1.0 if float(np.median(toe_heel)) >= 0 else -1.0
    out = pts.copy()
    for s in ("LEFT", "RIGHT"):
        knee, ankle = pts[:, Joint[f"{s}_KNEE"]], pts[:, Joint[f"{s}_ANKLE"]]
        with np.errstate(invalid="ignore"):
            ang = np.degrees(np.arctan2(forward * (ankle[:, 0] - knee[:, 0]),
                                        ankle[:, 1] - knee[:, 1]))
            bad = ang > MAX_FORWARD_SHANK_DEG
        for name in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
            out[bad, Joint[f"{s}_{name}"]] = np.nan
    return out


def _chain(side: str) -> list[int]:
    return [int(Joint[f"{side.upper()}_{name}"]) for name in _CHAIN]


def depth_disagreement(world: FloatArray | None, score: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per row, how strongly the legs' depth order contradicts the hips' with the detector's
    labels kept (first array) and swapped (second), 0..1.

    Seen from the side, one hip and the whole leg below it are nearer the camera than the other
    (by the hip width): the pose model's depth (world z) ranks the hips reliably and, in most
    frames, the legs too, even when it names the legs the wrong way round for a stretch. A row
    counts in proportion to how clearly both the hips and the legs are apart in depth (up to
    :data:`DEPTH_APART_M`), so a back view (hips at equal depth) or legs crossing count little.
    """
    n = len(score)
    if world is None or not np.isfinite(world).any():
        return np.zeros(n), np.zeros(n)
    z = np.where(score >= MIN_JOINT_SCORE, np.asarray(world, float)[:, :, 2], np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a chain not seen at all in a row
        d_leg = np.nanmean(z[:, _chain("left")], axis=1) - np.nanmean(z[:, _chain("right")], axis=1)
    d_hip = z[:, Joint.LEFT_HIP] - z[:, Joint.RIGHT_HIP]
    w = np.nan_to_num(np.minimum(1.0, np.abs(d_hip) / DEPTH_APART_M)
                      * np.minimum(1.0, np.abs(d_leg) / DEPTH_APART_M))
    agree = np.nan_to_num(np.sign(d_leg * d_hip))
    return w * (agree < 0), w * (agree > 0)


def resolve_label_swaps(pts: FloatArray, score: FloatArray, world: FloatArray | None = None
                        ) -> tuple[FloatArray, dict[str, Any]]:
    """Undo left/right leg swaps with a two-state Viterbi pass (see module docstring). With the
    pose model's ``world`` coordinates, each row also pays :data:`DEPTH_COST` in the labelling
    whose leg depth order contradicts the hips' (:func:`depth_disagreement`), and that evidence,
    when there is enough of it, decides the orientation instead of the detector's majority."""
    li, ri = _chain("left"), _chain("right")
    pel = (pts[:, Joint.LEFT_HIP] + pts[:, Joint.RIGHT_HIP]) / 2.0
    a = pts[:, li] - pel[:, None]
    b = pts[:, ri] - pel[:, None]
    scale = leg_length_px(pts)
    if not np.isfinite(scale) or scale <= 0:
        return pts, {"count": 0, "near": np.zeros(len(pts), bool)}
    a, b = a / scale, b / scale
    ok = np.isfinite(a).all(axis=(1, 2)) & np.isfinite(b).all(axis=(1, 2))
    idx = np.flatnonzero(ok)
    state = np.zeros(len(pts), dtype=np.int8)
    if idx.size >= 2:
        A, B = a[idx], b[idx]
        # step costs: keep->keep (A to A), keep->swap (A_t-1 to B_t) etc.
        # Squared displacement per frame: across a gap of g frames the legs move g times as far.
        g2 = np.diff(idx).astype(float) ** 2
        same = (_sqd(A[1:], A[:-1]) + _sqd(B[1:], B[:-1])) / g2
        cross = (_sqd(A[1:], B[:-1]) + _sqd(B[1:], A[:-1])) / g2
        m = idx.size
        kept, swapped = depth_disagreement(world, score)
        emit = DEPTH_COST * np.stack([kept[idx], swapped[idx]], axis=1)
        cost = np.zeros((m, 2))
        cost[0] = emit[0]
        back = np.zeros((m, 2), dtype=np.int8)
        for t in range(1, m):
            # state s at t means labels are swapped at t; motion cost depends on s_{t-1} xor s_t.
            for s in (0, 1):
                c_from0 = cost[t - 1, 0] + (same[t - 1] if s == 0 else cross[t - 1]) + SWAP_COST * s
                c_from1 = cost[t - 1, 1] + (cross[t - 1] if s == 0 else same[t - 1]) + SWAP_COST * (1 - s)
                if c_from0 <= c_from1:
                    cost[t, s], back[t, s] = c_from0, 0
                else:
                    cost[t, s], back[t, s] = c_from1, 1
                cost[t, s] += SWAPPED_FRAME_COST * s + emit[t, s]
        path = np.zeros(m, dtype=np.int8)
        path[-1] = int(np.argmin(cost[-1]))
        for t in range(m - 1, 0, -1):
            path[t - 1] = back[t, path[t]]
        # Orientation: from the depth order when there is enough of it, else keep the detector's
        # labels where it gave them most (score-weighted).
        if float(np.sum(kept[idx] + swapped[idx])) < DEPTH_MIN_ROWS:
            w = score[idx][:, li + ri].mean(axis=1)
            if np.sum(w * path) > np.sum(w * (1 - path)):
                path = 1 - path
        state[idx] = path
        # Rows without a full chain keep the state of the previous valid row.
        last = 0
        for t in range(len(pts)):
            if ok[t]:
                last = state[t]
            else:
                state[t] = last
    # Rows where only one leg chain is seen (the other hidden): give the seen chain to the leg
    # whose last resolved position it continues.
    a_ok = np.isfinite(a).all(axis=(1, 2))
    b_ok = np.isfinite(b).all(axis=(1, 2))
    last_pos: list[Any] = [None, None]  # (row, chain) of resolved left / right
    for t in range(len(pts)):
        cur = (b[t], a[t]) if state[t] else (a[t], b[t])
        oks = (b_ok[t], a_ok[t]) if state[t] else (a_ok[t], b_ok[t])
        if oks[0] != oks[1] and last_pos[0] is not None and last_pos[1] is not None:
            seen = 0 if oks[0] else 1
            x = cur[seen]
            d = [float(_sqd(x[None], last_pos[k][1][None])[0]) / max(t - last_pos[k][0], 1) ** 2
                 for k in (0, 1)]
            if d[1 - seen] < 0.5 * d[seen]:
                state[t] = 1 - state[t]
                cur, oks = (cur[1], cur[0]), (oks[1], oks[0])
        for k in (0, 1):
            if oks[k]:
                last_pos[k] = (t, cur[k])
    out = pts.copy()
    sw = state.astype(bool)
    for jl, jr in leg_pairs():
        out[sw, jl], out[sw, jr] = pts[sw, jr], pts[sw, jl]
    count = int(np.sum(np.diff(state) != 0))
    near = np.zeros(len(pts), bool)
    changes = np.flatnonzero(np.diff(state) != 0)
    for c in changes:
        near[max(0, c - 2): c + 3] = True
    return out, {"count": count, "near": near}


def leg_pairs() -> list[tuple[int, int]]:
    names = ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
    return [(int(Joint[f"LEFT_{n}"]), int(Joint[f"RIGHT_{n}"])) for n in names]


def _sqd(u: FloatArray, v: FloatArray) -> FloatArray:
    return np.mean(np.sum((u - v) ** 2, axis=-1), axis=-1)


def leg_length_px(pts: FloatArray) -> float:
    """Hip-to-ankle length (thigh + shank), 90th percentile over frames of the longer leg.

    A high percentile because 2-D projection only ever shortens a segment.
    """
    best = np.nan
    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle = (pts[:, Joint[f"{side}_{n}"]] for n in ("HIP", "KNEE", "ANKLE"))
        ll = np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
        ll = ll[np.isfinite(ll)]
        if ll.size:
            v = float(np.percentile(ll, 90))
            best = v if not np.isfinite(best) else max(best, v)
    return best



# -- alternation ---------------------------------------------------------------------------------


def merge_split_contacts(cs: list[Contact], stride_s: float, frame_s: float,
                          windows: list[tuple[int, int]]) -> list[Contact]:
    """Join a contact that was cut in two, together no longer than 1.4 x the median contact (two
    real contacts would be about twice the median): by a mid-stance label swap (a contact of
    one label followed within ~2 frames by one of the other label), or by the pose model losing
    the stance foot for a few frames (two contacts of the same foot less than
    :data:`SAME_FOOT_GAP_STRIDE` of a stride apart: a foot lands once a stride)."""
    if len(cs) < 3:
        return cs
    med = float(np.median([c.duration_s for c in cs]))
    out: list[Contact] = []
    for c in cs:
        if out:
            p = out[-1]
            gap = c.td.time_s - p.to.time_s
            max_gap = 2.5 * frame_s if c.side != p.side else \
                max(2.5 * frame_s, SAME_FOOT_GAP_STRIDE * stride_s)
            if gap <= max_gap and c.to.time_s - p.td.time_s <= min(1.4 * med, 0.6 * stride_s):
                to = replace(c.to, side=p.side, confidence=round(0.5 * (c.to.confidence or 0.0), 3))
                out[-1] = Contact(p.side, p.td, to)
                if c.side != p.side:
                    windows.append((c.td.frame, c.to.frame))
                continue
        out.append(c)
    return out


def alternate_sides(cs: list[Contact], stride_s: float, windows: list[tuple[int, int]]
                     ) -> list[Contact]:
    """Running alternates feet: within each run of consecutive steps (touch-downs less than
    three quarters of a stride apart) relabel contacts so that the sides alternate, choosing
    the labelling (a Viterbi pass over the contacts) that changes the least
    confidence-weighted label evidence plus :data:`NON_ALTERNATION_COST` for every pair of
    consecutive contacts left on the same side. A lone wrong label is flipped; one spurious
    contact costs one non-alternation instead of flipping every label after it. A relabelled
    contact's rows are added to ``windows`` (its leg points must be swapped to match)."""
    if len(cs) < 2:
        return cs
    segments: list[list[int]] = [[0]]
    for i in range(1, len(cs)):
        if cs[i].td.time_s - cs[i - 1].td.time_s < 0.75 * stride_s:
            segments[-1].append(i)
        else:
            segments.append([i])
    out = list(cs)
    for seg in segments:
        if len(seg) < 2:
            continue
        for i, want in zip(seg, alternating_labels([cs[i] for i in seg])):
            c = cs[i]
            if c.side != want:
                windows.append((c.td.frame, c.to.frame))
                out[i] = Contact(want, replace(c.td, side=want),  # type: ignore[arg-type]
                                 replace(c.to, side=want))  # type: ignore[arg-type]
    return out


def alternating_labels(seg: list[Contact]) -> list[Side]:
    """Viterbi labels for consecutive contacts (see :func:`alternate_sides`)."""
    sides: tuple[Side, Side] = ("left", "right")
    m = len(seg)
    cost = np.zeros((m, 2))
    back = np.zeros((m, 2), dtype=np.int8)
    for k, c in enumerate(seg):
        w = 0.1 + c.confidence
        emit = np.array([0.0 if c.side == s else w for s in sides])
        if k == 0:
            cost[k] = emit
            continue
        for s in (0, 1):
            stay = cost[k - 1, s] + NON_ALTERNATION_COST  # same side as the previous contact
            alt = cost[k - 1, 1 - s]
            back[k, s] = s if stay < alt else 1 - s
            cost[k, s] = min(stay, alt) + emit[s]
    path = [int(np.argmin(cost[-1]))]
    for k in range(m - 1, 0, -1):
        path.append(int(back[k, path[-1]]))
    return [sides[s] for s in reversed(path)]

