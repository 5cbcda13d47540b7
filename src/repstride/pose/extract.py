"""Video -> PoseResult: every person tracked, the subject's BlazePose track, people's boxes.

The stage runs the BlazePose ``.tflite`` models directly (see :mod:`repstride.pose.models`;
the Full landmark model by default, Heavy with ``model="heavy"``): a person detector finds everyone, the landmark model follows each
person on a rotated region derived from their previous landmarks, and :mod:`.tracker` keeps ids
stable. Decoding runs on its own thread and feeds the models through a short queue, so decoding
and inference overlap on two cores. After the last frame, tracks are cut wherever an id would
jump to another person, the subject is chosen (most prominent, or the caller's ``subject=``), and
left/right label swaps in the subject's track are repaired. Landmarks are kept raw (not
smoothed); :func:`repstride.pose.smooth.smooth_track` gives the smoothed version.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import NUM_JOINTS, PoseTrack
from repstride.errors import EmptyVideo, InvalidInput, SubjectNotFound
from repstride.media import VideoInfo, iter_frames, probe
from repstride.pose.models import PoseDetector, PoseLandmarker, resolve_model
from repstride.pose.smooth import DEFAULT_CUTOFF_HZ, fix_left_right_swaps, smooth_track
from repstride.pose.subject import SubjectHint, choose_main, pick_subject, split_on_jumps
from repstride.pose.tracker import Observation, PersonTracker

ProgressFn = Callable[[int, int], None]  # (frames done, frames expected)

#: How often the person detector looks for newcomers while everyone is tracked (seconds).
DETECT_EVERY_S = 0.33
#: How long a lost person keeps their id waiting to be detected again (seconds).
MAX_MISSING_S = 0.7
#: Frames buffered between the decode thread and the models.
QUEUE_FRAMES = 8
BACKEND = "blazepose-full/litert"

_running = 0  # pose stages running in this process now (the embedded server runs several)
_running_lock = threading.Lock()


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


_threads_hint: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "repstride_pose_threads", default=None)


@contextmanager
def model_threads(n: int | None) -> Iterator[None]:
    """Within the block (this thread / context), pose stages that are not given ``num_threads``
    use ``n`` threads per model call: a worker that knows its current load sets it around a job."""
    token = _threads_hint.set(None if n is None else max(1, int(n)))
    try:
        yield
    finally:
        _threads_hint.reset(token)


def auto_threads(jobs: int | None = None) -> int:
    """Threads per model call for a stage starting now: the usable cores shared by ``jobs``
    concurrent pose stages. Default: the worker's choice (:func:`model_threads`) if one is set,
    else the pose stages running in this process plus this one. A lone job gets every core,
    two or more on two cores get one each."""
    if jobs is None:
        hint = _threads_hint.get()
        if hint is not None:
            return hint
        with _running_lock:
            jobs = _running + 1
    return max(1, usable_cores() // max(1, jobs))


def backend_name(model: str) -> str:
    return f"blazepose-{model}/litert"


@dataclass(frozen=True, eq=False)
class PoseResult:
    """The subject's track plus every tracked person's boxes (the Video API's ``objects``)."""

    info: VideoInfo
    track: PoseTrack
    #: person id -> (T, 5) array ``x1, y1, x2, y2, score`` normalised, NaN where absent.
    people: dict[int, np.ndarray] = field(default_factory=dict)
    subject_id: int | None = None

    def smoothed(self, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ) -> PoseTrack:
        """The subject's track smoothed for analysis (zero-phase Butterworth, gaps kept)."""
        return smooth_track(self.track, cutoff_hz=cutoff_hz)


@dataclass(frozen=True)
class _Decoded:
    index: int
    timestamp_s: float
    rgb: NDArray[np.uint8]


_END = object()


def _decode_ahead(path: str | Path, *, max_frames: int | None = None) -> Iterator[_Decoded]:
    """Frames decoded on a background thread, at most :data:`QUEUE_FRAMES` ahead."""
    q: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for n, frame in enumerate(iter_frames(path)):
                if max_frames is not None and n >= max_frames:
                    break
                if not put(_Decoded(frame.index, frame.timestamp_s, frame.rgb)):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, re-raised there
            put(exc)

    thread = threading.Thread(target=work, name="repstride-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _people_arrays(obs: dict[int, list[Observation]], n: int, width: int,
                   height: int) -> dict[int, dict[str, NDArray[np.float64]]]:
    scale = np.array([width, height], float)
    out: dict[int, dict[str, NDArray[np.float64]]] = {}
    for pid, rows in obs.items():
        boxes = np.full((n, 5), np.nan)
        xy = np.full((n, NUM_JOINTS, 2), np.nan)
        vis = np.zeros((n, NUM_JOINTS))
        world = np.full((n, NUM_JOINTS, 3), np.nan)
        for o in rows:
            t = o.frame
            boxes[t, :4] = o.box / np.tile(scale, 2)
            boxes[t, 4] = o.landmarks.pose_score
            xy[t] = o.landmarks.xy / scale
            vis[t] = o.landmarks.visibility
            world[t] = o.landmarks.world
        out[pid] = {"boxes": boxes, "xy": xy, "score": vis, "world": world}
    return out


def _split(people: dict[int, dict[str, NDArray[np.float64]]],
           aspect: float) -> dict[int, dict[str, NDArray[np.float64]]]:
    """Cut each person's arrays at identity jumps; later pieces get fresh ids."""
    segments = split_on_jumps({p: v["boxes"] for p, v in people.items()}, aspect=aspect,
                              landmarks={p: v["xy"] for p, v in people.items()})
    next_id = max(people, default=-1) + 1
    out: dict[int, dict[str, NDArray[np.float64]]] = {}
    for pid in sorted(people):
        for k, (a, b) in enumerate(segments[pid]):
            piece = {}
            for name, arr in people[pid].items():
                blank = np.zeros_like(arr) if name == "score" else np.full_like(arr, np.nan)
                blank[a:b] = arr[a:b]
                piece[name] = blank
            if k == 0:
                out[pid] = piece
            else:
                out[next_id] = piece
                next_id += 1
    return out


@dataclass(frozen=True, eq=False)
class TrackedPeople:
    """Everyone tracked in a clip, before a subject is chosen (cheap to choose again).

    ``people[id]`` holds ``boxes`` (T, 5), ``xy`` (T, 33, 2) normalised, ``score`` (T, 33) and
    ``world`` (T, 33, 3), NaN (score 0) where that person is absent. Ids are cut at identity
    jumps, so one id is one person.
    """

    info: VideoInfo
    people: dict[int, dict[str, NDArray[np.float64]]]
    timestamps_s: NDArray[np.float64]
    frame_index: NDArray[np.int64]
    fps: float
    width: int
    height: int
    stats: dict[str, Any]
    model: str = "full"

    def subject_id(self, subject: object | None = None) -> int | None:
        """The caller's subject (see :func:`extract_pose`) or the most prominent person."""
        if subject is None:
            return choose_main({p: v["xy"] for p, v in self.people.items()}, width=self.width,
                               height=self.height,
                               scores={p: v["score"] for p, v in self.people.items()},
                               fps=self.fps)
        try:
            hint = SubjectHint.parse(subject)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"invalid subject: {exc}") from exc
        pid = pick_subject(hint, {p: v["boxes"] for p, v in self.people.items()},
                           self.timestamps_s)
        if pid is None:
            raise SubjectNotFound(details={"subject": repr(subject)})
        return pid

    def result(self, subject: object | None = None) -> PoseResult:
        """The :class:`PoseResult` for ``subject`` (None: the most prominent person)."""
        sid = self.subject_id(subject)
        n = len(self.timestamps_s)
        track = _subject_track(self.people.get(sid) if sid is not None else None, n,
                               self.timestamps_s, self.frame_index, self.fps, self.width,
                               self.height)
        track, _ = fix_left_right_swaps(track)
        meta = {
            **track.meta, "backend": backend_name(self.model), "subject_id": sid, "people_seen": len(self.people),
            "coverage": float(track.detected.mean()) if n else 0.0, **self.stats,
        }
        return PoseResult(info=self.info, track=track.replace(meta=meta),
                          people={p: v["boxes"] for p, v in self.people.items()},
                          subject_id=sid)


