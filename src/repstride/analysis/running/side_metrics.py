"""Side-view running metrics, one function per block of the calculated data: speed, step
length, cadence, contact / flight times, duty factor, vertical oscillation, overstride, foot
strike, joint angles, running style and the total score (used by
:func:`repstride.analysis.running.side_view.analyze_side_view`). Definitions: ``docs/running.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running import kinematics as K
from repstride.analysis.running.gait import REASON_SLOW_MOTION, Contact, GaitEvents
from repstride.analysis.track import Joint

FloatArray = NDArray[np.float64]

#: Overstride: shank angle at touch-down (deg) scoring 1 at or below GOOD, 0 at or above BAD.
OVERSTRIDE_GOOD_DEG = 5.0
OVERSTRIDE_BAD_DEG = 15.0
#: Foot-strike classes from the foot angle at touch-down (deg, toe up positive) relative to the
#: same foot's angle when flat in mid-stance, after Altman & Davis (2012): rearfoot above
#: REARFOOT_DEG, forefoot below FOREFOOT_DEG.
REARFOOT_DEG = 8.0
FOREFOOT_DEG = -1.6
#: Cadence scoring (steps/min): 0 at or below LOW, 1 at or above GOOD.
CADENCE_LOW_SPM = 150.0
CADENCE_GOOD_SPM = 170.0
CADENCE_HIGH_SPM = 200.0
#: Vertical oscillation scoring (leg lengths): 1 at or below GOOD, 0 at or above BAD.
VO_GOOD = 0.06
VO_BAD = 0.12
#: Dual-axis running-style midlines: duty factor and vertical oscillation (leg lengths), and
#: the widths of the logistic memberships around them.
STYLE_DF_MID, STYLE_DF_WIDTH = 0.35, 0.025
STYLE_VO_MID, STYLE_VO_WIDTH = 0.085, 0.012
#: Treadmill without the flag: over the clip the pelvis' image x range (5th to 95th percentile)
#: is below STAYS_IN_PLACE_RATIO of the distance the stance foot moved backwards under it, and
#: that distance is at least MIN_FOOT_TRAVEL_LEG leg lengths (the legs really cycle). On the dev
#: clips treadmill runners have a ratio of 0.003-0.008, runners crossing the frame 0.7-10.
STAYS_IN_PLACE_RATIO = 0.1
MIN_FOOT_TRAVEL_LEG = 2.0
REASON_TREADMILL = "reason.treadmill_suspected"
HINT_TREADMILL = "hint.treadmill_suspected"
FLAG_TREADMILL = "treadmill_suspected"

StrikeType = Literal["rearfoot", "midfoot", "forefoot"]
JOINTS = ("ankle", "knee", "hip", "shoulder", "elbow", "trunk", "head")


@dataclass(frozen=True)
class Metric:
    """One number with its unit; ``value`` is None with a ``reason`` key when not measurable."""

    value: float | None
    unit: str
    title_key: str
    reason: str | None = None
    low_resolution: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Overstride:
    """Mean shank angle at touch-down (deg, ankle ahead of knee positive) and its 0..1 score."""

    angle_deg: float | None
    score: float | None
    advice: str | None
    per_step_deg: tuple[float, ...] = ()


@dataclass(frozen=True)
class FootLanding:
    """One step's foot strike."""

    step: int
    side: str
    timestamp_ms: int
    strike: StrikeType | None
    foot_angle_deg: float | None
    confidence: float


@dataclass(frozen=True)
class JointAngles:
    """Median over steps of one joint's angle (deg) at TD, mid-stance, TO, and its range."""

    touch_down: float | None
    mid_stance: float | None
    toe_off: float | None
    range: float | None


@dataclass(frozen=True)
class RunningStyle:
    style: str
    confidence_pct: float



def rounded(v: float | None, nd: int) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)



