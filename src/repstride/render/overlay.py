"""Overlay videos: ``skeleton`` (the wireframe), ``all`` (wireframe + reps + analytics) and the
running annotated video of the Running Analysis API.

The input is decoded once, frame by frame (never held in memory), and every requested output is
written in the same pass, so the worker can make both overlays and the thumbnail for the cost of
one decode. Frames come from :func:`repstride.media.iter_frames` already in displayed
orientation, so the outputs carry no rotation tag and look the same as the input in a player.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.results import ActivityResult, Rep
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput, RenderFailed, RepstrideError
from repstride.media import iter_frames, probe
from repstride.render import draw, style
from repstride.render._sink import (
    DEFAULT_CRF,
    DEFAULT_PRESET,
    BackgroundWriter,
    open_video,
    prefetched,
    write_jpeg,
)
from repstride.render.angles import JointAngleSeries, analysis_view, main_joint_angle
from repstride.render.events import GaitEvent, events_from_strides, parse_events, stance_intervals
from repstride.render.labels import analysis_line, metric_lines, pretty_name
from repstride.render.style import Color, Sizes
from repstride.render.thumbnail import pick_thumbnail_row

OverlayKind = Literal["skeleton", "all", "running"]
OVERLAY_KINDS: tuple[str, ...] = ("skeleton", "all", "running")
#: progress(frames done, frames expected)
ProgressFn = Callable[[int, int], None]

MAX_ANALYSIS_LINES = 6
"""Rep analyses listed on the ``all`` overlay (the panel must not cover the athlete)."""
OVERLAY_MAX_SIDE = 1280
"""Longer side of overlay videos in pixels (720p): plenty to judge form on any screen, and it
keeps H.264 encoding of 1080p/4K inputs cheap. ``None`` keeps the input's size."""
OTHER_PERSON_IOU = 0.5
"""A box overlapping the subject's box this much is the subject, not another person."""


@dataclass(frozen=True, eq=False)
class _Scene:
    """Everything precomputed once per video; painting a frame only indexes into it."""

    track: PoseTrack
    px: NDArray[np.float64]  # (T, J, 2) pixels of the output frame
    row_of: dict[int, int]
    sizes: Sizes
    analysis: ActivityResult | None
    reps: tuple[Rep, ...]
    rep_end_s: NDArray[np.float64]
    angle: JointAngleSeries
    others: list[NDArray[np.float64]]  # (T, 4) pixel boxes of other people
    events: tuple[GaitEvent, ...]
    stances: list[tuple[str, float, float]]
    t0: float
    t1: float
    metrics: Mapping[str, Any] | None = None
    cache: dict[str, Any] = field(default_factory=dict)


