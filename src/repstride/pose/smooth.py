"""Cleaning a subject's track: left/right swap repair and zero-phase smoothing.

``fix_left_right_swaps`` repairs frames where the model exchanged the left and right labels
(common in side views, where one side hides the other): if giving a frame's left joints the
right labels (and vice versa) puts them much closer to where they were a frame earlier, the
labels are swapped back. The test runs per body part (whole body, arms, legs), so a swap of the
legs only is repaired too.

``smooth_track`` is the documented filter for analysis signals: a zero-phase Butterworth
low-pass (``scipy.signal.butter`` + ``filtfilt``, order 2 run forwards and backwards = order 4,
no lag) applied separately to each run of consecutive frames where a joint was found, so gaps
are never bridged or smeared. Runs too short to filter are left as they are. Raw landmarks stay
available: the functions return new tracks and never modify their input.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import Joint, LEFT_RIGHT_PAIRS, PoseTrack

#: Default cut-off of the smoothing filter. Human movement in exercise and running sits below
#: ~6 Hz; 8 Hz keeps foot strikes sharp while removing landmark jitter.
DEFAULT_CUTOFF_HZ = 8.0
FILTER_ORDER = 2

_ARMS = {Joint.LEFT_ELBOW, Joint.LEFT_WRIST, Joint.LEFT_PINKY, Joint.LEFT_INDEX, Joint.LEFT_THUMB}
_LEGS = {Joint.LEFT_KNEE, Joint.LEFT_ANKLE, Joint.LEFT_HEEL, Joint.LEFT_FOOT_INDEX}
#: Body parts tested for a swap, whole body first.
SWAP_GROUPS: tuple[tuple[tuple[int, int], ...], ...] = (
    tuple((int(a), int(b)) for a, b in LEFT_RIGHT_PAIRS),
    tuple((int(a), int(b)) for a, b in LEFT_RIGHT_PAIRS if a in _ARMS),
    tuple((int(a), int(b)) for a, b in LEFT_RIGHT_PAIRS if a in _LEGS),
)
#: Swap only when the swapped labels fit the previous frame this much better ...
SWAP_GAIN = 0.5
#: ... and the unswapped ones moved at least this far (torso lengths, mean over the group).
SWAP_MIN_MOVE = 0.15


def _swap_cost(cur: NDArray[np.float64], prev: NDArray[np.float64],
               pairs: tuple[tuple[int, int], ...]) -> tuple[float, float]:
    left = np.array([a for a, _ in pairs])
    right = np.array([b for _, b in pairs])
    direct = np.nanmean(np.linalg.norm(cur[left] - prev[left], axis=1)
                        + np.linalg.norm(cur[right] - prev[right], axis=1))
    swapped = np.nanmean(np.linalg.norm(cur[left] - prev[right], axis=1)
                         + np.linalg.norm(cur[right] - prev[left], axis=1))
    return float(direct), float(swapped)


def _swap(arr: NDArray, pairs: tuple[tuple[int, int], ...]) -> None:
    left = [a for a, _ in pairs]
    right = [b for _, b in pairs]
    arr[left], arr[right] = arr[right].copy(), arr[left].copy()


def fix_left_right_swaps(track: PoseTrack) -> tuple[PoseTrack, int]:
    """Return the track with left/right label swaps undone, and how many frames were changed.

    Frames are compared with the previous frame where the subject was found (after repair), in
    pixels so that the test is aspect-correct.
    """
    xy = track.xy.copy()
    score = track.score.copy()
    world = track.world.copy()
    px = xy * np.array([track.width, track.height])
    prev: NDArray[np.float64] | None = None
    changed = 0
    for t in range(len(track)):
        cur = px[t]
        if np.isnan(cur[:, 0]).all():
            continue
        if prev is not None:
            torso = np.linalg.norm(
                (prev[Joint.LEFT_SHOULDER] + prev[Joint.RIGHT_SHOULDER]) / 2
                - (prev[Joint.LEFT_HIP] + prev[Joint.RIGHT_HIP]) / 2)
            touched = False
            for pairs in SWAP_GROUPS:
                direct, swapped = _swap_cost(cur, prev, pairs)
                if not (np.isfinite(direct) and np.isfinite(swapped) and torso > 0):
                    continue
                if direct > SWAP_MIN_MOVE * torso * 2 and swapped < SWAP_GAIN * direct:
                    for arr in (xy[t], score[t], world[t], cur):
                        _swap(arr, pairs)
                    touched = True
                    if pairs is SWAP_GROUPS[0]:
                        break  # a whole-body swap covers the parts
            changed += touched
        prev = cur
    fixed = track.replace(xy=xy, score=score, world=world,
                          meta={**track.meta, "left_right_swaps_fixed": changed})
    return fixed, changed


def smooth_series(x: NDArray[np.floating], *, fps: float,
                  cutoff_hz: float = DEFAULT_CUTOFF_HZ) -> NDArray[np.float64]:
    """Zero-phase Butterworth low-pass of a (T, ...) series, run by run over NaN gaps.

    Each column is filtered independently on every run of consecutive finite samples. Runs
    shorter than the filter's padding (``3 * (order + 1)`` samples) are returned unchanged, and
    a cut-off at or above Nyquist returns the input unchanged.
    """
    x = np.asarray(x, np.float64)
    out = x.copy()
    nyq = fps / 2
    if cutoff_hz >= nyq or cutoff_hz <= 0 or len(x) == 0:
        return out
    # imported here: scipy.signal costs ~0.5 s to import, and ``repstride pose`` never smooths
    from scipy.signal import butter, filtfilt

    # (also here: analysis.signal imports scipy.ndimage, ~0.15 s a `repstride pose` never needs)
    from repstride.analysis.signal import runs as _runs

    b, a = butter(FILTER_ORDER, cutoff_hz / nyq)
    pad = 3 * (max(len(a), len(b)))
    flat = out.reshape(len(x), -1)
    src = x.reshape(len(x), -1)
    for c in range(flat.shape[1]):
        for s, e in _runs(np.isfinite(src[:, c])):
            if e - s > pad:
                flat[s:e, c] = filtfilt(b, a, src[s:e, c])
    return flat.reshape(x.shape)


def smooth_track(track: PoseTrack, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ) -> PoseTrack:
    """A copy of ``track`` with ``xy``, ``world`` and ``bbox`` smoothed by :func:`smooth_series`
    (scores and missing frames unchanged)."""
    fps = track.fps
    return track.replace(
        xy=smooth_series(track.xy, fps=fps, cutoff_hz=cutoff_hz),
        world=smooth_series(track.world, fps=fps, cutoff_hz=cutoff_hz),
        bbox=smooth_series(track.bbox, fps=fps, cutoff_hz=cutoff_hz),
        meta={**track.meta, "smoothing": {"filter": "butterworth-filtfilt",
                                          "order": 2 * FILTER_ORDER, "cutoff_hz": cutoff_hz}},
    )