def track_people(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    detect_every_s: float = DETECT_EVERY_S,
    max_missing_s: float = MAX_MISSING_S,
    num_threads: int | None = None,
    max_frames: int | None = None,
    model: str | None = None,
) -> TrackedPeople:
    """Run the detector, landmark model and tracker over the clip (see :func:`extract_pose`)."""
    global _running
    model = resolve_model(model)
    info = probe(path)
    threads = auto_threads() if num_threads is None else max(1, int(num_threads))
    with _running_lock:
        _running += 1
    try:
        return _track_people(path, info, progress=progress, detect_every_s=detect_every_s,
                             max_missing_s=max_missing_s, num_threads=threads,
                             max_frames=max_frames, model=model)
    finally:
        with _running_lock:
            _running -= 1


def _track_people(path: str | Path, info: VideoInfo, *, progress: ProgressFn | None,
                  detect_every_s: float, max_missing_s: float, num_threads: int,
                  max_frames: int | None, model: str) -> TrackedPeople:
    fps = info.fps if info.fps and info.fps > 0 else 30.0
    detector = PoseDetector(num_threads=num_threads)
    landmarker = PoseLandmarker(num_threads=num_threads, model=model)
    tracker: PersonTracker | None = None
    ts: list[float] = []
    idx: list[int] = []
    width, height = info.width, info.height
    expected = max(info.frames, 1)
    started = time.perf_counter()
    for n, fr in enumerate(_decode_ahead(path, max_frames=max_frames)):
        if tracker is None:
            height, width = fr.rgb.shape[:2]
            tracker = PersonTracker(
                detector, landmarker, width=width, height=height,
                detect_every=max(1, round(detect_every_s * fps)),
                max_missing=max(1, round(max_missing_s * fps)))
        tracker.step(n, fr.rgb)
        ts.append(fr.timestamp_s)
        idx.append(fr.index)
        if progress is not None:
            progress(n + 1, max(expected, n + 1))
    elapsed = time.perf_counter() - started
    if tracker is None:
        raise EmptyVideo()
    raw = _people_arrays(tracker.observations(), len(ts), width, height)
    people = _split(raw, aspect=width / height)
    stats = {**tracker.stats, "stage_fps": len(ts) / elapsed if elapsed > 0 else None,
             "tracker_ids": len(raw), "identity_cuts": len(people) - len(raw),
             "model_threads": num_threads}
    return TrackedPeople(info=info, people=people, timestamps_s=np.asarray(ts, float),
                         frame_index=np.asarray(idx, np.int64), fps=fps, width=width,
                         height=height, stats=stats, model=model)


