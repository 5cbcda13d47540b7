"""Gait events: touch-down (TD) and toe-off (TO) of each foot from 2-D pose.

Method (coordinate-based, in the spirit of OpenCap's and Zeni et al.'s pelvis-relative methods,
adapted to running where the foot keeps sliding back after toe-off):

1. **Label swaps.** BlazePose often swaps the left and right leg for a few frames in side view.
   A two-state Viterbi pass (keep / swap) over the leg chains (knee, ankle, heel, toe; positions
   relative to the pelvis) chooses the labelling that moves the legs least from frame to frame,
   with a fixed cost per switch, so one-frame glitches and longer swaps are both undone. The
   global orientation keeps the labels the detector gave most of the time.
2. **Foot height.** The lowest point of each foot (heel or toe, whichever is lower in the image)
   is compared with that foot's ground level: a rolling high percentile of the lowest point over
   about two strides (the ground line of a static camera, and it follows a slowly tilting or
   panning one). Heights are in leg lengths (hip to ankle), so thresholds are scale-free.
3. **Foot velocity relative to the pelvis** (side view). A foot on the ground moves backwards
   relative to the pelvis at the running speed, whether the runner is on a treadmill, crosses the
   frame of a static camera, or is followed by a panning one. A foot is in contact while it is
   low *and* moves backwards at more than half the stance speed; the second condition rejects
   the late-swing descent where the foot is low but still moving forwards. The back view has no
   fore-aft axis, so there the height alone decides.
4. **Sub-frame timing.** TD is the linear-interpolated instant at which the later of the two
   conditions becomes true; TO the instant the lowest point of the foot rises through the height
   threshold. ``frame`` of an event follows the hand-marking convention: TD = first frame in
   contact, TO = last frame in contact.

Contact and flight times need frames at least every 20 ms (:data:`MIN_CONTACT_FPS`); below that
they are still computed but :attr:`GaitEvents.low_resolution` is set and the callers mark them.
All times are video time divided by ``slow_motion_factor`` (1 = real time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.signal import fill_gaps, smooth
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput, LowQualityPose

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
View = Literal["side", "back"]

#: Lowest frame rate (frames per second of real time) at which contact and flight times are
#: presented as precise; below it they are flagged ``low_resolution``.
MIN_CONTACT_FPS = 50.0
#: A joint whose visibility score is below this is treated as not seen.
MIN_JOINT_SCORE = 0.3
#: Foot-height threshold for "on the ground", in leg lengths (hip-to-ankle): a first guess used
#: to find stance frames; the threshold actually used per foot is NOISE_MULTIPLE times the
#: measured jitter of the foot on the ground, clipped to [MIN_, MAX_CONTACT_HEIGHT].
CONTACT_HEIGHT = 0.045
NOISE_MULTIPLE = 3.0
MIN_CONTACT_HEIGHT = 0.015
MAX_CONTACT_HEIGHT = 0.06
#: Fraction of the stance speed (pelvis-relative) a foot must move backwards to be in contact.
STANCE_SPEED_FRACTION = 0.25
#: Measure foot height against a ground line that follows camera motion (see
#: ``_moving_ground_heights``); GROUND_PERCENTILE of the lowest foot point over one step.
MOVING_GROUND = True
GROUND_PERCENTILE = 75.0
#: Low-pass cut-off (Hz) for the foot trajectories before events are read from them.
FOOT_CUTOFF_HZ = 12.0
#: Sub-frame timing: a threshold crossing can be moved towards the contact's plateau along the
#: local slope by this fraction of the way (1 = assume a straight-line approach to the ground;
#: 0 = the crossing itself), at most EXTRAPOLATE_MAX_S. Off: with the noise-scaled threshold the
#: crossing is already within a frame on synthetic runs, and on real clips the pose model's heel
#: settles late (extrapolating made touch-downs 1-2 frames late against hand marks).
TD_EXTRAPOLATE = 0.0
TO_EXTRAPOLATE = 0.0
EXTRAPOLATE_MAX_S = 0.02
#: A contact is a run of frames below LOOSE_FACTOR x the threshold (hysteresis) holding a core
#: of frames in contact.
LOOSE_FACTOR = 2.0
#: Rises of the foot shorter than this fraction of the stride period (2 frames of a 170
#: steps/min stride at 60 fps) inside a contact are pose glitches, not a lift-off and landing.
GLITCH_STRIDE = 0.05
#: Two contacts of the same foot closer than this fraction of a stride are one contact cut in
#: two (see ``_merge_split_contacts``).
SAME_FOOT_GAP_STRIDE = 0.15
#: Cost (in units of a contact's confidence-weighted label evidence, 0.1-1.1) of leaving two
#: consecutive contacts on the same side when the feet should alternate.
NON_ALTERNATION_COST = 1.5
#: Side view: a shank pointing forward more than this (deg from vertical) is not a running
#: leg but a pose error (see ``_blank_implausible_legs``).
MAX_FORWARD_SHANK_DEG = 70.0
#: Shortest and longest contact as fractions of the stride period.
MIN_CONTACT_STRIDE = 0.08
MAX_CONTACT_STRIDE = 0.85
#: A running stride (s) used when the period cannot be measured, and to scale filters.
TYPICAL_STRIDE_S = 0.7
#: A cadence (steps/min, video time) below which a running video is suspected slow motion.
SLOW_MOTION_CADENCE_SPM = 100.0
#: Duty factor (contact time over stride time) at and above which both feet are down at once
#: for part of each step: walking, which has no flight phase and may really be that slow.
WALKING_DUTY_FACTOR = 0.5
#: Cost (in squared leg lengths) of switching the left/right labelling in the swap pass, and
#: per frame spent with the detector's labels swapped (the detector is right most of the time,
#: so only short glitches with a clear jump out and back are undone).
SWAP_COST = 0.05
SWAPPED_FRAME_COST = 0.01
#: Flags.
FLAG_LOW_RESOLUTION = "low_frame_rate_contact_times"
FLAG_FEW_CONTACTS = "few_contacts"
FLAG_ONE_FOOT = "one_foot_only"
FLAG_NO_FLIGHT = "no_flight_phase"
FLAG_SLOW_MOTION_SUSPECTED = "slow_motion_suspected"
#: Why a duration-based number is null on a video that looks like undeclared slow motion.
REASON_SLOW_MOTION = "reason.slow_motion_suspected"

_CHAIN = ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")


@dataclass(frozen=True)
class GaitEvent:
    """One touch-down or toe-off.

    Attributes
    ----------
    kind : ``"TD"`` or ``"TO"``
    side : ``"left"`` or ``"right"`` (after label-swap correction)
    time_s : float
        Sub-frame event time in seconds of real time from the start of the video.
    frame : int
        Track row of the event: TD = first row in contact, TO = last row in contact.
    confidence : float
        0..1: joint visibility around the event times the sharpness of the crossing.
    """

    kind: Literal["TD", "TO"]
    side: Side
    time_s: float
    frame: int
    confidence: float

    def to_wire(self) -> dict[str, Any]:
        return {"type": self.kind, "side": self.side, "timestampMs": round(self.time_s * 1000.0),
                "frame": self.frame, "confidence": round(self.confidence, 3)}


@dataclass(frozen=True)
class Contact:
    """One ground contact of one foot: ``td`` then ``to``."""

    side: Side
    td: GaitEvent
    to: GaitEvent

    @property
    def duration_s(self) -> float:
        return self.to.time_s - self.td.time_s

    @property
    def confidence(self) -> float:
        return min(self.td.confidence, self.to.confidence)


@dataclass(frozen=True)
class GaitEvents:
    """All contacts found in a track, sorted by touch-down time.

    ``direction`` is +1 when the runner faces / moves towards +x of the image (right), -1
    otherwise (0 for the back view). ``leg_length_px`` is the hip-to-ankle length used as scale.
    ``stance_speed_px_s`` is how fast a foot on the ground moves backwards relative to the pelvis
    (image pixels per second of real time): the running speed in pixels.
    """

    contacts: tuple[Contact, ...]
    fps: float
    view: View
    direction: int
    leg_length_px: float
    stance_speed_px_s: float
    slow_motion_factor: float = 1.0
    label_swaps: int = 0
    flags: tuple[str, ...] = ()
    #: (T,) bool per side: foot in contact, on the track's rows.
    contact_mask: dict[str, NDArray[np.bool_]] = field(default_factory=dict, compare=False)
    #: (T, J, 2) pixels with low-visibility joints blanked and left/right leg swaps undone: use
    #: these (not the raw track) for per-leg angles so they agree with the events' sides.
    points: FloatArray | None = field(default=None, compare=False, repr=False)
    #: (T,) real-time seconds of each row.
    times_s: FloatArray | None = field(default=None, compare=False, repr=False)

    @property
    def low_resolution(self) -> bool:
        """True when the real-time frame rate is below :data:`MIN_CONTACT_FPS`."""
        return self.fps * self.slow_motion_factor < MIN_CONTACT_FPS

    @property
    def slow_motion_suspected(self) -> bool:
        """True when the video looks like undeclared slow motion: its durations are video time
        stretched by an unknown factor, so callers report them as null (with the video-time
        value beside) rather than as real-time figures."""
        return FLAG_SLOW_MOTION_SUSPECTED in self.flags

    @property
    def events(self) -> tuple[GaitEvent, ...]:
        evs = [e for c in self.contacts for e in (c.td, c.to)]
        return tuple(sorted(evs, key=lambda e: e.time_s))

    def contacts_of(self, side: Side) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.side == side)

    def stride_times_s(self) -> FloatArray:
        """TD-to-TD times of the same foot (both feet), seconds."""
        out: list[float] = []
        for side in ("left", "right"):
            tds = [c.td.time_s for c in self.contacts_of(side)]
            out += list(np.diff(tds))
        return np.asarray([s for s in out if 0.3 < s < 3.0 * self.typical_stride_s()], float)

    def typical_stride_s(self) -> float:
        """Median TD-to-TD time of the same foot (seconds), inf when unknown."""
        tds = {s: [c.td.time_s for c in self.contacts_of(s)] for s in ("left", "right")}
        d = [x for s in tds for x in np.diff(tds[s])]
        return float(np.median(d)) if d else math.inf

    def step_times_s(self) -> FloatArray:
        """TD-to-TD times of consecutive contacts of opposite feet, seconds."""
        cs = self.contacts
        st = self.typical_stride_s()
        out = [b.td.time_s - a.td.time_s for a, b in zip(cs, cs[1:]) if a.side != b.side]
        return np.asarray([s for s in out if s < 0.75 * st], float)

    def cadence_spm(self) -> float | None:
        """Steps per minute.

        Every touch-down is given its step number (time since the first one in units of the
        median half stride, rounded) and the step time is the least-squares slope of time
        against step number: it uses the whole clip, and a missed contact leaves a gap in the
        numbering rather than a long step.
        """
        strides = self.stride_times_s()
        if strides.size:
            step = float(np.median(strides)) / 2.0
            tds = np.array(sorted(c.td.time_s for c in self.contacts))
            k = np.round((tds - tds[0]) / step)
            if np.unique(k).size >= 3:
                slope = float(np.polyfit(k, tds, 1)[0])
                if slope > 0 and abs(slope - step) < 0.2 * step:
                    return 60.0 / slope
            return 120.0 / float(np.median(strides))
        steps = self.step_times_s()
        return 60.0 / float(np.median(steps)) if steps.size else None

    def contact_times_s(self) -> FloatArray:
        return np.asarray([c.duration_s for c in self.contacts], float)

    def duty_factor(self) -> float | None:
        """Mean contact time over the median stride time (ratio; None when either is unknown).
        Below 0.5 a run (a flight phase in each step), at or above it a walk."""
        gct, strides = self.contact_times_s(), self.stride_times_s()
        if not (gct.size and strides.size):
            return None
        return float(np.mean(gct)) / float(np.median(strides))

    def flight_times_s(self) -> FloatArray:
        """TO of one foot to the TD of the other foot (negative = double support)."""
        cs = self.contacts
        st = self.typical_stride_s()
        return np.asarray([b.td.time_s - a.to.time_s for a, b in zip(cs, cs[1:])
                           if a.side != b.side and b.td.time_s - a.td.time_s < 0.75 * st], float)

    def to_wire(self) -> dict[str, Any]:
        return {"events": [e.to_wire() for e in self.events],
                "lowResolution": self.low_resolution, "flags": list(self.flags)}


# ------------------------------------------------------------------------------------------------


def detect_gait_events(
    track: PoseTrack,
    *,
    view: View = "side",
    slow_motion_factor: float = 1.0,
) -> GaitEvents:
    """Find touch-downs and toe-offs of both feet in a running ``track``.

    Parameters
    ----------
    track : PoseTrack
        One runner. Side view: the camera looks at the runner's side (treadmill, or crossing the
        frame with a static or panning camera). Back view: the camera is behind the runner.
    view : ``"side"`` or ``"back"``
    slow_motion_factor : float
        How many times slower than real time the video plays (1 = real time). Event times and
        durations are returned in real time (video time / factor).

    Returns
    -------
    GaitEvents
        Contacts sorted by touch-down, with flags (``low_frame_rate_contact_times`` below
        :data:`MIN_CONTACT_FPS` real-time frames per second, ``one_foot_only`` when one foot was
        never seen in contact, ``no_flight_phase`` when both feet are down at once in each
        step (a walk), ``slow_motion_suspected`` when a run with a flight phase has an
        implausibly low cadence).

    Raises
    ------
    LowQualityPose
        When the feet are not visible in enough frames to find a single contact.
    InvalidInput
        For a bad ``view`` or ``slow_motion_factor``.
    """
    if view not in ("side", "back"):
        raise InvalidInput(f"view must be 'side' or 'back', got {view!r}")
    if not (slow_motion_factor >= 1.0 and math.isfinite(slow_motion_factor)):
        raise InvalidInput(f"slow_motion_factor must be >= 1, got {slow_motion_factor!r}")
    fps = float(track.fps)
    n = len(track)
    if n < max(8, int(0.5 * fps)) or track.detected.sum() < 0.5 * n:
        raise LowQualityPose("The runner is not visible in enough frames to find foot contacts.")

    pts = _clean_points(track)
    pts, swaps = _resolve_label_swaps(pts, track.score)
    if view == "side":
        pts = _blank_implausible_legs(pts)
    leg = _leg_length_px(pts)
    if not np.isfinite(leg) or leg <= 0:
        raise LowQualityPose("The runner's legs could not be measured.")
    pelvis = smooth((pts[:, Joint.LEFT_HIP] + pts[:, Joint.RIGHT_HIP]) / 2.0, fps=fps, cutoff_hz=6.0)

    # Durations are judged against the stride period *in video frames*, so a slow-motion video
    # that was not declared is still segmented sensibly (its times are then video time).
    stride_frames = _stride_period_frames(pts, pelvis, fps)
    # Bridge short gaps (a seventh of a stride, 0.1 s at real-time running); remember which rows
    # were invented so no event is read from them.
    hidden = ~np.isfinite(pts[:, :, 0])
    pts = fill_gaps(pts, max_gap=max(1, int(round(0.14 * stride_frames))), extrapolate=False)
    slow_factor_seen = stride_frames / (TYPICAL_STRIDE_S * fps)
    cutoff = min(FOOT_CUTOFF_HZ / max(slow_factor_seen, 1.0), 0.4 * fps)
    feet = {side: _foot_signals(pts, side, pelvis, leg, fps, cutoff=cutoff,
                                ground_window=int(round(2.0 * stride_frames)))
            for side in ("left", "right")}
    if MOVING_GROUND:
        _moving_ground_heights(feet, leg, stride_frames, fps)
    for side, f in feet.items():
        S = side.upper()
        f["filled"] = hidden[:, [int(Joint[f"{S}_HEEL"]), int(Joint[f"{S}_FOOT_INDEX"])]].any(axis=1)
    direction = _direction(feet, pts) if view == "side" else 0
    ts_real = np.asarray(track.timestamps_s, float) / slow_motion_factor
    fps_real = fps * slow_motion_factor

    stance_speed = 0.0
    if view == "side":
        for f in feet.values():
            f["vx"] = f["vx_raw"] * direction  # forward-positive, leg lengths per video second
        back_v = np.concatenate([-f["vx"][f["h"] < CONTACT_HEIGHT] for f in feet.values()])
        back_v = back_v[np.isfinite(back_v)]
        stance_speed = float(np.median(back_v)) if back_v.size else 0.0
        if stance_speed <= 0:
            stance_speed = 0.0

    for f in feet.values():
        f["thr"] = np.float64(_contact_threshold(f, stance_speed))
    contacts: list[Contact] = []
    masks: dict[str, NDArray[np.bool_]] = {}
    for side, f in feet.items():
        found, mask = _find_contacts(f, side, stance_speed, ts_real, stride_frames, swaps["near"])
        masks[side] = mask
        contacts += found
    contacts.sort(key=lambda c: c.td.time_s)
    stride_s = stride_frames / fps_real
    windows: list[tuple[int, int]] = []  # rows whose leg labels the contact logic corrected
    contacts = _merge_split_contacts(contacts, stride_s, 1.0 / fps_real, windows)
    contacts = _alternate_sides(contacts, stride_s, windows)
    for lo, hi in windows:
        sl = slice(max(0, lo - 1), min(n, hi + 2))
        for jl, jr in _leg_pairs():
            pts[sl, jl], pts[sl, jr] = pts[sl, jr].copy(), pts[sl, jl].copy()
    swaps["count"] += len(windows)

    flags: list[str] = []
    if fps_real < MIN_CONTACT_FPS:
        flags.append(FLAG_LOW_RESOLUTION)
    if len(contacts) < 3:
        flags.append(FLAG_FEW_CONTACTS)
    if len({c.side for c in contacts}) == 1:
        flags.append(FLAG_ONE_FOOT)
    ev = GaitEvents(
        contacts=tuple(contacts), fps=fps, view=view, direction=direction, leg_length_px=leg,
        # stance_speed is in leg lengths per second of video time; real time runs k times faster.
        stance_speed_px_s=stance_speed * leg * slow_motion_factor,
        slow_motion_factor=slow_motion_factor, label_swaps=swaps["count"], flags=tuple(flags),
        contact_mask=masks, points=pts, times_s=ts_real,
    )
    df = ev.duty_factor()
    if df is not None and df >= WALKING_DUTY_FACTOR:
        ev = _with_flag(ev, FLAG_NO_FLIGHT)
    if slow_motion_factor == 1.0 and _looks_slowed(ev):
        ev = _with_flag(ev, FLAG_SLOW_MOTION_SUSPECTED)
    return ev


def _looks_slowed(ev: GaitEvents) -> bool:
    """A cadence no runner has (below :data:`SLOW_MOTION_CADENCE_SPM` in video time) with a
    flight phase (duty factor below :data:`WALKING_DUTY_FACTOR`). Without a flight phase the
    person walks, and a slow walk really is that slow: its times are real."""
    cad = ev.cadence_spm()
    if cad is None or cad >= SLOW_MOTION_CADENCE_SPM:
        return False
    df = ev.duty_factor()
    return df is None or df < WALKING_DUTY_FACTOR


def _merge_split_contacts(cs: list[Contact], stride_s: float, frame_s: float,
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
                to = replace(c.to, side=p.side, confidence=round(0.5 * c.to.confidence, 3))
                out[-1] = Contact(p.side, p.td, to)
                if c.side != p.side:
                    windows.append((c.td.frame, c.to.frame))
                continue
        out.append(c)
    return out


def _alternate_sides(cs: list[Contact], stride_s: float, windows: list[tuple[int, int]]
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
        for i, want in zip(seg, _alternating_labels([cs[i] for i in seg])):
            c = cs[i]
            if c.side != want:
                windows.append((c.td.frame, c.to.frame))
                out[i] = Contact(want, replace(c.td, side=want),  # type: ignore[arg-type]
                                 replace(c.to, side=want))  # type: ignore[arg-type]
    return out


def _alternating_labels(seg: list[Contact]) -> list[Side]:
    """Viterbi labels for consecutive contacts (see :func:`_alternate_sides`)."""
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


def _with_flag(ev: GaitEvents, flag: str) -> GaitEvents:
    return replace(ev, flags=ev.flags + (flag,))


# -- preprocessing -------------------------------------------------------------------------------


def _clean_points(track: PoseTrack) -> FloatArray:
    """Pixels with low-visibility joints blanked (NaN). Gaps are bridged only after the
    label-swap pass, so a swapped frame is never blended with its neighbours."""
    pts = track.pixels().copy()
    pts[track.score < MIN_JOINT_SCORE] = np.nan
    return pts


def _blank_implausible_legs(pts: FloatArray) -> FloatArray:
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


def _resolve_label_swaps(pts: FloatArray, score: FloatArray) -> tuple[FloatArray, dict[str, Any]]:
    """Undo left/right leg swaps with a two-state Viterbi pass (see module docstring)."""
    li, ri = _chain("left"), _chain("right")
    pel = (pts[:, Joint.LEFT_HIP] + pts[:, Joint.RIGHT_HIP]) / 2.0
    a = pts[:, li] - pel[:, None]
    b = pts[:, ri] - pel[:, None]
    scale = _leg_length_px(pts)
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
        cost = np.zeros((m, 2))
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
                cost[t, s] += SWAPPED_FRAME_COST * s
        path = np.zeros(m, dtype=np.int8)
        path[-1] = int(np.argmin(cost[-1]))
        for t in range(m - 1, 0, -1):
            path[t - 1] = back[t, path[t]]
        # Orientation: keep the detector's labels where it gave them most (score-weighted).
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
    for jl, jr in _leg_pairs():
        out[sw, jl], out[sw, jr] = pts[sw, jr], pts[sw, jl]
    count = int(np.sum(np.diff(state) != 0))
    near = np.zeros(len(pts), bool)
    changes = np.flatnonzero(np.diff(state) != 0)
    for c in changes:
        near[max(0, c - 2): c + 3] = True
    return out, {"count": count, "near": near}


def _leg_pairs() -> list[tuple[int, int]]:
    names = ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
    return [(int(Joint[f"LEFT_{n}"]), int(Joint[f"RIGHT_{n}"])) for n in names]


def _sqd(u: FloatArray, v: FloatArray) -> FloatArray:
    return np.mean(np.sum((u - v) ** 2, axis=-1), axis=-1)


def _leg_length_px(pts: FloatArray) -> float:
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


def _foot_signals(pts: FloatArray, side: str, pelvis: FloatArray, leg: float, fps: float, *,
                  cutoff: float, ground_window: int) -> dict[str, FloatArray]:
    """Height above ground (leg lengths) and pelvis-relative horizontal velocity of one foot."""
    s = side.upper()
    heel = smooth(pts[:, Joint[f"{s}_HEEL"]], fps=fps, cutoff_hz=cutoff)
    toe = smooth(pts[:, Joint[f"{s}_FOOT_INDEX"]], fps=fps, cutoff_hz=cutoff)
    ankle = smooth(pts[:, Joint[f"{s}_ANKLE"]], fps=fps, cutoff_hz=cutoff)
    low = np.fmax(heel[:, 1], toe[:, 1])  # y grows downwards: the lower point has the larger y
    ground = _rolling_percentile(low, window=max(5, ground_window), q=90.0)
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


def _moving_ground_heights(feet: dict[str, dict[str, FloatArray]], leg: float,
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
    ground = _rolling_percentile(both, window=window, q=GROUND_PERCENTILE)
    ground = smooth(ground, fps=fps, cutoff_hz=2.0 * TYPICAL_STRIDE_S * fps / stride_frames)
    for f in feet.values():
        raw = (ground - f["low"]) / leg
        fin = raw[np.isfinite(raw)]
        off = float(np.percentile(fin, 15.0)) if fin.size else 0.0
        f["h"] = raw - off
        f["ok"] = f["ok"] & np.isfinite(f["h"])


def _first_period(x: FloatArray, *, fps: float, min_s: float, max_s: float
                  ) -> tuple[float, float]:
    """``(period_s, strength)``: the first autocorrelation peak within 80 % of the highest.

    The highest peak alone often sits at a multiple of the period of a clean periodic signal.
    """
    v = fill_gaps(np.asarray(x, float))
    v = v[np.isfinite(v)]
    n = v.size
    lo, hi = max(1, int(round(min_s * fps))), int(round(min(max_s * fps, n * 0.6)))
    if n < 8 or hi <= lo + 2:
        return float("nan"), 0.0
    v = v - v.mean()
    denom = float(np.dot(v, v))
    if denom <= 1e-12:
        return float("nan"), 0.0
    lags = np.arange(lo - 1, hi + 1)
    ac = np.array([np.dot(v[:-k], v[k:]) / denom * n / (n - k) for k in lags])
    peaks = [i for i in range(1, ac.size - 1) if ac[i] >= ac[i - 1] and ac[i] > ac[i + 1]]
    if not peaks:
        return float("nan"), 0.0
    top = max(ac[i] for i in peaks)
    if top <= 0:
        return float("nan"), 0.0
    i = next(i for i in peaks if ac[i] >= 0.8 * top)
    # Parabolic refinement of the peak lag.
    den = ac[i - 1] - 2 * ac[i] + ac[i + 1]
    off = 0.5 * (ac[i - 1] - ac[i + 1]) / den if den != 0 else 0.0
    return (lags[i] + off) / fps, float(max(0.0, ac[i]))


def _stride_period_frames(pts: FloatArray, pelvis: FloatArray, fps: float) -> float:
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
            per, st = _first_period(x, fps=fps, min_s=0.25, max_s=min(20.0, 0.6 * n / fps))
            if np.isfinite(per) and st > strength:
                best, strength = per, st
    if not np.isfinite(best) or strength < 0.3:
        return TYPICAL_STRIDE_S * fps
    return best * fps


def _rolling_percentile(x: FloatArray, *, window: int, q: float) -> FloatArray:
    n = x.size
    out = np.full(n, np.nan)
    half = window // 2
    for i in range(n):
        seg = x[max(0, i - half): i + half + 1]
        seg = seg[np.isfinite(seg)]
        if seg.size >= 3:
            out[i] = np.percentile(seg, q)
    return out


def _direction(feet: dict[str, dict[str, FloatArray]], pts: FloatArray) -> int:
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


# -- contacts ------------------------------------------------------------------------------------


def _contact_threshold(f: dict[str, FloatArray], stance_speed: float) -> float:
    """Height threshold for one foot: NOISE_MULTIPLE x its spread on the ground (robust SD)."""
    h = f["h"]
    with np.errstate(invalid="ignore"):
        st = f["ok"] & (h < CONTACT_HEIGHT)
        if stance_speed > 0 and "vx" in f:
            st &= f["vx"] < -STANCE_SPEED_FRACTION * stance_speed
    d = h[st]
    d = d[np.isfinite(d)]
    if d.size < 5:
        return CONTACT_HEIGHT
    # Spread of the foot's height while on the ground: pose jitter plus the roll of the foot.
    noise = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    return float(np.clip(NOISE_MULTIPLE * noise, MIN_CONTACT_HEIGHT, MAX_CONTACT_HEIGHT))


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Inclusive (start, end) of each True run."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def _close_gaps(mask: NDArray[np.bool_], gap: int) -> NDArray[np.bool_]:
    out = mask.copy()
    runs = _runs(mask)
    for (s0, e0), (s1, _e1) in zip(runs, runs[1:]):
        if s1 - e0 - 1 <= gap:
            out[e0 + 1: s1] = True
    return out


def _bridge_glitches(loose: NDArray[np.bool_], core: NDArray[np.bool_], gap: int,
                     min_len: int) -> NDArray[np.bool_]:
    """Join two runs of ``loose`` separated by at most ``gap`` rows when the first already holds
    a contact's worth (``min_len``) of ``core`` rows and the second holds core rows too: the foot
    was on the ground before and after and cannot have lifted off and landed in between. (A
    short low dip of the swinging foot just before its landing is not joined to the landing.)"""
    out = loose.copy()
    runs = _runs(loose)
    for (s0, e0), (s1, e1) in zip(runs, runs[1:]):
        if s1 - e0 - 1 <= gap and core[s0:e0 + 1].sum() >= min_len and core[s1:e1 + 1].any():
            out[e0 + 1: s1] = True
    return out


def _drop_short_runs(mask: NDArray[np.bool_], min_len: int) -> NDArray[np.bool_]:
    out = mask.copy()
    for s, e in _runs(mask):
        if e - s + 1 < min_len:
            out[s: e + 1] = False
    return out


def _crossing(y: FloatArray, i0: int, i1: int, level: float) -> float | None:
    """Fractional row in [i0, i1] where ``y`` crosses ``level`` (linear), None if no crossing."""
    a, b = y[i0], y[i1]
    if not (np.isfinite(a) and np.isfinite(b)) or (a - level) * (b - level) > 0 or a == b:
        return None
    return i0 + (level - a) / (b - a) * (i1 - i0)


def _time_at(ts: FloatArray, row: float) -> float:
    i = int(math.floor(row))
    i = min(max(i, 0), ts.size - 1)
    if i + 1 >= ts.size:
        return float(ts[i] + (row - i) * (ts[i] - ts[i - 1] if i > 0 else 0.0))
    return float(ts[i] + (row - i) * (ts[i + 1] - ts[i]))


def _find_contacts(f: dict[str, FloatArray], side: Side, stance_speed: float, ts: FloatArray,
                   stride_frames: float, near_swap: NDArray[np.bool_]
                   ) -> tuple[list[Contact], NDArray[np.bool_]]:
    """Contacts of one foot, and the (T,) in-contact mask.

    A contact is a run of frames with the foot below :data:`LOOSE_HEIGHT` (hysteresis, so a
    noisy mid-stance frame does not split it) that holds a core of frames in contact (low and,
    in side view, moving backwards with the ground). Within it, TD is when the descending foot
    reaches the contact's own height plateau (extrapolated from the slope at which it crosses
    the contact height, so a heel arriving between two frames is timed between them) and, in
    side view, moves backwards; TO is when the lowest point rises through
    :data:`TOE_OFF_HEIGHT` above the plateau.
    """
    h, ok = f["h"], f["ok"]
    vx = f.get("vx")
    n = h.size
    use_v = vx is not None and stance_speed > 0
    v_level = -STANCE_SPEED_FRACTION * stance_speed
    thr = float(f["thr"])
    with np.errstate(invalid="ignore"):
        core = ok & (h < thr)
        if use_v:
            assert vx is not None
            core &= vx < v_level
        loose = ok & (h < LOOSE_FACTOR * thr)
    min_len = max(2, int(math.ceil(MIN_CONTACT_STRIDE * stride_frames)))
    max_len = MAX_CONTACT_STRIDE * stride_frames
    gap = max(1, int(round(0.1 * stride_frames)))
    max_rows = EXTRAPOLATE_MAX_S * stride_frames / TYPICAL_STRIDE_S
    mask = np.zeros(n, bool)
    out: list[Contact] = []
    # A foot cannot lift off and land again within a few frames: a short rise inside a contact
    # is the pose model losing the stance foot for a frame or two (the other foot swinging past
    # it), so the contact goes on across it.
    loose = _bridge_glitches(loose, core, max(1, int(round(GLITCH_STRIDE * stride_frames))),
                             min_len)
    for a, b in _runs(loose):
        for i0, i1 in _runs(_close_gaps(core[a:b + 1], gap)):
            i0, i1 = i0 + a, i1 + a
            if i1 - i0 + 1 < min_len or i0 == 0 or i1 >= n - 1:
                continue
            plateau = float(np.nanmedian(h[i0:i1 + 1]))
            # The foot must be seen above the contact height before its touch-down and after its
            # toe-off; otherwise (already down when first seen, still down when last seen) that
            # event was not observed.
            seen_before = (a > 0 and bool(ok[a - 1])) or bool(np.any(h[a:i0] >= thr))
            seen_after = (b < n - 1 and bool(ok[b + 1])) or bool(np.any(h[i1 + 1:b + 1] >= thr))
            if not (seen_before and seen_after):
                continue
            td_row = _touch_down_row(h, vx if use_v else None, v_level, i0, plateau, a, max_rows,
                                     thr)
            to_row = _toe_off_row(h, i0, i1, b, plateau, max_rows, thr)
            if to_row is None or td_row is None or not 0 < to_row - td_row <= max_len:
                continue
            if _near_filled(f["filled"], td_row) or _near_filled(f["filled"], to_row):
                continue  # the event falls on interpolated rows: not observed
            td = GaitEvent("TD", side, _time_at(ts, td_row), int(math.ceil(td_row - 1e-9)),
                           _confidence(f, int(round(td_row)), near_swap))
            to = GaitEvent("TO", side, _time_at(ts, to_row), int(math.floor(to_row + 1e-9)),
                           _confidence(f, int(round(to_row)), near_swap))
            out.append(Contact(side, td, to))
            mask[td.frame: to.frame + 1] = True
    return out, mask


def _near_filled(filled: NDArray[np.bool_], row: float) -> bool:
    lo = max(0, int(math.floor(row)) - 1)
    return bool(filled[lo: int(math.ceil(row)) + 2].any())


def _touch_down_row(h: FloatArray, vx: FloatArray | None, v_level: float, i0: int,
                    plateau: float, run_start: int, max_rows: float, thr: float) -> float | None:
    """Fractional row of touch-down for a contact whose first core row is ``i0``."""
    level = plateau + thr
    r_h = float(i0 - 1)
    # The descending crossing of the contact height, at or before i0.
    for j in range(i0, max(run_start, 1) - 1, -1):
        if j >= 1 and h[j - 1] >= level > h[j]:
            c = _crossing(h, j - 1, j, level)
            slope = h[j] - h[j - 1]  # per row, negative
            if c is not None:
                ext = TD_EXTRAPOLATE * thr / max(-slope, 1e-9)
                # Not past the first row that is actually on the plateau.
                reach = next((k for k in range(j, min(j + 6, h.size))
                              if h[k] <= plateau + 0.25 * thr), j + 2)
                r_h = min(c + min(ext, max_rows), float(reach))
            break
    r_v = float(i0 - 1)
    if vx is not None and i0 >= 1:
        c = _crossing(vx, i0 - 1, i0, v_level)
        if c is not None:
            r_v = c
    return max(r_h, r_v, float(run_start) - 1.0)


def _toe_off_row(h: FloatArray, i0: int, i1: int, run_end: int, plateau: float,
                 max_rows: float, thr: float) -> float | None:
    """Fractional row at which the foot rises through the contact height after the core."""
    level = plateau + thr
    # From the last core row still on the plateau: a glitch bridged inside the contact is not a
    # toe-off (a core row can sit between the plateau level and the contact height).
    below = np.flatnonzero(h[i0:i1 + 1] < level)
    start = i0 + int(below[-1]) if below.size else (i0 + i1) // 2
    for k in range(start, min(run_end + 2, h.size - 1)):
        if h[k] < level <= h[k + 1]:
            c = _crossing(h, k, k + 1, level)
            if c is None:
                return None
            # Back to the plateau along the rising slope (at most EXTRAPOLATE_MAX rows).
            ext = TO_EXTRAPOLATE * thr / max(h[k + 1] - h[k], 1e-9)
            return max(c - min(ext, max_rows), float(k) - 0.5)
    return None


def _confidence(f: dict[str, FloatArray], row: int, near_swap: NDArray[np.bool_]) -> float:
    """Sharpness of the height change around ``row`` (0..1), halved next to a label swap."""
    h = f["h"]
    lo, hi = max(0, row - 3), min(h.size, row + 4)
    seg = h[lo:hi]
    seg = seg[np.isfinite(seg)]
    if seg.size < 2:
        return 0.0
    sharp = float(np.clip((seg.max() - seg.min()) / (2.0 * float(f["thr"])), 0.0, 1.0))
    ok = float(np.mean(f["ok"][lo:hi]))
    c = sharp * ok
    if near_swap[row]:
        c *= 0.5
    return round(c, 3)