def _iou(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    ix = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = ix * iy
    area = lambda r: (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (area(a) + area(b) - inter)


def _other_people(track: PoseTrack, people: Mapping[int, NDArray] | None, subject_id: int | None,
                  width: int, height: int) -> list[NDArray[np.float64]]:
    out = []
    scale = np.array([width, height, width, height], float)
    for pid, arr in (people or {}).items():
        if subject_id is not None and pid == subject_id:
            continue
        boxes = np.asarray(arr, float)
        if boxes.ndim != 2 or boxes.shape[0] != len(track) or boxes.shape[1] < 4:
            raise InvalidInput(f"people[{pid}] must have shape (T={len(track)}, 4 or 5), "
                               f"got {boxes.shape}")
        boxes = boxes[:, :4].copy()
        if subject_id is None:
            # Without an id, hide the rows where this "person" is really the subject.
            same = np.nan_to_num(_iou(boxes, np.asarray(track.bbox, float))) > OTHER_PERSON_IOU
            boxes[same] = np.nan
        out.append(boxes * scale)
    return out


def _scene(track: PoseTrack, *, width: int, height: int, analysis: ActivityResult | None,
           people: Mapping[int, NDArray] | None, subject_id: int | None,
           events: Sequence[GaitEvent], metrics: Mapping[str, Any] | None,
           duration_s: float) -> _Scene:
    reps = tuple(sorted(analysis.reps, key=lambda r: r.start_ms)) if analysis else ()
    evs = tuple(events) if events else ()
    ts = np.asarray(track.timestamps_s, float)
    t0 = float(ts[0]) if len(ts) else 0.0
    t1 = max(float(ts[-1]) if len(ts) else 0.0, duration_s, t0 + 1e-3)
    return _Scene(
        track=track,
        px=np.asarray(track.xy, float) * np.array([width, height], float),
        row_of={int(f): r for r, f in enumerate(track.frame_index)},
        sizes=Sizes.for_frame(width, height),
        analysis=analysis,
        reps=reps,
        rep_end_s=np.array([r.end_ms / 1000.0 for r in reps], float),
        angle=main_joint_angle(track, analysis.activity if analysis else None,
                               view=analysis_view(analysis)),
        others=_other_people(track, people, subject_id, width, height),
        events=evs,
        stances=stance_intervals(evs),
        t0=t0, t1=t1, metrics=metrics,
    )


# -- painters ---------------------------------------------------------------------------------


def _paint_skeleton(img: NDArray[np.uint8], sc: _Scene, row: int | None) -> None:
    if row is None:
        return
    for boxes in sc.others:
        draw.faint_box(img, boxes[row], sc.sizes)
    draw.skeleton(img, sc.px[row], sc.track.score[row], sc.sizes)


def _current_rep(sc: _Scene, t: float, *, finished_only: bool = False) -> tuple[int, Rep] | None:
    """The rep under way at ``t``, else the last finished one (its numbers stay up until the next).

    ``finished_only`` (sprints, whose strides overlap: the next toe-off comes before the previous
    foot lands) shows the last finished stride, so the panel agrees with the counter.
    """
    current = None
    for i, r in enumerate(sc.reps):
        if (r.end_ms if finished_only else r.start_ms) / 1000.0 <= t + 1e-6:
            current = (i, r)
        elif not finished_only:
            break
    if current is None and finished_only and sc.reps and sc.reps[0].start_ms / 1000.0 <= t:
        current = (0, sc.reps[0])
    return current


def _main_joint_decor(img: NDArray[np.uint8], sc: _Scene, row: int | None) -> None:
    sz = sc.sizes
    h, w = img.shape[:2]
    deg = None
    if row is not None:
        a, b, c = (sc.px[row, int(j)] for j in sc.angle.joints)
        d = sc.angle.degrees[row]
        if np.isfinite(d):
            deg = float(d)
            draw.joint_arc(img, a, b, c, sz)
    radius = max(18, round(46 * sz.scale))
    centre = (w - sz.margin * 2 - radius, _top(sc) + sz.margin + radius)
    draw.gauge(img, centre, radius, deg, sc.angle.joint.label, sz,
               cache=sc.cache)


def _top(sc: _Scene) -> int:
    """Where panels start: below the contact strip when there is one."""
    if sc.events:
        return sc.sizes.margin // 2 + draw.strip_height(sc.sizes) + sc.sizes.margin // 2
    return sc.sizes.margin


def _paint_events(img: NDArray[np.uint8], sc: _Scene, row: int | None, t: float) -> None:
    if not sc.events:
        return
    draw.events_strip(img, sc.stances, sc.t0, sc.t1, t, sc.sizes)
    if row is None:
        return
    for side, a, b in sc.stances:
        if a <= t <= b:
            foot = Joint.LEFT_HEEL if side == "left" else Joint.RIGHT_HEEL
            toe = Joint.LEFT_FOOT_INDEX if side == "left" else Joint.RIGHT_FOOT_INDEX
            p = np.nanmean(sc.px[row, [int(foot), int(toe)]], axis=0)
            if np.isfinite(p).all():
                draw.ring(img, p, max(6, round(16 * sc.sizes.scale)),
                          style.LEFT if side == "left" else style.RIGHT, sc.sizes)


def _paint_all(img: NDArray[np.uint8], sc: _Scene, row: int | None, t: float) -> None:
    """What the ``all`` overlay adds to the skeleton (drawn once for every output)."""
    _main_joint_decor(img, sc, row)
    sz = sc.sizes
    lines: list[tuple[str, Color, float]] = []
    a = sc.analysis
    if a is None:
        pass
    elif a.status != "Complete":
        lines.append((f"Analysis failed: {a.reason or 'unknown'}", style.BAD, 1.0))
    else:
        title = pretty_name(a.activity) if a.activity else "Activity not recognised"
        lines.append((title, style.MUTED, 1.0))
        noun = "STRIDES" if a.activity == "sprint" else "REPS"
        done = int(np.count_nonzero(sc.rep_end_s <= t + 1e-6))
        lines.append((f"{noun} {done}", style.NEUTRAL, 1.7))
        cur = _current_rep(sc, t, finished_only=a.activity == "sprint")
        if cur is not None:
            i, rep = cur
            lines.append((f"{'Stride' if noun == 'STRIDES' else 'Rep'} {i + 1}", style.MUTED, 0.9))
            shown = [x for x in (analysis_line(an) for an in rep.analyses) if x is not None]
            lines.extend((s, c, 0.85) for s, c in shown[:MAX_ANALYSIS_LINES])
    draw.text_panel(img, lines, (sz.margin, _top(sc)), sz, cache=sc.cache)
    _paint_events(img, sc, row, t)


def _paint_running(img: NDArray[np.uint8], sc: _Scene, row: int | None, t: float) -> None:
    """What the ``running`` video adds to the skeleton."""
    _main_joint_decor(img, sc, row)
    sz = sc.sizes
    lines: list[tuple[str, Color, float]] = [("Running analysis", style.MUTED, 1.0)]
    lines.extend((s, style.NEUTRAL, 0.85) for s in metric_lines(sc.metrics))
    n_contacts = sum(1 for e in sc.events if e.kind == "TD" and e.time_s <= t + 1e-6)
    if sc.events:
        lines.append((f"Steps {n_contacts}", style.NEUTRAL, 1.3))
    draw.text_panel(img, lines, (sz.margin, _top(sc)), sz, cache=sc.cache)
    _paint_events(img, sc, row, t)


#: What each kind draws on top of the skeleton, which every kind (and the thumbnail) shares:
#: it is drawn once per frame, before the frame is copied for each output.
_PAINTERS: dict[str, Callable[[NDArray[np.uint8], _Scene, int | None, float], None]] = {
    "skeleton": lambda img, sc, row, t: None,
    "all": _paint_all,
    "running": _paint_running,
}


# -- the pass ---------------------------------------------------------------------------------


def render_overlays(
    video_path: str | Path,
    track: PoseTrack,
    outputs: Mapping[str, str | Path],
    *,
    analysis: ActivityResult | None = None,
    people: Mapping[int, NDArray] | None = None,
    subject_id: int | None = None,
    events: Sequence[GaitEvent | Mapping[str, Any]] | None = None,
    metrics: Mapping[str, Any] | None = None,
    thumbnail_path: str | Path | None = None,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
    max_side: int | None = OVERLAY_MAX_SIDE,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """Decode ``video_path`` once and write one MP4 per ``outputs`` entry (kind -> path).

    ``kind`` is ``"skeleton"``, ``"all"`` or ``"running"`` (the Running Analysis API's annotated
    video, which shows ``metrics`` — a plain ``{name: value}`` dict — and gait ``events``; see
    :mod:`repstride.render.events`). ``people`` maps person id to ``(T, 4|5)`` normalised boxes
    aligned with ``track`` rows; the subject (``subject_id``) is not boxed. With
    ``thumbnail_path`` a JPEG of the representative frame (skeleton drawn) is written too.

    Outputs keep the input's frame count, timing (fps, duration, VFR timestamps) and displayed
    orientation; frames larger than ``max_side`` on their longer side are downscaled (in the
    decoder) to keep rendering well under the pose stage's time. Returns kind -> path (plus
    ``"thumbnail"`` when requested).
    """
    unknown = set(outputs) - set(OVERLAY_KINDS)
    if unknown:
        raise InvalidInput(f"unknown overlay kind(s) {sorted(unknown)}; "
                           f"accepted: {list(OVERLAY_KINDS)}")
    if not outputs and thumbnail_path is None:
        return {}
    info = probe(video_path)
    fps = info.fps if info.fps > 0 else track.fps
    evs = parse_events(events) if events else events_from_strides(analysis)
    thumb_row = pick_thumbnail_row(track, analysis, evs) if thumbnail_path else None
    thumb_frame = None if thumb_row is None else int(track.frame_index[thumb_row])
    written: dict[str, Path] = {}
    try:
        with ExitStack() as stack:
            sc: _Scene | None = None
            writers: dict[str, Any] = {}
            last_t = -np.inf
            frames = stack.enter_context(prefetched(iter_frames(video_path, max_side=max_side)))
            for frame in frames:
                base = frame.rgb
                if sc is None:
                    # Sizes are known once the first (possibly downscaled) frame is decoded.
                    h, w = base.shape[:2]
                    sc = _scene(track, width=w, height=h, analysis=analysis, people=people,
                                subject_id=subject_id, events=evs, metrics=metrics,
                                duration_s=info.duration_s)
                    writers = {k: stack.enter_context(BackgroundWriter(stack.enter_context(
                        open_video(p, fps=fps, width=w, height=h, crf=crf, preset=preset,
                                   duration_s=info.duration_s))))
                        for k, p in outputs.items()}
                row = sc.row_of.get(frame.index)
                t = float(track.timestamps_s[row]) if row is not None else frame.timestamp_s
                # The writer needs strictly increasing times; a repeated stamp gets one tick more.
                ts = frame.timestamp_s if frame.timestamp_s > last_t else last_t + 1.0 / fps
                last_t = ts
                if not base.flags.writeable:
                    base = np.array(base, copy=True)
                _paint_skeleton(base, sc, row)  # shared by every output and the thumbnail
                if thumb_frame is not None and frame.index == thumb_frame:
                    write_jpeg(thumbnail_path, base)  # type: ignore[arg-type]
                    written["thumbnail"] = Path(thumbnail_path)  # type: ignore[arg-type]
                for i, (k, writer) in enumerate(writers.items()):
                    # The last output may draw on the frame itself; others need a copy.
                    img = base if i == len(writers) - 1 else np.array(base, copy=True)
                    _PAINTERS[k](img, sc, row, t)
                    # The source's own timestamps: a VFR input stays in sync and as long.
                    writer.write(img, timestamp_s=ts)
                if progress is not None:
                    progress(frame.index + 1, info.frames)
            if sc is None:
                raise RenderFailed("The video has no decodable frame to draw on.")
    except RepstrideError:
        raise
    except Exception as exc:  # PyAV/FFmpeg/OpenCV failures become our error with a stable code
        raise RenderFailed(f"Rendering failed: {exc}") from exc
    written.update({k: Path(p) for k, p in outputs.items()})
    return written


def render_overlay(
    video_path: str | Path,
    track: PoseTrack,
    *,
    kind: str,
    analysis: ActivityResult | None = None,
    people: Mapping[int, NDArray] | None = None,
    out_path: str | Path,
    subject_id: int | None = None,
    crf: int = DEFAULT_CRF,
    max_side: int | None = OVERLAY_MAX_SIDE,
) -> Path:
    """One overlay video (``kind`` = ``"skeleton"`` or ``"all"``); see :func:`render_overlays`."""
    if kind not in ("skeleton", "all"):
        raise InvalidInput(f"unknown overlay kind {kind!r}; accepted: ['skeleton', 'all']")
    return render_overlays(video_path, track, {kind: out_path}, analysis=analysis, people=people,
                           subject_id=subject_id, crf=crf, max_side=max_side)[kind]


def render_running_video(
    video_path: str | Path,
    track: PoseTrack,
    *,
    metrics: Mapping[str, Any] | None,
    events: Sequence[GaitEvent | Mapping[str, Any]] | None,
    out_path: str | Path,
    thumbnail_path: str | Path | None = None,
    crf: int = DEFAULT_CRF,
    max_side: int | None = OVERLAY_MAX_SIDE,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """The Running Analysis API's annotated video (and optionally its thumbnail) in one pass;
    ``progress(frames done, frames expected)`` as in :func:`render_overlays`."""
    return render_overlays(video_path, track, {"running": out_path}, metrics=metrics,
                           events=events, thumbnail_path=thumbnail_path, crf=crf,
                           max_side=max_side, progress=progress)
