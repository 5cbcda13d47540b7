"""Yard lines and cones in sprint videos (seed 001 ``fieldMarkers``), numpy + scipy only.

``detect_field_markers(frames, direction=+1)`` looks at a few decoded frames (RGB ``uint8``
arrays ``(H, W, 3)`` with their frame index and timestamp) and returns
:class:`~repstride.analysis.running.field_markers.FieldMarkers`:

- **Yard lines.** Turf is where green dominates; lines are bright, unsaturated pixels on it. A
  Hough transform restricted to near-vertical lines (a side-on camera sees the lines that cross
  the runner's path as steep segments) finds them; each accepted line has enough supporting
  pixels over at least a quarter of the turf's height, and turf on both sides (a painted line
  lies in the field; a wall edge or a beam over a green window does not), and that turf is the
  ground: it reaches the bottom quarter of the frame (foliage with sky between its branches is
  green above the horizon; the lane lines and start lines of an athletics track lie on a red or
  blue surface, not turf, so they are never yard lines either). Three consecutive
  lines with consistent spacing (5 yards each) become start, middle and finish, in the running
  direction (start is crossed first). Two lines give start and middle only.
- **Cones.** Saturated orange/red/yellow blobs on or next to turf, cone-shaped (bounding box
  roughly as tall as wide or taller, filling 30-80 % of it, wider at the bottom). The first and
  last cone along the running direction are taken as 0 and 10 yards, so they must stand at least
  as far apart as two yard lines (:data:`MIN_SPACING` of the frame width): two blobs closer than
  that are pieces of one object (a logo, a shoe), not two cones.

People's boxes (``Frame.people``; the pipeline gives the runner's from the pose track) are left
out of both searches: a bright forearm on turf is not a line, an orange shirt is not a cone.

When nothing convincing is found the result is empty (``FieldMarkers().empty``) and the sprint
distance falls back to body size. Detection is per frame; the frame with the most markers wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from repstride.analysis.running.field_markers import FieldMarker, FieldMarkers

#: Frames examined at most (spread over the clip by the caller).
MAX_FRAMES = 5
#: Width the frame is reduced to before detection (speed); positions are mapped back.
WORK_WIDTH = 480
#: Hough angle range from vertical (deg) and resolution.
MAX_TILT_DEG = 50.0
ANGLE_STEP_DEG = 1.0
#: A line needs supporting pixels along at least this fraction of the turf height.
MIN_LINE_FRACTION = 0.25
#: ... and at least this fraction of the frame height.
MIN_LINE_HEIGHT = 0.2
#: Neighbouring yard lines are at least this fraction of the frame width apart.
MIN_SPACING = 0.06
#: A yard line has turf on both sides (SIDE_OFFSET_PX to its left and right, in the reduced
#: frame) along at least this share of its length.
MIN_TURF_BOTH_SIDES = 0.6
SIDE_OFFSET_PX = 5
#: The turf beside a yard line reaches below this fraction of the frame height (the ground).
GROUND_ROWS = 0.75
#: A cone's surroundings (a ring around its box) must be at least this much turf.
CONE_TURF_RING = 0.5
#: Consecutive yard-line spacings may differ by at most this ratio (perspective).
SPACING_TOLERANCE = 0.45
#: Boxes of people are widened by this fraction of their size on each side before they are
#: left out (limbs stick out of a pose box a little).
PERSON_PAD = 0.1

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Frame:
    """One decoded frame: ``rgb (H, W, 3) uint8``, its index and timestamp (seconds), and the
    boxes ``(x1, y1, x2, y2)`` (pixels of ``rgb``) of people in it, whose bright limbs and
    coloured clothes must not be taken for lines or cones."""

    index: int
    timestamp_s: float
    rgb: NDArray[np.uint8]
    people: tuple[Box, ...] = ()


def detect_field_markers(frames: Iterable[Any], *, direction: int = 1) -> FieldMarkers:
    """Best markers over the given frames (see module docstring).

    ``frames`` holds :class:`Frame`-like objects (``index``, ``timestamp_s``, ``rgb``; e.g.
    :class:`repstride.media.Frame`) or ``(index, timestamp_s, rgb)`` tuples; at most
    :data:`MAX_FRAMES` are examined. ``direction`` is +1 when the runner moves towards +x.
    """
    best = FieldMarkers()
    best_n = 0
    for k, fr in enumerate(frames):
        if k >= MAX_FRAMES:
            break
        if isinstance(fr, tuple):
            fr = Frame(int(fr[0]), float(fr[1]), fr[2])
        elif not isinstance(fr, Frame):
            fr = Frame(int(fr.index), float(fr.timestamp_s), fr.rgb,
                       tuple(getattr(fr, "people", ())))
        found = markers_in_frame(fr, direction=direction)
        n = (found.start_line is not None) + (found.middle_line is not None) + \
            (found.finish_line is not None) + len(found.cones)
        if n > best_n:
            best, best_n = found, n
    return best


def detect_field_markers_in_video(path: str | Path, *, direction: int = 1,
                                  n_frames: int = MAX_FRAMES, max_side: int = 960,
                                  people: Mapping[int, Sequence[Box]] | None = None
                                  ) -> FieldMarkers:
    """Decode ``n_frames`` frames spread over the video and detect markers on them.

    Frames are decoded at most ``max_side`` pixels on their long side for speed; positions are
    returned in pixels of the full displayed frame, as the seed wants. ``people`` maps a frame
    index to the boxes of the people in it (pixels of the full displayed frame).
    """
    from repstride.media import iter_frames, probe

    info = probe(path)
    wanted = {int(i) for i in np.linspace(0, max(info.frames - 1, 0), max(1, n_frames)).round()}
    picked = []
    for fr in iter_frames(path, max_side=max_side):
        if fr.index in wanted:
            k = fr.rgb.shape[1] / float(info.width)
            boxes = tuple(tuple(float(v) * k for v in b)
                          for b in (people or {}).get(fr.index, ()))
            picked.append(Frame(fr.index, fr.timestamp_s, fr.rgb, boxes))  # type: ignore[arg-type]
            if len(picked) >= len(wanted):
                break
    if not picked:
        return FieldMarkers()
    found = detect_field_markers(picked, direction=direction)
    scale = info.width / float(picked[0].rgb.shape[1])
    return _scaled(found, scale) if abs(scale - 1.0) > 1e-6 else found


def _scaled(fm: FieldMarkers, k: float) -> FieldMarkers:
    def sc(m: FieldMarker | None) -> FieldMarker | None:
        return None if m is None else replace(m, x1=m.x1 * k, y1=m.y1 * k, x2=m.x2 * k,
                                              y2=m.y2 * k)

    return FieldMarkers(start_line=sc(fm.start_line), middle_line=sc(fm.middle_line),
                        finish_line=sc(fm.finish_line),
                        cones=tuple(c for c in (sc(c) for c in fm.cones) if c is not None))


def markers_in_frame(frame: Frame, *, direction: int = 1) -> FieldMarkers:
    rgb = np.asarray(frame.rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"rgb must have shape (H, W, 3), got {rgb.shape}")
    h0, w0 = rgb.shape[:2]
    step = max(1, int(round(w0 / WORK_WIDTH)))
    small = rgb[::step, ::step].astype(np.float32)
    turf = _turf_mask(small)
    person = _people_mask(turf.shape, frame.people, step)
    ts_ms = int(round(frame.timestamp_s * 1000.0))
    lines = _yard_lines(small, turf, person)
    cones = _cones(small, turf, person)

    def to_marker(kind: str, x1: float, y1: float, x2: float, y2: float) -> FieldMarker:
        return FieldMarker(kind, x1 * step, y1 * step, x2 * step, y2 * step,  # type: ignore[arg-type]
                           frame_idx=frame.index, timestamp_ms=ts_ms)

    out_lines = [to_marker("YARD_LINE", *seg) for seg in lines]
    out_cones = [to_marker("CONE", *box) for box in cones]
    # Order along the running direction at the bottom of the turf.
    y_ref = float(h0 * 0.9)
    out_lines.sort(key=lambda m: direction * m.x_at(y_ref))
    out_cones.sort(key=lambda m: direction * m.x_at(y_ref))
    chosen = _consistent_run(out_lines, y_ref, direction)
    return FieldMarkers(
        start_line=chosen[0] if len(chosen) > 0 else None,
        middle_line=chosen[1] if len(chosen) > 1 else None,
        finish_line=chosen[2] if len(chosen) > 2 else None,
        cones=tuple(out_cones) if len(out_cones) >= 2 and _far_apart(out_cones, w0, y_ref)
        else (),
    )


# -- masks ---------------------------------------------------------------------------------------


def _turf_mask(img: NDArray[np.float32]) -> NDArray[np.bool_]:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    green = (g > r * 1.08) & (g > b * 1.08) & (g > 40)
    # Close small holes (the lines themselves, players) so lines count as "on turf".
    return ndimage.binary_closing(green, structure=np.ones((7, 7)), iterations=2)


def _people_mask(shape: tuple[int, int], boxes: Sequence[Box], step: int) -> NDArray[np.bool_]:
    """The (padded) people boxes on the reduced frame."""
    h, w = shape
    out = np.zeros(shape, bool)
    for x1, y1, x2, y2 in boxes:
        if not all(np.isfinite(v) for v in (x1, y1, x2, y2)):
            continue
        px, py = PERSON_PAD * (x2 - x1), PERSON_PAD * (y2 - y1)
        c0, c1 = max(0, int((x1 - px) / step)), min(w, int(np.ceil((x2 + px) / step)) + 1)
        r0, r1 = max(0, int((y1 - py) / step)), min(h, int(np.ceil((y2 + py) / step)) + 1)
        out[r0:r1, c0:c1] = True
    return out


def _white_mask(img: NDArray[np.float32]) -> NDArray[np.bool_]:
    mx, mn = img.max(axis=2), img.min(axis=2)
    return (mn > 160) & (mx - mn < 45)


# -- yard lines ----------------------------------------------------------------------------------


def _yard_lines(img: NDArray[np.float32], turf: NDArray[np.bool_], person: NDArray[np.bool_]
                ) -> list[tuple[float, float, float, float]]:
    """Near-vertical white segments on turf, outside people, as (x1, y1, x2, y2), top first."""
    h, w = turf.shape
    if turf.mean() < 0.15:
        return []
    ground = _ground_turf(turf)
    white = _white_mask(img) & ndimage.binary_dilation(turf, iterations=3) & ~person
    ys, xs = np.nonzero(white)
    if xs.size < 50:
        return []
    turf_rows = np.flatnonzero(turf.mean(axis=1) > 0.3)
    turf_h = (turf_rows.max() - turf_rows.min() + 1) if turf_rows.size else h
    # Hough over x = rho + y * tan(theta): lines parametrised by their x at y = 0 and tilt.
    thetas = np.radians(np.arange(-MAX_TILT_DEG, MAX_TILT_DEG + 1e-9, ANGLE_STEP_DEG))
    tans = np.tan(thetas)
    rho_min, rho_max = -h * np.tan(np.radians(MAX_TILT_DEG)), w + h * np.tan(np.radians(MAX_TILT_DEG))
    n_rho = int(rho_max - rho_min) + 1
    acc = np.zeros((thetas.size, n_rho), np.int32)
    for i, t in enumerate(tans):
        rho = np.round(xs - ys * t - rho_min).astype(int)
        np.add.at(acc[i], rho, 1)
    min_votes = MIN_LINE_FRACTION * turf_h * 0.8
    found: list[tuple[float, float, float, float]] = []
    acc_f = ndimage.uniform_filter1d(acc.astype(float), size=3, axis=1)
    for _ in range(12):
        i, j = np.unravel_index(int(np.argmax(acc_f)), acc_f.shape)
        if acc_f[i, j] < min_votes / 3.0:
            break
        t = tans[i]
        rho = j + rho_min
        # Pixels within 2 px of the line: the segment's extent along y.
        d = np.abs(xs - ys * t - rho)
        on = d <= 2.0
        if on.sum() >= min_votes:
            yy = ys[on]
            # Longest run of rows with support (gaps up to 4 % of the height).
            rows = np.unique(yy)
            gaps = np.flatnonzero(np.diff(rows) > max(3, 0.04 * h))
            seg_starts = np.concatenate([[0], gaps + 1])
            seg_ends = np.concatenate([gaps, [rows.size - 1]])
            k = int(np.argmax(rows[seg_ends] - rows[seg_starts]))
            y1, y2 = float(rows[seg_starts[k]]), float(rows[seg_ends[k]])
            seg = (rho + y1 * t, y1, rho + y2 * t, y2)
            if y2 - y1 >= max(MIN_LINE_FRACTION * turf_h, MIN_LINE_HEIGHT * h) and \
                    _turf_both_sides(ground, seg) >= MIN_TURF_BOTH_SIDES:
                found.append(seg)
        # Suppress this peak's neighbourhood (nearby angles and offsets).
        lo_i, hi_i = max(0, i - 6), min(thetas.size, i + 7)
        lo_j, hi_j = max(0, j - 12), min(n_rho, j + 13)
        acc_f[lo_i:hi_i, lo_j:hi_j] = 0
    # Drop near-duplicates (the same painted line found at a slightly different tilt): the
    # stronger one (found first) is kept when two are close at the bottom of the turf.
    y_ref = float(turf_rows.max()) if turf_rows.size else float(h - 1)

    def x_bottom(seg: tuple[float, float, float, float]) -> float:
        x1, y1, x2, y2 = seg
        return x1 + (y_ref - y1) * (x2 - x1) / (y2 - y1) if y2 != y1 else x1

    out: list[tuple[float, float, float, float]] = []
    for seg in found:
        if all(abs(x_bottom(seg) - x_bottom(o)) > 0.5 * MIN_SPACING * w for o in out):
            out.append(seg)
    return out


def _ground_turf(turf: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The turf regions that reach the bottom quarter of the frame (see module docstring)."""
    labels, n = ndimage.label(turf)
    if n == 0:
        return turf
    low = np.unique(labels[int(GROUND_ROWS * turf.shape[0]):])
    return np.isin(labels, low[low > 0])


