"""Which tracked person is the subject, and keeping each person's track free of identity jumps.

Pure numpy on per-person arrays aligned to the clip's frames:

- ``boxes`` (T, 5): ``x1, y1, x2, y2, score`` normalised to the frame, NaN where absent;
- ``xy`` (T, 33, 2): landmarks normalised to the frame, NaN where absent.

**Prominence** (the default subject is the most prominent person over the clip)::

    prominence = presence × size × motion × clarity
    presence   = fraction of the clip's frames in which the person is tracked
    size       = median torso length (shoulder centre to hip centre) in pixels / sqrt(W·H)
    motion     = 0.1 + 0.9 · min(1, activity / 1.0)
    activity   = mean over shoulders, elbows, wrists, hips, knees, ankles of the spread
                 (95th − 5th percentile distance from the joint's median position, pixels) of
                 the joint's path median-filtered over 0.15 s, divided by the median torso
                 length; each joint weighted by its mean visibility
    clarity    = mean visibility of those joints over the frames where they lie in the frame

A bystander who stands still keeps ``motion`` near 0.1; anyone exercising, walking or running
moves some joints by a torso length and reaches 1. The median filter removes the frame-to-frame
jitter of the landmarks, which otherwise reads as motion, and a joint the landmark model says it
does not see (its visibility) adds little to the activity: its position is a guess. A "person"
the detector finds in foliage or a pattern is large, still once de-jittered, and mostly not
seen (legs at visibility 0.1–0.2), so clarity and motion both mark it down; without them it
outscored a small sprinter crossing the frame. The torso is used for size because it hardly
changes with the pose (a box would shrink when someone crouches or lies down). Without
visibility scores (``scores=None``) every joint counts fully and clarity is 1; without ``fps``
the paths are not filtered.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import Joint

#: Frame-to-frame move of the box centre, in box heights (per frame of gap), above which a
#: track is cut in two: no single person moves that fast, so it is a different person.
JUMP_FRACTION = 0.45
#: Frame-to-frame box-height (or torso-length) ratio above which a track is cut.
JUMP_SIZE_RATIO = 1.6
#: Frame-to-frame move of the torso centre, in torso lengths, above which a track is cut (a
#: sprinter filmed at 30 frames/s moves about 0.7 torso lengths per frame).
TORSO_JUMP = 1.0

_ACTIVITY_JOINTS = (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER, Joint.LEFT_ELBOW, Joint.RIGHT_ELBOW,
                    Joint.LEFT_WRIST, Joint.RIGHT_WRIST, Joint.LEFT_HIP, Joint.RIGHT_HIP,
                    Joint.LEFT_KNEE, Joint.RIGHT_KNEE, Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE)


@dataclass(frozen=True)
class SubjectHint:
    """The caller's choice of subject: a point ``(x, y)`` or a box ``(x1, y1, x2, y2)``,
    normalised to the displayed frame, optionally at a time ``t_s`` (seconds). Without a time,
    the person it matches in the most frames is chosen."""

    point: tuple[float, float] | None = None
    box: tuple[float, float, float, float] | None = None
    t_s: float | None = None

    def __post_init__(self) -> None:
        if (self.point is None) == (self.box is None):
            raise ValueError("SubjectHint needs exactly one of point or box")

    @classmethod
    def parse(cls, value: object) -> SubjectHint:
        """Accept a hint, ``(x, y)``, ``(x1, y1, x2, y2)`` or ``{"point"|"box": ..., "t": s}``."""
        if isinstance(value, SubjectHint):
            return value
        if isinstance(value, dict):
            t = value.get("t", value.get("t_s"))
            if "point" in value:
                return cls(point=_floats(value["point"], 2), t_s=None if t is None else float(t))
            if "box" in value:
                return cls(box=_floats(value["box"], 4), t_s=None if t is None else float(t))
            raise ValueError("subject dict needs 'point' or 'box'")
        vals = list(value)  # type: ignore[call-overload]
        if len(vals) == 2:
            return cls(point=_floats(vals, 2))
        if len(vals) == 4:
            return cls(box=_floats(vals, 4))
        raise ValueError(f"subject must be (x, y) or (x1, y1, x2, y2), got {len(vals)} values")


def _floats(v: object, n: int) -> tuple:
    out = tuple(float(x) for x in v)  # type: ignore[attr-defined]
    if len(out) != n or not all(np.isfinite(out)):
        raise ValueError(f"expected {n} finite numbers, got {v!r}")
    if not all(-0.5 <= x <= 1.5 for x in out):
        raise ValueError(f"subject coordinates are normalised to the frame (0..1), got {v!r}")
    return out


# -- identity jumps ------------------------------------------------------------------------------


def _torso_centre_and_length(xy: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                                 NDArray[np.float64]]:
    sh = (xy[:, Joint.LEFT_SHOULDER] + xy[:, Joint.RIGHT_SHOULDER]) / 2
    hp = (xy[:, Joint.LEFT_HIP] + xy[:, Joint.RIGHT_HIP]) / 2
    return (sh + hp) / 2, np.linalg.norm(sh - hp, axis=1)


def jump_frames(boxes: NDArray[np.floating], *, xy: NDArray[np.floating] | None = None,
                fraction: float = JUMP_FRACTION, size_ratio: float = JUMP_SIZE_RATIO,
                torso_move: float = TORSO_JUMP, aspect: float = 1.0) -> NDArray[np.int64]:
    """Rows where the person appears to change, compared with the previous present row.

    With landmarks ``xy`` (T, 33, 2), the torso decides: its centre (between shoulders and
    hips) moving more than ``2 × torso_move`` times the track's median torso length, or more
    than ``torso_move`` while the box centre also moves more than 0.3 box heights (a quarter
    torso length of slack per extra frame of gap). Boxes alone are not trusted because limbs
    swing and boxes get clipped at the frame edge in close-ups, and the torso alone is noisy
    there (hips out of view); the torso of one person cannot teleport.
    Without landmarks, the box decides: its centre moving more than ``fraction`` box heights
    per frame of gap, or its height changing by more than ``size_ratio``. ``aspect`` is the
    frame's width/height, so that moves are measured in pixel proportions.
    """
    b = np.asarray(boxes, float)[:, :4]
    present = np.flatnonzero(~np.isnan(b).any(axis=1))
    if present.size < 2:
        return np.zeros(0, np.int64)
    p, q = present[:-1], present[1:]
    gap = (q - p).astype(float)
    scale = np.array([aspect, 1.0])
    centre = (b[:, :2] + b[:, 2:]) / 2 * scale
    h = b[:, 3] - b[:, 1]
    hmax = np.maximum(np.maximum(h[p], h[q]), 1e-6)
    move = np.linalg.norm(centre[q] - centre[p], axis=1) / hmax / gap
    ratio = np.maximum(h[q], 1e-6) / np.maximum(h[p], 1e-6)
    bad = (move > fraction) | (ratio > size_ratio) | (ratio < 1 / size_ratio)
    if xy is not None:
        tc, tl = _torso_centre_and_length(np.asarray(xy, float) * scale)
        unit = np.nanmedian(tl[present]) if np.isfinite(tl[present]).any() else np.nan
        known = np.isfinite(tc[p]).all(axis=1) & np.isfinite(tc[q]).all(axis=1)
        if np.isfinite(unit) and unit > 0:
            tmove = np.linalg.norm(tc[q] - tc[p], axis=1) / unit - 0.25 * (gap - 1)
            torso_bad = (tmove > 2 * torso_move) | ((tmove > torso_move) & (move > 0.3))
            bad = np.where(known, torso_bad, bad)
    return q[bad].astype(np.int64)


def split_on_jumps(people: dict[int, NDArray[np.floating]], *, aspect: float = 1.0,
                   landmarks: dict[int, NDArray[np.floating]] | None = None,
                   ) -> dict[int, list[tuple[int, int]]]:
    """For each person id, the ``[start, stop)`` row ranges between identity jumps."""
    out: dict[int, list[tuple[int, int]]] = {}
    for pid, boxes in people.items():
        xy = None if landmarks is None else landmarks.get(pid)
        cuts = [0, *jump_frames(boxes, xy=xy, aspect=aspect).tolist(), len(boxes)]
        out[pid] = [(a, b) for a, b in zip(cuts[:-1], cuts[1:])
                    if not np.isnan(np.asarray(boxes)[a:b, 0]).all()]
    return out


# -- prominence ----------------------------------------------------------------------------------


def _torso(xy_px: NDArray[np.float64]) -> NDArray[np.float64]:
    sh = (xy_px[:, Joint.LEFT_SHOULDER] + xy_px[:, Joint.RIGHT_SHOULDER]) / 2
    hp = (xy_px[:, Joint.LEFT_HIP] + xy_px[:, Joint.RIGHT_HIP]) / 2
    return np.linalg.norm(sh - hp, axis=1)


#: Median-filter window (seconds) applied to each joint's path before its spread is measured.
MOTION_FILTER_S = 0.15
#: Activity (torso lengths) at which ``motion`` reaches 1, and its value for someone still.
FULL_ACTIVITY = 1.0
STILL_MOTION = 0.1


def _median_filtered(p: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """(N, J, 2) paths median-filtered along axis 0 over ``k`` rows (odd), NaN-aware."""
    if k <= 1 or len(p) < 2:
        return p
    half = k // 2
    padded = np.concatenate([np.repeat(p[:1], half, axis=0), p,
                             np.repeat(p[-1:], half, axis=0)])
    win = np.lib.stride_tricks.sliding_window_view(padded, k, axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.nanmedian(win, axis=-1)


def prominence_parts(xy: NDArray[np.floating], scores: NDArray[np.floating] | None = None, *,
                     width: int, height: int, fps: float | None = None) -> dict[str, float]:
    """The factors of :func:`prominence` for one person (see the module docstring):
    ``frames``, ``presence``, ``torso_px``, ``size``, ``activity``, ``motion``, ``clarity`` and
    their product ``score`` (0 when the person is never seen)."""
    xy_px = np.asarray(xy, float) * np.array([width, height])
    present = ~np.isnan(xy_px[:, :, 0]).all(axis=1)
    out = {"frames": int(present.sum()), "presence": float(present.mean()) if present.size
           else 0.0, "torso_px": float("nan"), "size": 0.0, "activity": 0.0, "motion": 0.0,
           "clarity": 0.0, "score": 0.0}
    if not present.any():
        return out
    pts = xy_px[present]
    torso = float(np.nanmedian(_torso(pts)))
    if not np.isfinite(torso) or torso <= 0:
        return out
    joints = [int(j) for j in _ACTIVITY_JOINTS]
    vis = (np.ones((len(pts), len(joints))) if scores is None
           else np.nan_to_num(np.asarray(scores, float)[present][:, joints]))
    k = 1 if not fps or fps <= 0 else max(1, int(round(MOTION_FILTER_S * fps))) | 1
    paths = _median_filtered(pts[:, joints], k)
    spreads, weights = [], []
    for i in range(len(joints)):
        seen = ~np.isnan(paths[:, i]).any(axis=1)
        if seen.sum() < 2:
            continue
        p = paths[seen, i]
        d = np.linalg.norm(p - np.median(p, axis=0), axis=1)
        spreads.append(np.percentile(d, 95) - np.percentile(d, 5))
        weights.append(float(vis[seen, i].mean()))
    activity = (float(np.average(spreads, weights=weights)) / torso
                if spreads and sum(weights) > 0 else 0.0)
    raw = xy_px[present][:, joints]
    with np.errstate(invalid="ignore"):
        inside = ((raw[..., 0] >= 0) & (raw[..., 0] <= width) & (raw[..., 1] >= 0)
                  & (raw[..., 1] <= height))
    clarity = float(vis[inside].mean()) if inside.any() else 0.0
    motion = STILL_MOTION + (1.0 - STILL_MOTION) * min(1.0, activity / FULL_ACTIVITY)
    size = torso / np.sqrt(width * height)
    out.update(torso_px=torso, size=float(size), activity=activity, motion=motion,
               clarity=clarity, score=float(out["presence"] * size * motion * clarity))
    return out


def prominence(xy: NDArray[np.floating], scores: NDArray[np.floating] | None = None, *,
               width: int, height: int, fps: float | None = None) -> float:
    """``presence × size × motion × clarity`` of one person (see the module docstring); 0 if
    never seen. ``scores`` (T, 33) are the landmarks' visibilities, ``fps`` the clip's rate."""
    return prominence_parts(xy, scores, width=width, height=height, fps=fps)["score"]


def choose_main(people_xy: dict[int, NDArray[np.floating]], *, width: int, height: int,
                scores: dict[int, NDArray[np.floating]] | None = None,
                fps: float | None = None) -> int | None:
    """Id of the most prominent person (lowest id on ties), None when nobody was seen.
    ``scores`` maps ids to their (T, 33) landmark visibilities; ``fps`` is the clip's rate."""
    best, best_score = None, 0.0
    for pid in sorted(people_xy):
        s = prominence(people_xy[pid], None if scores is None else scores.get(pid),
                       width=width, height=height, fps=fps)
        if s > best_score:
            best, best_score = pid, s
    return best


