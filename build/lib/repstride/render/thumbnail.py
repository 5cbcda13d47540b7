"""A representative still: the deepest point of the best rep, mid-stance for running.

Choice of frame (first that applies):

1. running events given: the middle of the best-seen ground contact (mid-stance);
2. reps: the ``mid`` of the best rep (most ``good`` opinions, then fewest ``bad``, then the
   best-seen), which is the turning point (deepest point) of the movement;
3. otherwise the frame where the subject is seen best.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from repstride.analysis.results import ActivityResult, Rep
from repstride.analysis.track import PoseTrack
from repstride.errors import RenderFailed
from repstride.media import iter_frames
from repstride.render import draw
from repstride.render._sink import write_jpeg
from repstride.render.events import GaitEvent, events_from_strides, parse_events, stance_intervals
from repstride.render.style import Sizes


def _row_at(track: PoseTrack, t_s: float) -> int:
    return int(np.argmin(np.abs(np.asarray(track.timestamps_s, float) - t_s)))


def _seen(track: PoseTrack, rows: slice | int) -> float:
    s = np.asarray(track.score, float)[rows]
    return float(np.mean(s)) if np.size(s) else 0.0


def _rep_key(track: PoseTrack, rep: Rep) -> tuple[int, int, float]:
    good = sum(1 for a in rep.analyses if a.opinion == "good")
    bad = sum(1 for a in rep.analyses if a.opinion == "bad")
    return good, -bad, _seen(track, _row_at(track, rep.mid_ms / 1000.0))


def pick_thumbnail_row(track: PoseTrack, analysis: ActivityResult | None = None,
                       events: Iterable[GaitEvent] | None = None) -> int | None:
    """The track row to show as the thumbnail; ``None`` for an empty track."""
    if len(track) == 0:
        return None
    evs = tuple(events) if events else events_from_strides(analysis)
    stances = stance_intervals(evs)
    if stances:
        rows = [_row_at(track, (a + b) / 2.0) for _, a, b in stances]
        return max(rows, key=lambda r: _seen(track, r))
    reps = analysis.reps if analysis is not None and analysis.status == "Complete" else ()
    if reps:
        best = max(reps, key=lambda r: _rep_key(track, r))
        return _row_at(track, best.mid_ms / 1000.0)
    return int(np.argmax(np.asarray(track.score, float).mean(axis=1)))


def write_thumbnail(
    video_path: str | Path,
    track: PoseTrack,
    *,
    out_path: str | Path,
    analysis: ActivityResult | None = None,
    events: Sequence[GaitEvent | Mapping[str, Any]] | None = None,
) -> Path:
    """Decode up to the representative frame, draw the skeleton, write a JPEG. Returns the path.

    Prefer ``render_overlays(..., thumbnail_path=...)`` when overlays are rendered anyway: it
    takes the frame from the same decoding pass.
    """
    row = pick_thumbnail_row(track, analysis, parse_events(events) if events else None)
    if row is None:
        raise RenderFailed("No frame to make a thumbnail from (empty track).")
    target = int(track.frame_index[row])
    for frame in iter_frames(video_path):
        if frame.index == target:
            img = np.array(frame.rgb, copy=True)
            h, w = img.shape[:2]
            px = np.asarray(track.xy[row], float) * np.array([w, h], float)
            draw.skeleton(img, px, np.asarray(track.score[row], float), Sizes.for_frame(w, h))
            write_jpeg(out_path, img)
            return Path(out_path)
        if frame.index > target:
            break
    raise RenderFailed(f"Frame {target} of the track is not in the video.")