def _far_apart(cones: list[FieldMarker], width: int, y_ref: float) -> bool:
    """The outermost cones are at least :data:`MIN_SPACING` of the frame width apart."""
    xs = [c.x_at(y_ref) for c in cones]
    return max(xs) - min(xs) >= MIN_SPACING * width


def _turf_both_sides(turf: NDArray[np.bool_], seg: tuple[float, float, float, float]) -> float:
    """Share of points along ``seg`` with turf on both sides (a painted line lies on the field;
    a beam, a door frame or a forearm has something else beside it)."""
    h, w = turf.shape
    x1, y1, x2, y2 = seg
    n = max(8, int(abs(y2 - y1)))
    ys = np.linspace(y1, y2, n)
    xs = np.linspace(x1, x2, n)
    hits = 0
    for x, y in zip(xs, ys):
        yi = int(round(y))
        left, right = int(round(x - SIDE_OFFSET_PX)), int(round(x + SIDE_OFFSET_PX))
        if 0 <= yi < h and 0 <= left and right < w and turf[yi, left] and turf[yi, right]:
            hits += 1
    return hits / n


def _consistent_run(lines: list[FieldMarker], y_ref: float, direction: int) -> list[FieldMarker]:
    """Up to three consecutive lines (in running order) with consistent 5-yard spacing."""
    if len(lines) < 2:
        return []
    xs = [m.x_at(y_ref) for m in lines]
    width = max(max(m.x1, m.x2) for m in lines) / 0.95  # a lower bound of the frame width
    if min(abs(b - a) for a, b in zip(xs, xs[1:])) < MIN_SPACING * width:
        return []
    best: list[FieldMarker] = lines[:2]
    for s in range(len(lines) - 2):
        a, b = abs(xs[s + 1] - xs[s]), abs(xs[s + 2] - xs[s + 1])
        if min(a, b) > 0 and max(a, b) / min(a, b) <= 1 + SPACING_TOLERANCE:
            return lines[s:s + 3]
    return best


