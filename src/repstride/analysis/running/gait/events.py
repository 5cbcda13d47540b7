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
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running.gait.contacts import contact_threshold, find_contacts
from repstride.analysis.running.gait.feet import (
    foot_signals, moving_ground_heights, runner_direction, stride_period_frames,
)
from repstride.analysis.running.gait.labels import (
    alternate_sides, blank_implausible_legs, clean_points, leg_length_px, leg_pairs,
    merge_split_contacts, resolve_label_swaps,
)
from repstride.analysis.running.gait.model import Contact, GaitEvents, View
from repstride.analysis.running.gait.params import (
    CONTACT_HEIGHT, FLAG_FEW_CONTACTS, FLAG_LOW_RESOLUTION, FLAG_NO_FLIGHT, FLAG_ONE_FOOT,
    FLAG_SLOW_MOTION_SUSPECTED, MIN_CONTACT_FPS, MOVING_GROUND, SLOW_MOTION_CADENCE_SPM,
    FOOT_CUTOFF_HZ, TYPICAL_STRIDE_S, WALKING_DUTY_FACTOR,
)
from repstride.analysis.signal import fill_gaps, smooth
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput, LowQualityPose


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

    pts = clean_points(track)
    pts, swaps = resolve_label_swaps(pts, track.score, track.world)
    if view == "side":
        pts = blank_implausible_legs(pts)
    leg = leg_length_px(pts)
    if not np.isfinite(leg) or leg <= 0:
        raise LowQualityPose("The runner's legs could not be measured.")
    pelvis = smooth((pts[:, Joint.LEFT_HIP] + pts[:, Joint.RIGHT_HIP]) / 2.0, fps=fps, cutoff_hz=6.0)

    # Durations are judged against the stride period *in video frames*, so a slow-motion video
    # that was not declared is still segmented sensibly (its times are then video time).
    stride_frames = stride_period_frames(pts, pelvis, fps)
    # Bridge short gaps (a seventh of a stride, 0.1 s at real-time running); remember which rows
    # were invented so no event is read from them.
    hidden = ~np.isfinite(pts[:, :, 0])
    pts = fill_gaps(pts, max_gap=max(1, int(round(0.14 * stride_frames))), extrapolate=False)
    slow_factor_seen = stride_frames / (TYPICAL_STRIDE_S * fps)
    cutoff = min(FOOT_CUTOFF_HZ / max(slow_factor_seen, 1.0), 0.4 * fps)
    feet = {side: foot_signals(pts, side, pelvis, leg, fps, cutoff=cutoff,
                                ground_window=int(round(2.0 * stride_frames)))
            for side in ("left", "right")}
    if MOVING_GROUND:
        moving_ground_heights(feet, leg, stride_frames, fps)
    for side, f in feet.items():
        S = side.upper()
        f["filled"] = hidden[:, [int(Joint[f"{S}_HEEL"]), int(Joint[f"{S}_FOOT_INDEX"])]].any(axis=1)
    direction = runner_direction(feet, pts) if view == "side" else 0
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
        f["thr"] = np.float64(contact_threshold(f, stance_speed))
    contacts: list[Contact] = []
    masks: dict[str, NDArray[np.bool_]] = {}
    for side, f in feet.items():
        found, mask = find_contacts(f, side, stance_speed, ts_real, stride_frames, swaps["near"])
        masks[side] = mask
        contacts += found
    contacts.sort(key=lambda c: c.td.time_s)
    stride_s = stride_frames / fps_real
    windows: list[tuple[int, int]] = []  # rows whose leg labels the contact logic corrected
    contacts = merge_split_contacts(contacts, stride_s, 1.0 / fps_real, windows)
    contacts = alternate_sides(contacts, stride_s, windows)
    for lo, hi in windows:
        sl = slice(max(0, lo - 1), min(n, hi + 2))
        for jl, jr in leg_pairs():
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


def _with_flag(ev: GaitEvents, flag: str) -> GaitEvents:
    return replace(ev, flags=ev.flags + (flag,))