def stays_in_place(ev: GaitEvents, pts: FloatArray) -> bool:
    """True when the runner stays in place while the stance foot moves backwards under the body:
    a treadmill, or a camera that follows the runner (see :data:`STAYS_IN_PLACE_RATIO`)."""
    if ev.times_s is None or ev.times_s.size < 2 or ev.stance_speed_px_s <= 0:
        return False
    pel = (pts[:, Joint.LEFT_HIP, 0] + pts[:, Joint.RIGHT_HIP, 0]) / 2.0
    pel = pel[np.isfinite(pel)]
    if pel.size < 2:
        return False
    span_px = float(np.percentile(pel, 95) - np.percentile(pel, 5))
    # stance_speed_px_s is per second of real time, times_s are real time.
    foot_px = ev.stance_speed_px_s * float(ev.times_s[-1] - ev.times_s[0])
    if foot_px < MIN_FOOT_TRAVEL_LEG * ev.leg_length_px:
        return False
    return span_px < STAYS_IN_PLACE_RATIO * foot_px


def metrics(ev: GaitEvents, px_per_m: float, treadmill: bool, pace: float | None,
            pts: FloatArray, *, treadmill_suspected: bool = False) -> dict[str, Metric]:
    """The metrics block. ``treadmill_suspected`` (``treadmill`` false, yet the runner stays in
    place, :func:`stays_in_place`): speed and step length from displacement are null with
    :data:`REASON_TREADMILL`, since they would be the belt's (or the camera's) as if real."""
    lowres = ev.low_resolution
    few = "reason.too_few_steps"
    slow = ev.slow_motion_suspected
    cad = ev.cadence_spm()
    if treadmill:
        speed_v = 1000.0 / pace if pace else None
        speed = Metric(rounded(speed_v, 2), "m/s", "metrics.speed",
                       reason=None if speed_v else "reason.pace_required",
                       extra={"source": "pace"})
    else:
        # Pixels per second of video time: stretched by slow motion like every duration.
        speed_v = ev.stance_speed_px_s / px_per_m if ev.stance_speed_px_s > 0 else None
        speed = _timed(Metric(rounded(speed_v, 2), "m/s", "metrics.speed",
                              reason=None if speed_v else few, extra={"source": "displacement"}),
                       slow)
    step_len = speed_v / (cad / 60.0) if speed_v and cad else None
    step_length = Metric(rounded(step_len, 2), "m", "metrics.step_length",
                         reason=None if step_len else (
                             "reason.pace_required" if treadmill and not pace else few))
    if treadmill:  # a real-time belt speed over a video-time cadence
        step_length = _timed(step_length, slow)
    elif treadmill_suspected:
        speed = Metric(None, "m/s", "metrics.speed", reason=REASON_TREADMILL,
                       extra={"source": "displacement"})
        step_length = Metric(None, "m", "metrics.step_length", reason=REASON_TREADMILL)
    cadence = _timed(Metric(rounded(cad, 1), "steps/min", "metrics.cadence",
                            reason=None if cad is not None else few,
                            extra={"advice": _cadence_advice(cad)} if cad is not None else {}),
                     slow)
    gct = ev.contact_times_s()
    flight = ev.flight_times_s()
    gct_ms = float(np.mean(gct)) * 1000.0 if gct.size else None
    fl_ms = float(np.mean(flight)) * 1000.0 if flight.size else None
    lr_reason = "reason.low_frame_rate" if lowres else None
    contact = _timed(Metric(rounded(gct_ms, 0), "ms", "metrics.ground_contact_time",
                            reason=lr_reason if gct_ms is not None else few,
                            low_resolution=lowres,
                            extra={"n": int(gct.size),
                                   "sd": rounded(float(np.std(gct)) * 1000.0, 0) if gct.size > 1
                                   else None}),
                     slow)
    flight_m = _timed(Metric(rounded(fl_ms, 0), "ms", "metrics.flight_time",
                             reason=lr_reason if fl_ms is not None else few,
                             low_resolution=lowres, extra={"n": int(flight.size)}),
                      slow)
    # A ratio of two durations: slow motion stretches both alike.
    df = ev.duty_factor()
    duty = Metric(rounded(df, 3), "ratio", "metrics.duty_factor",
                  reason=lr_reason if df is not None else few, low_resolution=lowres)
    vo_px = _vertical_oscillation_px(ev, pts)
    vo_extra: dict[str, Any] = {}
    if vo_px is not None:
        vo_extra["leg_lengths"] = vo_px / ev.leg_length_px
    vo = Metric(rounded(vo_px / px_per_m * 100.0 if vo_px is not None else None, 1), "cm",
                "metrics.vertical_oscillation", reason=None if vo_px is not None else few,
                extra=vo_extra)
    return {"speed": speed, "step_length": step_length, "cadence": cadence,
            "ground_contact_time": contact, "flight_time": flight_m, "duty_factor": duty,
            "vertical_oscillation": vo}