# -- cones ---------------------------------------------------------------------------------------


def _cones(img: NDArray[np.float32], turf: NDArray[np.bool_], person: NDArray[np.bool_]
           ) -> list[tuple[float, float, float, float]]:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    mx, mn = img.max(axis=2), img.min(axis=2)
    sat = (mx - mn) / np.maximum(mx, 1.0)
    # Orange / red / yellow: red channel leads, blue is low, strongly saturated and bright.
    warm = (r >= g) & (r > b * 1.6) & (sat > 0.55) & (mx > 120)
    near_turf = ndimage.binary_dilation(turf, iterations=6)
    mask = ndimage.binary_opening(warm & near_turf & ~person, iterations=1)
    labels, n = ndimage.label(mask)
    if n == 0:
        return []
    h, w = mask.shape
    if turf.mean() < 0.15:
        return []
    out = []
    for sl, lab in zip(ndimage.find_objects(labels), range(1, n + 1)):
        if sl is None:
            continue
        bh, bw = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        area = int((labels[sl] == lab).sum())
        if area < 12 or bh < 4 or bw < 3 or bh > 0.4 * h or bw > 0.2 * w:
            continue
        fill = area / float(bh * bw)
        if not (0.6 <= bh / bw <= 3.0 and 0.3 <= fill <= 0.85):
            continue
        blob = labels[sl] == lab
        top, bottom = blob[: max(1, bh // 3)].sum(), blob[-max(1, bh // 3):].sum()
        if bottom < top * 1.2:
            continue  # a cone is wider at its base
        y0, y1 = max(0, sl[0].start - bh), min(h, sl[0].stop + bh // 2)
        x0, x1 = max(0, sl[1].start - bw), min(w, sl[1].stop + bw)
        ring = np.ones((y1 - y0, x1 - x0), bool)
        ring[sl[0].start - y0: sl[0].stop - y0, sl[1].start - x0: sl[1].stop - x0] = False
        if turf[y0:y1, x0:x1][ring].mean() < CONE_TURF_RING:
            continue  # not standing on turf
        out.append((float(sl[1].start), float(sl[0].start), float(sl[1].stop - 1),
                    float(sl[0].stop - 1)))
    return out