def extract_pose(
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    subject: object | None = None,
    detect_every_s: float = DETECT_EVERY_S,
    max_missing_s: float = MAX_MISSING_S,
    num_threads: int | None = None,
    max_frames: int | None = None,
    model: str | None = None,
) -> PoseResult:
    """Track everyone in the video at ``path`` and return the subject's pose.

    Parameters
    ----------
    subject
        Who the subject is: ``None`` for the most prominent person (see
        :mod:`repstride.pose.subject`), a point ``(x, y)`` or box ``(x1, y1, x2, y2)`` normalised
        to the displayed frame, a ``{"point"|"box": ..., "t": seconds}`` dict, or a
        :class:`~repstride.pose.subject.SubjectHint`. Raises ``SubjectNotFound`` when nobody
        tracked matches it, ``InvalidInput`` when it is malformed.
    detect_every_s, max_missing_s
        Detector period while everyone is tracked; how long a lost person keeps their id.
    num_threads
        Threads per model invocation (decoding has its own thread regardless). ``None``:
        :func:`auto_threads`, the usable cores shared by the pose stages running in this
        process (a lone job uses every core); a worker that knows its load passes its own.
        The landmarks do not depend on it.
    max_frames
        Stop after this many frames (benchmarks, previews).
    model
        Landmark model: ``"full"`` (default) or ``"heavy"`` (opt-in, installed by the set-up;
        ``PoseBackendUnavailable`` saying how to install it when missing). ``None``: the
        ``REPSTRIDE_POSE_MODEL`` environment variable, else ``"full"``.
    """
    if subject is not None:  # reject a malformed hint before spending minutes on the video
        try:
            SubjectHint.parse(subject)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"invalid subject: {exc}") from exc
    resolve_model(model)  # an unknown model name is rejected before the video is opened
    tracked = track_people(path, progress=progress, detect_every_s=detect_every_s,
                           max_missing_s=max_missing_s, num_threads=num_threads,
                           max_frames=max_frames, model=model)
    return tracked.result(subject)


def _subject_track(arrays: dict[str, NDArray[np.float64]] | None, n: int,
                   ts: NDArray[np.float64], idx: NDArray[np.int64], fps: float, width: int,
                   height: int) -> PoseTrack:
    if arrays is None:
        track = PoseTrack.empty(n, fps=fps, width=width, height=height,
                                timestamps_s=np.asarray(ts, float))
        return track.replace(frame_index=np.asarray(idx, np.int64))
    return PoseTrack(
        xy=arrays["xy"], score=arrays["score"], world=arrays["world"],
        timestamps_s=np.asarray(ts, float), frame_index=np.asarray(idx, np.int64),
        bbox=arrays["boxes"][:, :4].copy(), fps=fps, width=width, height=height,
    )


__all__ = ["PoseResult", "TrackedPeople", "auto_threads", "extract_pose", "model_threads",
           "track_people", "usable_cores"]