def _timed(m: Metric, slow_motion_suspected: bool) -> Metric:
    """A duration-based metric of a video that looks like undeclared slow motion: null, with the
    reason and the value in video time beside it (no advice: it would judge the wrong number)."""
    if not slow_motion_suspected or m.value is None:
        return m
    extra = {k: v for k, v in m.extra.items() if k != "advice"}
    extra["video_time_value"] = m.value
    return Metric(None, m.unit, m.title_key, reason=REASON_SLOW_MOTION,
                  low_resolution=m.low_resolution, extra=extra)


def _cadence_advice(cad: float | None) -> str | None:
    if cad is None:
        return None
    if cad < CADENCE_LOW_SPM + 5.0:
        return "cadence.low"
    if cad > CADENCE_HIGH_SPM:
        return "cadence.high"
    return "cadence.ok"


def _vertical_oscillation_px(ev: GaitEvents, pts: FloatArray) -> float | None:
    """Median over steps (TD to next TD) of the pelvis' vertical range, pixels."""
    assert ev.times_s is not None
    pel_y = (pts[:, Joint.LEFT_HIP, 1] + pts[:, Joint.RIGHT_HIP, 1]) / 2.0
    tds = sorted(c.td.frame for c in ev.contacts)
    ranges = []
    for a, b in zip(tds, tds[1:]):
        seg = pel_y[a:b + 1]
        seg = seg[np.isfinite(seg)]
        step_s = (b - a) / (ev.fps * ev.slow_motion_factor)
        if b - a >= 3 and seg.size >= 3 and step_s < 0.75 * ev.typical_stride_s():
            ranges.append(float(seg.max() - seg.min()))
    return float(np.median(ranges)) if ranges else None


def overstride(ev: GaitEvents, pts: FloatArray, ts: FloatArray) -> Overstride:
    per = []
    series = {s: K.shank_angle(pts, s, ev.direction) for s in ("left", "right")}
    for c in ev.contacts:
        a = K.at_time(series[c.side], ts, c.td.time_s)
        if math.isfinite(a):
            per.append(a)
    if not per:
        return Overstride(None, None, None)
    ang = float(np.median(per))
    score = float(np.clip((OVERSTRIDE_BAD_DEG - ang) / (OVERSTRIDE_BAD_DEG - OVERSTRIDE_GOOD_DEG),
                          0.0, 1.0))
    mid = (OVERSTRIDE_GOOD_DEG + OVERSTRIDE_BAD_DEG) / 2.0
    advice = ("overstride.low" if ang <= OVERSTRIDE_GOOD_DEG + 2.0 else
              "overstride.moderate" if ang <= mid + 2.0 else "overstride.high")
    return Overstride(ang, score, advice, tuple(per))


def classify_strike(foot_angle_deg: float) -> StrikeType:
    """Foot-strike class from the foot angle at touch-down (deg, toe up positive)."""
    if foot_angle_deg > REARFOOT_DEG:
        return "rearfoot"
    if foot_angle_deg < FOREFOOT_DEG:
        return "forefoot"
    return "midfoot"


def _foot_flat_reference(ev: GaitEvents, series: dict[str, FloatArray], ts: FloatArray
                         ) -> dict[str, float]:
    """Per foot: median foot angle while the foot is flat (25-45 % of stance).

    Stands in for the standing calibration of Altman & Davis: it removes the offset between
    the heel/toe landmarks and the sole, and a camera that is not level.
    """
    ref: dict[str, float] = {}
    for side in ("left", "right"):
        vals = []
        for c in ev.contacts_of(side):  # type: ignore[arg-type]
            d = c.duration_s
            for f in (0.25, 0.3, 0.35, 0.4, 0.45):
                vals.append(K.at_time(series[side], ts, c.td.time_s + f * d))
        vals = [v for v in vals if math.isfinite(v)]
        ref[side] = float(np.median(vals)) if vals else 0.0
    return ref