# -- caller's choice -----------------------------------------------------------------------------


def _match(hint: SubjectHint, boxes: NDArray[np.float64]) -> NDArray[np.float64]:
    """(T,) how well each row's box matches the hint (0 = no match)."""
    b = boxes[:, :4]
    with np.errstate(invalid="ignore"):
        if hint.point is not None:
            x, y = hint.point
            inside = (b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])
            c = (b[:, :2] + b[:, 2:]) / 2
            half = np.maximum((b[:, 2:] - b[:, :2]) / 2, 1e-6)
            closeness = 1.0 - np.clip(np.abs(np.array([x, y]) - c) / half, 0, 1).max(axis=1)
            return np.where(inside, 0.5 + 0.5 * closeness, 0.0)
        from repstride.pose.anchors import box_iou
        iou = box_iou(np.asarray(hint.box, float), np.nan_to_num(b, nan=-1.0))[0]
        return np.where(np.isnan(b[:, 0]), 0.0, iou)


def pick_subject(hint: SubjectHint, people: dict[int, NDArray[np.floating]],
                 timestamps_s: NDArray[np.floating]) -> int | None:
    """Id of the person the hint designates, or None when nobody matches it.

    With ``t_s``: the person matching best in the frame nearest ``t_s`` (within 0.5 s where
    someone matches). Without: the person with the largest total match over the clip.
    """
    ts = np.asarray(timestamps_s, float)
    best, best_score = None, 0.0
    if hint.t_s is not None and len(ts):
        order = np.argsort(np.abs(ts - hint.t_s), kind="stable")
        order = order[np.abs(ts[order] - hint.t_s) <= 0.5]
        for row in order:
            for pid in sorted(people):
                s = float(_match(hint, np.asarray(people[pid], float)[row:row + 1])[0])
                if s > best_score:
                    best, best_score = pid, s
            if best is not None:
                return best
        return None
    for pid in sorted(people):
        s = float(_match(hint, np.asarray(people[pid], float)).sum())
        if s > best_score:
            best, best_score = pid, s
    return best
