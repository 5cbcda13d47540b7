"""Sprint starts from blocks: the set position, the block exit and the first steps.

A start from blocks begins with the runner crouched, hands on the track ("on your marks", then
"set": the hips rise, the hands stay down). The crouch is not running: feet that stand on the
pedals, and the knee on the track, are not steps, and no stride may be made of them. Method, on
the gait detector's cleaned points (:attr:`GaitEvents.points`):

1. **Hands down.** A frame is a crouch frame when the lower wrist is within
   :data:`HANDS_DOWN_LEG` leg lengths (hip to ankle) of the ground line (the lowest foot point,
   a rolling median over half a second). No running stride brings a hand that low, and every
   start from blocks has both hands on the track until the gun.
2. **Set position.** The last run of crouch frames lasting at least :data:`MIN_SET_S` (gaps of up
   to :data:`MAX_GAP_S` bridged: the pose model loses a hand now and then) that is followed by
   contacts. Its last frame is the *movement onset* (the hands leave the track).
3. **Block pushes and steps.** Contacts found by the gait detector that end before the onset
   are the crouch and are dropped. The rear foot leaves its pedal at or after the onset and
   swings for at least :data:`REAR_SWING_MIN_S` before it lands, so a contact that touches down
   earlier than that after the onset and ends after it is a push against a pedal (the detector
   sees a foot "in contact" once the pelvis moves forward over it): its toe-off is a block
   toe-off. Every later contact is a step; the first is the *first step*.
4. **Rear and front foot.** The rear foot leaves the block first and makes the first step (it
   swings through while the front leg is still pushing), so the first step's side is the rear
   foot. With two pushes found, the earlier toe-off is the rear foot's and the later the front
   foot's. With one, its toe-off is attributed by the time to the first step: the rear foot's
   swing from its pedal to the first touch-down lasts about 0.25-0.4 s, the flight after the
   front foot's toe-off about 0.05-0.13 s (published block-start kinematics, e.g. Bezodis et al.
   2019, *Sports Biomech.*); :data:`REAR_SWING_MIN_S` is between the two. Within
   :data:`AMBIGUOUS_S` of it the push is not attributed (both toe-offs null with
   :data:`REASON_AMBIGUOUS`).

Times are seconds of real time like the gait events (video time / slow-motion factor).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running.gait import Contact, GaitEvents, Side
from repstride.analysis.signal import runs
from repstride.analysis.track import Joint

FloatArray = NDArray[np.float64]

#: A wrist within this many leg lengths of the ground line is on the track.
HANDS_DOWN_LEG = 0.15
#: Shortest set position (s), and the longest gap bridged in it (s).
MIN_SET_S = 0.3
MAX_GAP_S = 0.1
#: Time from a lone block toe-off to the first touch-down above which that toe-off is the rear
#: foot's (see the module docstring), and the margin around it within which it is not decided.
REAR_SWING_MIN_S = 0.19
AMBIGUOUS_S = 0.02
#: Why a block toe-off is null.
REASON_NOT_SEEN = "reason.block_toe_off_not_seen"
REASON_AMBIGUOUS = "reason.block_foot_ambiguous"


@dataclass(frozen=True)
class BlockStart:
    """A start from blocks (times in seconds of real time from the start of the video).

    ``rear_side`` is the side of the rear-pedal foot (= the first step's foot). A toe-off is
    None, with its reason in ``reasons``, when the pose did not show that foot's push.
    """

    set_start_s: float
    onset_s: float
    rear_side: Side
    rear_toe_off_s: float | None
    front_toe_off_s: float | None
    first_step_s: float
    block_contacts: tuple[Contact, ...]
    reasons: dict[str, str]
    #: video seconds per real second (``blockClearance`` is in video milliseconds, like strides)
    slow_motion_factor: float = 1.0

    @property
    def front_side(self) -> Side:
        return "left" if self.rear_side == "right" else "right"


def find_block_start(ev: GaitEvents) -> BlockStart | None:
    """The start from blocks in ``ev`` (see the module docstring), None when there is none."""
    pts, ts = ev.points, ev.times_s
    if pts is None or ts is None or ev.view != "side" or len(ts) < 3:
        return None
    leg = ev.leg_length_px
    fps_real = ev.fps * ev.slow_motion_factor
    down = _hands_down(pts, leg, ev.fps)
    gap = max(1, int(round(MAX_GAP_S * fps_real)))
    bridged = down.copy()
    rs = runs(down)
    for (_a0, b0), (a1, _b1) in zip(rs, rs[1:]):
        if a1 - b0 <= gap:
            bridged[b0:a1] = True
    min_len = max(3, int(round(MIN_SET_S * fps_real)))
    candidates = [(a, b) for a, b in runs(bridged) if b - a >= min_len]
    for a, b in reversed(candidates):
        onset_s = float(ts[b - 1])
        after = [c for c in ev.contacts if c.to.time_s > onset_s]
        pushes = [c for c in after if c.td.time_s < onset_s + REAR_SWING_MIN_S]
        steps = [c for c in after if c.td.time_s >= onset_s + REAR_SWING_MIN_S]
        if len(steps) < 2:
            continue
        return _attribute(float(ts[a]), onset_s, pushes, steps)
    return None


def without_crouch(ev: GaitEvents, start: BlockStart) -> GaitEvents:
    """``ev`` with the crouch's and the pedals' contacts removed: the steps only."""
    keep = tuple(c for c in ev.contacts
                 if c.td.time_s >= start.onset_s + REAR_SWING_MIN_S)
    return replace(ev, contacts=keep)


def _attribute(set_start_s: float, onset_s: float, pushes: list[Contact],
               steps: list[Contact]) -> BlockStart:
    first = steps[0]
    rear: Side = first.side
    reasons: dict[str, str] = {}
    rear_to = front_to = None
    tos = sorted(c.to.time_s for c in pushes)
    if len(tos) >= 2:
        rear_to, front_to = tos[0], tos[-1]
    elif len(tos) == 1:
        swing = first.td.time_s - tos[0]
        if abs(swing - REAR_SWING_MIN_S) <= AMBIGUOUS_S:
            reasons["rearFootToeOffMs"] = reasons["frontFootToeOffMs"] = REASON_AMBIGUOUS
        elif swing > REAR_SWING_MIN_S:
            rear_to = tos[0]
            reasons["frontFootToeOffMs"] = REASON_NOT_SEEN
        else:
            front_to = tos[0]
            reasons["rearFootToeOffMs"] = REASON_NOT_SEEN
    else:
        reasons["rearFootToeOffMs"] = reasons["frontFootToeOffMs"] = REASON_NOT_SEEN
    return BlockStart(set_start_s=set_start_s, onset_s=onset_s, rear_side=rear,
                      rear_toe_off_s=rear_to, front_toe_off_s=front_to,
                      first_step_s=first.td.time_s, block_contacts=tuple(pushes),
                      reasons=reasons)


def _hands_down(pts: FloatArray, leg: float, fps: float) -> NDArray[np.bool_]:
    """(T,) the lower wrist within :data:`HANDS_DOWN_LEG` leg lengths of the ground line."""
    feet = pts[:, [int(Joint.LEFT_HEEL), int(Joint.LEFT_FOOT_INDEX), int(Joint.RIGHT_HEEL),
                   int(Joint.RIGHT_FOOT_INDEX)], 1]
    wrists = pts[:, [int(Joint.LEFT_WRIST), int(Joint.RIGHT_WRIST)], 1]
    with np.errstate(invalid="ignore"):
        seen_f = np.isfinite(feet).any(axis=1)
        seen_w = np.isfinite(wrists).any(axis=1)
        low_foot = np.where(seen_f, np.nanmax(np.where(np.isfinite(feet), feet, -np.inf), axis=1),
                            np.nan)
        low_wrist = np.where(seen_w, np.nanmax(np.where(np.isfinite(wrists), wrists, -np.inf),
                                               axis=1), np.nan)
    half = max(1, int(round(0.25 * fps)))
    ground = np.full(low_foot.size, np.nan)
    for i in range(low_foot.size):
        seg = low_foot[max(0, i - half): i + half + 1]
        seg = seg[np.isfinite(seg)]
        if seg.size:
            ground[i] = float(np.median(seg))
    with np.errstate(invalid="ignore"):
        return np.asarray((ground - low_wrist) / leg < HANDS_DOWN_LEG) & np.isfinite(low_wrist)