def foot_landing(ev: GaitEvents, pts: FloatArray, ts: FloatArray) -> tuple[FootLanding, ...]:
    out = []
    series = {s: K.foot_angle(pts, s, ev.direction) for s in ("left", "right")}
    ref = _foot_flat_reference(ev, series, ts)
    for i, c in enumerate(ev.contacts, start=1):
        a = K.at_time(series[c.side], ts, c.td.time_s) - ref[c.side]
        ok = math.isfinite(a)
        out.append(FootLanding(i, c.side, round(c.td.time_s * 1000.0),
                               classify_strike(a) if ok else None, a if ok else None,
                               c.td.confidence or 0.0))
    return tuple(out)


def joint_angles(ev: GaitEvents, pts: FloatArray, ts: FloatArray, joint: str) -> JointAngles:
    f = K.SIDE_ANGLE_FUNCS[joint]
    series = {s: f(pts, s, ev.direction) for s in ("left", "right")}
    td, mid, to, rng = [], [], [], []
    by_side: dict[str, list[Contact]] = {"left": [], "right": []}
    for c in ev.contacts:
        by_side[c.side].append(c)
        s = series[c.side]
        td.append(K.at_time(s, ts, c.td.time_s))
        to.append(K.at_time(s, ts, c.to.time_s))
        mid.append(K.at_time(s, ts, (c.td.time_s + c.to.time_s) / 2.0))
    for side, cs in by_side.items():
        for a, b in zip(cs, cs[1:]):  # one full gait cycle of this leg
            seg = series[side][a.td.frame:b.td.frame + 1]
            seg = seg[np.isfinite(seg)]
            if seg.size >= 3 and b.td.time_s - a.td.time_s < 1.5 * ev.typical_stride_s():
                rng.append(float(seg.max() - seg.min()))

    def med(v: list[float]) -> float | None:
        v = [x for x in v if math.isfinite(x)]
        return float(np.median(v)) if v else None

    return JointAngles(med(td), med(mid), med(to), med(rng))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def running_styles(df: float | None, vo: float | None) -> tuple[RunningStyle, ...]:
    """Dual-axis model (van Oeveren et al. 2021): duty factor x vertical oscillation."""
    if df is None or vo is None:
        return ()
    p_hi_df = _sigmoid((df - STYLE_DF_MID) / STYLE_DF_WIDTH)
    p_hi_vo = _sigmoid((vo - STYLE_VO_MID) / STYLE_VO_WIDTH)
    raw = {
        "stick": (1 - p_hi_df) * (1 - p_hi_vo),
        "bounce": (1 - p_hi_df) * p_hi_vo,
        "push": p_hi_df * p_hi_vo,
        "sit": p_hi_df * (1 - p_hi_vo),
    }
    return tuple(RunningStyle(k, 100.0 * v) for k, v in
                 sorted(raw.items(), key=lambda kv: -kv[1]))


def total_score(overstride: float | None, metrics: dict[str, Metric], vo: float | None
                 ) -> tuple[float | None, str | None]:
    parts = []
    if overstride is not None:
        parts.append(overstride)
    cad = metrics["cadence"].value
    if cad is not None:
        parts.append(float(np.clip((cad - CADENCE_LOW_SPM) / (CADENCE_GOOD_SPM - CADENCE_LOW_SPM),
                                   0.0, 1.0)))
    if vo is not None:
        parts.append(float(np.clip((VO_BAD - vo) / (VO_BAD - VO_GOOD), 0.0, 1.0)))
    if not parts:
        return None, None
    total = float(np.mean(parts))
    key = "total_score.good" if total >= 0.75 else "total_score.fair" if total >= 0.5 \
        else "total_score.poor"
    return total, key
