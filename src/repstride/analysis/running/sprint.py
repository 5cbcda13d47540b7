"""The Video API's ``sprint`` activity (seed 001, "Details - Sprints").

Each rep is a **stride** of one leg: it starts when that foot's toe leaves the ground
(``startTimestampMs``), its middle is that hip's peak flexion (``midTimestampMs``), and it ends
when the same foot touches down again (``endTimestampMs``). Analyses per stride:

- ``IS_LEFT_LEG``: 1 when the left leg is the one swinging, else 0.
- ``STRIDE_AIR_TIME_MS``: this stride's toe-off to the previous stride's touch-down (the other
  foot), ms. ``STRIDE_GROUND_TIME_MS``: that touch-down to the next stride's toe-off, ms. Both
  null for the first stride, and null whenever the neighbouring stride is missing or of the same
  leg (an event was not seen), rather than a wrong number.
- ``STRIDE_PEAK_FLEXION_ANGLE`` / ``_TIMESTAMP``: highest hip flexion of the swinging leg in the
  stride (deg): the angle in the image plane between that thigh (hip -> knee) and the trunk line
  continued downwards (shoulder midpoint -> hip midpoint), positive when the knee is ahead of the
  trunk line (see :mod:`.kinematics`).
- ``STRIDE_PEAK_EXTENSION_ANGLE`` / ``_TIMESTAMP``: highest hip extension of the same leg in the
  stride (deg, the same angle with the opposite sign: positive = thigh behind the trunk line;
  negative when the thigh stays ahead of it all stride, e.g. the first strides out of the blocks).
- Each angle outside the hip's physiological range is null, its reason and measured value in
  ``info["nullAngles"]``: a hip flexes to about 135 deg at most (knee bent) and extends to
  about 30 deg (35 with the pelvis' tilt in a 2-D view), so peak flexion must lie in
  :data:`FLEXION_RANGE_DEG` and peak extension in :data:`EXTENSION_RANGE_DEG`; a value outside
  is a pose error (a knee put beside the face, a trunk lost).

**Starts from blocks** (:mod:`.block_start`): the set position and the pushes against the
pedals are not strides. The first stride of each leg starts at its block toe-off; later strides
come from the steps; ``info["blockClearance"]`` gives the rear- and front-foot toe-offs and the
first step (video ms).

``extra`` carries ``runnerProgress`` (distance from the start line per frame, negative before
it) and ``fieldMarkers`` when markers were given. Distance comes from the markers when at least
two are usable, else from the runner's body size (leg length in pixels against an assumed or
given stature); ``info["distanceSource"]`` says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.running import kinematics as K
from repstride.analysis.running.block_start import BlockStart, find_block_start, without_crouch
from repstride.analysis.running.field_markers import FieldMarkers, distance_from_markers
from repstride.analysis.running.gait import Contact, GaitEvents, detect_gait_events
from repstride.analysis.running.side_view import (
    DEFAULT_HEIGHT_CM, LEG_FRACTION_OF_HEIGHT, _check_height,
)
from repstride.analysis.signal import fill_gaps, smooth
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import LowQualityPose

FloatArray = NDArray[np.float64]

#: Physiological range (deg) of the peak hip flexion and peak hip extension of a stride (see the
#: module docstring for the sign convention); values outside are null.
FLEXION_RANGE_DEG = (-35.0, 135.0)
EXTENSION_RANGE_DEG = (-135.0, 35.0)
REASON_ANGLE_RANGE = "reason.angle_out_of_range"

DISTANCE_FROM_MARKERS = "field_markers"
DISTANCE_FROM_BODY_SIZE = "body_size"


@dataclass(frozen=True)
class ProgressPoint:
    """The runner's distance from the start line (m; None where unknown, negative before it)
    at one frame: an entry of ``runnerProgress``."""

    distance_m: float | None
    frame_index: int
    timestamp_ms: int


@dataclass(frozen=True)
class NullAngle:
    """A stride's peak angle left null because it is outside the hip's range
    (``info["nullAngles"]``); ``stride`` is its index in ``reps``."""

    stride: int
    analysis_type: str
    reason: str
    measured_deg: float


@dataclass(frozen=True)
class Stride:
    """One leg's swing: toe-off (``start``) to the same foot's touch-down (``end``)."""

    side: str
    start: Contact  # the contact whose toe-off starts the stride
    end: Contact  # the contact whose touch-down ends it

    @property
    def start_s(self) -> float:
        return self.start.to.time_s

    @property
    def end_s(self) -> float:
        return self.end.td.time_s


def find_strides(ev: GaitEvents, start: BlockStart | None = None) -> list[Stride]:
    """Strides of both legs sorted by start, from consecutive contacts of the same foot; with a
    block ``start``, each leg's first stride runs from its block toe-off to its first step (``ev``
    then holds the steps only, see :func:`.block_start.without_crouch`)."""
    out: list[Stride] = []
    limit = 1.5 * ev.typical_stride_s()
    if start is not None:
        for side, to_s in ((start.rear_side, start.rear_toe_off_s),
                           (start.front_side, start.front_toe_off_s)):
            push = next((c for c in start.block_contacts if c.to.time_s == to_s), None)
            first = next((c for c in ev.contacts if c.side == side), None)
            if push is not None and first is not None and first.td.time_s > to_s:
                out.append(Stride(side, replace(push, side=side), first))
    for side in ("left", "right"):
        cs = ev.contacts_of(side)  # type: ignore[arg-type]
        for a, b in zip(cs, cs[1:]):
            if 0 < b.td.time_s - a.to.time_s < limit:
                out.append(Stride(side, a, b))
    out.sort(key=lambda s: s.start_s)
    return out


def analyze_sprint(
    track: PoseTrack,
    *,
    markers: FieldMarkers | None = None,
    height_cm: float = DEFAULT_HEIGHT_CM,
    slow_motion_factor: float = 1.0,
) -> ActivityResult:
    """Strides, runner progress and field markers of a sprint seen from the side.

    Parameters
    ----------
    track : PoseTrack
        The sprinter, side view (static or panning camera).
    markers : FieldMarkers, optional
        Yard lines / cones already detected in the video (see :mod:`repstride.vision`).
    height_cm : float
        Stature used to scale pixels to metres when there are no markers.
    slow_motion_factor : float
        Playback slow-down (1 = real time). Timestamps stay in video time; durations
        (air/ground time) are real time.

    Returns
    -------
    ActivityResult
        ``Failed`` with ``LOW_QUALITY_POSE_ESTIMATE`` when the legs cannot be followed.
    """
    height_cm = _check_height(height_cm)
    try:
        ev = detect_gait_events(track, view="side", slow_motion_factor=slow_motion_factor)
    except LowQualityPose:
        return ActivityResult(status="Failed", domain="running", activity="sprint",
                              reason=LowQualityPose.code)
    k = slow_motion_factor
    pts, ts = ev.points, ev.times_s
    assert pts is not None and ts is not None
    start = find_block_start(ev)
    steps = without_crouch(ev, start) if start is not None else ev
    strides = find_strides(steps, start)
    flex = {s: K.hip_flexion(pts, s, ev.direction) for s in ("left", "right")}
    null_angles: list[NullAngle] = []
    reps = [_rep(i, strides, flex[st.side], ts, k, timed=not ev.slow_motion_suspected,
                 null_angles=null_angles)
            for i, st in enumerate(strides)]

    px_per_m = ev.leg_length_px / (LEG_FRACTION_OF_HEIGHT * height_cm / 100.0)
    progress, source = _runner_progress(track, ev, pts, px_per_m, markers)
    extra: dict[str, Any] = {"runnerProgress": progress}
    if markers is not None and not markers.empty:
        extra["fieldMarkers"] = markers
    cad = steps.cadence_spm()
    info: dict[str, Any] = {
        "distanceSource": source,
        "lowResolution": ev.low_resolution,
        "flags": list(ev.flags),
        "strides": len(reps),
        "cadenceSpm": None if cad is None or ev.slow_motion_suspected else round(cad, 1),
        "heightCm": height_cm,
        "slowMotionFactor": k,
        "gaitEvents": steps.events,
    }
    if start is not None:
        info["blockClearance"] = replace(start, slow_motion_factor=k)
    if null_angles:
        info["nullAngles"] = tuple(null_angles)
    return ActivityResult(status="Complete", domain="running", activity="sprint",
                          reps=tuple(reps), extra=extra, info=info)


def _ms(t_real: float, k: float) -> int:
    """Real-time seconds -> video milliseconds (timestamps are offsets within the video)."""
    return int(round(t_real * k * 1000.0))


def _rep(i: int, strides: list[Stride], flex: FloatArray, ts: FloatArray, k: float, *,
         timed: bool = True, null_angles: list[NullAngle] | None = None) -> Rep:
    """One stride as a rep. Without ``timed`` (undeclared slow motion suspected) air and ground
    times are null: they would be video time stretched by an unknown factor."""
    st = strides[i]
    prev = strides[i - 1] if i > 0 else None
    nxt = strides[i + 1] if i + 1 < len(strides) else None
    air = ground = None
    if timed and prev is not None and prev.side != st.side:
        air = (prev.end_s - st.start_s) * 1000.0
        if nxt is not None and nxt.start is prev.end:
            ground = (nxt.start_s - prev.end_s) * 1000.0
    lo = int(np.searchsorted(ts, st.start_s))
    hi = int(np.searchsorted(ts, st.end_s, side="right"))
    seg = flex[lo:hi]
    pk_flex = pk_ext = None
    t_flex = t_ext = None
    if seg.size and np.isfinite(seg).any():
        j = int(np.nanargmax(seg))
        pk_flex, t_flex = float(seg[j]), float(ts[lo + j])
        j = int(np.nanargmin(seg))
        pk_ext, t_ext = float(-seg[j]), float(ts[lo + j])
    pk_flex, t_flex = _in_range(pk_flex, t_flex, FLEXION_RANGE_DEG, i,
                                "STRIDE_PEAK_FLEXION_ANGLE", null_angles)
    pk_ext, t_ext = _in_range(pk_ext, t_ext, EXTENSION_RANGE_DEG, i,
                              "STRIDE_PEAK_EXTENSION_ANGLE", null_angles)
    mid = t_flex if t_flex is not None else (st.start_s + st.end_s) / 2.0

    def rnd(v: float | None, nd: int = 1) -> float | None:
        return None if v is None or not math.isfinite(v) else round(v, nd)

    analyses = (
        RepAnalysis("IS_LEFT_LEG", 1.0 if st.side == "left" else 0.0),
        RepAnalysis("STRIDE_AIR_TIME_MS", rnd(air, 0)),
        RepAnalysis("STRIDE_GROUND_TIME_MS", rnd(ground, 0)),
        RepAnalysis("STRIDE_PEAK_FLEXION_ANGLE", rnd(pk_flex)),
        RepAnalysis("STRIDE_PEAK_FLEXION_ANGLE_TIMESTAMP",
                    None if t_flex is None else float(_ms(t_flex, k))),
        RepAnalysis("STRIDE_PEAK_EXTENSION_ANGLE", rnd(pk_ext)),
        RepAnalysis("STRIDE_PEAK_EXTENSION_ANGLE_TIMESTAMP",
                    None if t_ext is None else float(_ms(t_ext, k))),
    )
    return Rep(start_ms=_ms(st.start_s, k), mid_ms=_ms(mid, k), end_ms=_ms(st.end_s, k),
               analyses=analyses)


def _in_range(v: float | None, t: float | None, rng: tuple[float, float], stride: int,
              name: str, null_angles: list[NullAngle] | None
              ) -> tuple[float | None, float | None]:
    """``(v, t)``, or ``(None, None)`` (noted in ``null_angles``) when ``v`` is outside ``rng``."""
    if v is None or rng[0] <= v <= rng[1]:
        return v, t
    if null_angles is not None:
        null_angles.append(NullAngle(stride, name, REASON_ANGLE_RANGE, round(v, 1)))
    return None, None


def _runner_progress(track: PoseTrack, ev: GaitEvents, pts: FloatArray, px_per_m: float,
                     markers: FieldMarkers | None) -> tuple[tuple[ProgressPoint, ...], str]:
    """Per-frame distance from the start (m), and where the scale came from."""
    fps = track.fps
    pel_x = fill_gaps((pts[:, Joint.LEFT_HIP, 0] + pts[:, Joint.RIGHT_HIP, 0]) / 2.0,
                      max_gap=int(fps * 0.5), extrapolate=False)
    pel_x = smooth(pel_x, fps=fps, cutoff_hz=4.0)
    dist: FloatArray | None = None
    source = DISTANCE_FROM_BODY_SIZE
    if markers is not None and not markers.empty:
        low = np.fmax(pts[:, Joint.LEFT_HEEL, 1], pts[:, Joint.RIGHT_HEEL, 1])
        y_ground = float(np.nanmedian(low)) if np.isfinite(low).any() else track.height * 0.9
        dist = distance_from_markers(pel_x, y_ground, markers)
        if dist is not None:
            source = DISTANCE_FROM_MARKERS
    if dist is None:
        travel = np.nanmax(pel_x) - np.nanmin(pel_x) if np.isfinite(pel_x).any() else 0.0
        if travel > ev.leg_length_px:
            # Static camera: the runner crosses the frame.
            first = pel_x[np.isfinite(pel_x)][0]
            dist = ev.direction * (pel_x - first) / px_per_m
        else:
            # Treadmill or panning camera: integrate the speed of the stance foot relative to
            # the pelvis (the runner's speed over the ground).
            dist = _integrated_distance(ev, pts, px_per_m, track)
    out = tuple(ProgressPoint(None if not np.isfinite(dist[i]) else round(float(dist[i]), 3),
                              int(track.frame_index[i]),
                              int(round(float(track.timestamps_s[i]) * 1000.0)))
                for i in range(len(track)))
    return out, source


def _integrated_distance(ev: GaitEvents, pts: FloatArray, px_per_m: float, track: PoseTrack
                         ) -> FloatArray:
    ts = np.asarray(ev.times_s, float)
    pel = (pts[:, Joint.LEFT_HIP, 0] + pts[:, Joint.RIGHT_HIP, 0]) / 2.0
    t_mid, v_mid = [], []
    for c in ev.contacts:
        s = c.side.upper()
        stack = np.stack([pts[:, Joint[f"{s}_{n}"], 0] for n in ("HEEL", "FOOT_INDEX", "ANKLE")])
        cnt = np.isfinite(stack).sum(axis=0)
        fx = np.where(cnt > 0, np.nansum(stack, axis=0) / np.maximum(cnt, 1), np.nan)
        a, b = c.td.frame, c.to.frame
        if b - a < 2:
            continue
        rel = (fx[a:b + 1] - pel[a:b + 1]) * ev.direction
        tt = ts[a:b + 1]
        ok = np.isfinite(rel)
        if ok.sum() >= 2:
            slope = np.polyfit(tt[ok], rel[ok], 1)[0]
            t_mid.append(float(tt.mean()))
            v_mid.append(max(0.0, -slope) / px_per_m)
    if not t_mid:
        v = np.full(ts.size, ev.stance_speed_px_s / px_per_m)
    else:
        v = np.interp(ts, t_mid, v_mid)
    dist = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(ts))])
    return dist
