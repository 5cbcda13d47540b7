"""Side-view running analysis (Running Analysis API, ``analysis_type=side_view``).

``analyze_side_view(track, ...) -> SideViewResult``; ``result.to_wire()`` is the
``calculated_data`` JSON body. Every number the video cannot support is ``None`` with a reason
key (see :mod:`repstride.analysis.running.messages`); contact and flight times below 50 fps are
flagged ``low_resolution``. Definitions and thresholds: ``docs/running.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running import kinematics as K
from repstride.analysis.running.gait import (
    REASON_SLOW_MOTION, Contact, GaitEvents, detect_gait_events,
)
from repstride.analysis.running.view import check_view
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput, LowQualityPose

FloatArray = NDArray[np.float64]

#: Hip-to-ankle length as a fraction of stature (Winter, *Biomechanics and Motor Control of
#: Human Movement*: hip 0.530 H, ankle 0.039 H).
LEG_FRACTION_OF_HEIGHT = 0.491
#: Default stature and mass when the client gives none.
DEFAULT_HEIGHT_CM = 170.0
DEFAULT_WEIGHT_KG = 70.0
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

StrikeType = Literal["rearfoot", "midfoot", "forefoot"]
JOINTS = ("ankle", "knee", "hip", "shoulder", "elbow")


@dataclass(frozen=True)
class Metric:
    """One number with its unit; ``value`` is None with a ``reason`` key when not measurable."""

    value: float | None
    unit: str
    title_key: str
    reason: str | None = None
    low_resolution: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value, "unit": self.unit, "title_key": self.title_key}
        if self.reason is not None:
            d["reason"] = self.reason
        if self.low_resolution:
            d["low_resolution"] = True
        d.update(self.extra)
        return d


@dataclass(frozen=True)
class Overstride:
    """Mean shank angle at touch-down (deg, ankle ahead of knee positive) and its 0..1 score."""

    angle_deg: float | None
    score: float | None
    advice: str | None
    per_step_deg: tuple[float, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"angle": _r(self.angle_deg, 1), "unit": "deg", "score": _r(self.score, 2),
                "title_key": "overstride.title", "advice": self.advice,
                "per_step": [_r(a, 1) for a in self.per_step_deg]}


@dataclass(frozen=True)
class FootLanding:
    """One step's foot strike."""

    step: int
    side: str
    timestamp_ms: int
    strike: StrikeType | None
    foot_angle_deg: float | None
    confidence: float

    def to_wire(self) -> dict[str, Any]:
        return {"step": self.step, "side": self.side, "timestamp_ms": self.timestamp_ms,
                "type": self.strike,
                "type_key": f"foot_landing.{self.strike}" if self.strike else None,
                "foot_angle": _r(self.foot_angle_deg, 1), "confidence": _r(self.confidence, 2)}


@dataclass(frozen=True)
class JointAngles:
    """Median over steps of one joint's angle (deg) at TD, mid-stance, TO, and its range."""

    touch_down: float | None
    mid_stance: float | None
    toe_off: float | None
    range: float | None

    def to_wire(self, joint: str) -> dict[str, Any]:
        return {"touch_down": _r(self.touch_down, 1), "mid_stance": _r(self.mid_stance, 1),
                "toe_off": _r(self.toe_off, 1), "range": _r(self.range, 1), "unit": "deg",
                "title_key": f"joint.{joint}"}


@dataclass(frozen=True)
class RunningStyle:
    style: str
    confidence_pct: float

    def to_wire(self) -> dict[str, Any]:
        return {"style": self.style, "confidence": round(self.confidence_pct, 1),
                "title_key": f"style.{self.style}.title",
                "description_key": f"style.{self.style}.description"}


@dataclass(frozen=True)
class SideViewResult:
    """Everything the side view reports. ``to_wire()`` gives the calculated-data JSON."""

    total_score: float | None
    total_score_key: str | None
    metrics: dict[str, Metric]
    overstride: Overstride
    foot_landing: tuple[FootLanding, ...]
    joint_angles: dict[str, JointAngles]
    running_styles: tuple[RunningStyle, ...]
    events: GaitEvents
    flags: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def message_keys(self) -> set[str]:
        """Every message key this result refers to (for catalog checks)."""
        keys = {"side_view.title", "metrics.title", "overstride.title", "foot_landing.title",
                "joint_angles.title", "running_styles.title", "total_score.title"}
        keys |= {m.title_key for m in self.metrics.values()}
        keys |= {m.reason for m in self.metrics.values() if m.reason}
        keys |= {str(m.extra["advice"]) for m in self.metrics.values() if m.extra.get("advice")}
        if self.overstride.advice:
            keys.add(self.overstride.advice)
        if self.total_score_key:
            keys.add(self.total_score_key)
        keys |= {f"foot_landing.{f.strike}" for f in self.foot_landing if f.strike}
        keys |= {f"joint.{j}" for j in self.joint_angles}
        for s in self.running_styles:
            keys |= {f"style.{s.style}.title", f"style.{s.style}.description"}
        return keys

    def to_wire(self) -> dict[str, Any]:
        counts = {k: sum(1 for f in self.foot_landing if f.strike == k)
                  for k in ("rearfoot", "midfoot", "forefoot")}
        dominant = max(counts, key=lambda k: counts[k]) if any(counts.values()) else None
        return {
            "total_score": _r(self.total_score, 2),
            "total_score_key": self.total_score_key,
            "metrics": {k: m.to_wire() for k, m in self.metrics.items()},
            "overstride": self.overstride.to_wire(),
            "foot_landing": {"steps": [f.to_wire() for f in self.foot_landing],
                             "counts": counts, "dominant": dominant},
            "joint_angles": {k: v.to_wire(k) for k, v in self.joint_angles.items()},
            "running_styles": [s.to_wire() for s in self.running_styles],
            "gait_events": self.events.to_wire(),
            "flags": list(self.flags),
            "info": self.info,
        }


def analyze_side_view(
    track: PoseTrack,
    *,
    height_cm: float = DEFAULT_HEIGHT_CM,
    weight_kg: float = DEFAULT_WEIGHT_KG,
    treadmill: bool = False,
    pace_s_per_km: float | None = None,
    slow_motion_factor: float = 1.0,
) -> SideViewResult:
    """Side-view running metrics of one runner.

    Parameters
    ----------
    track : PoseTrack
        The runner seen from the side (treadmill, or overground with a static or panning camera).
    height_cm, weight_kg : float
        Stature (scales pixels to metres) and mass (reported back; no metric uses it yet).
    treadmill : bool
        Treadmill: speed is the belt speed from ``pace_s_per_km`` (required for speed; without it
        speed and step length are null with ``reason.pace_required``). Overground: speed is the
        runner's displacement relative to the stance foot, scaled by stature.
    pace_s_per_km : float, optional
        Treadmill pace in seconds per kilometre.
    slow_motion_factor : float
        Playback slow-down of the video (1 = real time); times are reported in real time.

    Raises
    ------
    InvalidInput
        Bad height, weight or pace. :class:`LowQualityPose` when no step can be found.
    """
    height_cm = _check_height(height_cm)
    if not (weight_kg > 0 and math.isfinite(weight_kg)):
        raise InvalidInput(f"weight must be a positive number of kg, got {weight_kg!r}")
    if pace_s_per_km is not None and not (pace_s_per_km > 0 and math.isfinite(pace_s_per_km)):
        raise InvalidInput(f"pace must be positive, got {pace_s_per_km!r}")

    ev = detect_gait_events(track, view="side", slow_motion_factor=slow_motion_factor)
    if not ev.contacts:
        raise LowQualityPose("No foot contact could be found in the video.")
    pts, ts = ev.points, ev.times_s
    assert pts is not None and ts is not None
    view = check_view(pts, ev.leg_length_px, "side")
    px_per_m = ev.leg_length_px / (LEG_FRACTION_OF_HEIGHT * height_cm / 100.0)

    metrics = _metrics(ev, px_per_m, treadmill, pace_s_per_km, pts)
    overstride = _overstride(ev, pts, ts)
    landing = _foot_landing(ev, pts, ts)
    angles = {j: _joint_angles(ev, pts, ts, j) for j in JOINTS}
    df = metrics["duty_factor"].value
    vo = metrics["vertical_oscillation"].extra.get("leg_lengths")
    styles = _styles(df, vo)
    total, total_key = _total_score(overstride.score, metrics, vo)
    flags = list(ev.flags)
    info = {
        "height_cm": height_cm, "weight_kg": weight_kg, "treadmill": treadmill,
        "pace_s_per_km": pace_s_per_km, "pixels_per_metre": round(px_per_m, 2),
        "direction": "right" if ev.direction > 0 else "left", "label_swaps": ev.label_swaps,
        "fps": ev.fps, "slow_motion_factor": slow_motion_factor,
        "estimated_speed_m_s": _r(ev.stance_speed_px_s / px_per_m, 2),
        "steps": len(ev.contacts), "view": view.to_wire(),
    }
    if ev.slow_motion_suspected:
        info["advice"] = REASON_SLOW_MOTION
    return SideViewResult(
        total_score=total, total_score_key=total_key, metrics=metrics, overstride=overstride,
        foot_landing=landing, joint_angles=angles, running_styles=styles, events=ev,
        flags=tuple(flags), info=info,
    )


def parse_pace(text: str) -> float:
    """``"MM:SS"`` (per kilometre) -> seconds per kilometre; :class:`InvalidInput` otherwise."""
    parts = str(text).strip().split(":")
    try:
        if len(parts) != 2 or not parts[1].isdigit() or not parts[0].isdigit():
            raise ValueError
        mm, ss = int(parts[0]), int(parts[1])
    except ValueError as exc:
        raise InvalidInput(f"pace must be MM:SS per km, got {text!r}") from exc
    if ss >= 60 or mm * 60 + ss <= 0:
        raise InvalidInput(f"pace must be MM:SS per km with SS < 60, got {text!r}")
    return float(mm * 60 + ss)


# -- helpers -------------------------------------------------------------------------------------


def _r(v: float | None, nd: int) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


def _check_height(height_cm: float) -> float:
    if not (isinstance(height_cm, (int, float)) and math.isfinite(height_cm) and height_cm > 0):
        raise InvalidInput(f"height must be a positive number, got {height_cm!r}")
    if height_cm < 3.0:  # given in metres
        height_cm *= 100.0
    if not 50.0 <= height_cm <= 250.0:
        raise InvalidInput(f"height must be between 50 and 250 cm, got {height_cm!r}")
    return float(height_cm)


def _metrics(ev: GaitEvents, px_per_m: float, treadmill: bool, pace: float | None,
             pts: FloatArray) -> dict[str, Metric]:
    lowres = ev.low_resolution
    few = "reason.too_few_steps"
    slow = ev.slow_motion_suspected
    cad = ev.cadence_spm()
    if treadmill:
        speed_v = 1000.0 / pace if pace else None
        speed = Metric(_r(speed_v, 2), "m/s", "metrics.speed",
                       reason=None if speed_v else "reason.pace_required",
                       extra={"source": "pace"})
    else:
        # Pixels per second of video time: stretched by slow motion like every duration.
        speed_v = ev.stance_speed_px_s / px_per_m if ev.stance_speed_px_s > 0 else None
        speed = _timed(Metric(_r(speed_v, 2), "m/s", "metrics.speed",
                              reason=None if speed_v else few, extra={"source": "displacement"}),
                       slow)
    step_len = speed_v / (cad / 60.0) if speed_v and cad else None
    step_length = Metric(_r(step_len, 2), "m", "metrics.step_length",
                         reason=None if step_len else (
                             "reason.pace_required" if treadmill and not pace else few))
    if treadmill:  # a real-time belt speed over a video-time cadence
        step_length = _timed(step_length, slow)
    cadence = _timed(Metric(_r(cad, 1), "steps/min", "metrics.cadence",
                            reason=None if cad is not None else few,
                            extra={"advice": _cadence_advice(cad)} if cad is not None else {}),
                     slow)
    gct = ev.contact_times_s()
    flight = ev.flight_times_s()
    gct_ms = float(np.mean(gct)) * 1000.0 if gct.size else None
    fl_ms = float(np.mean(flight)) * 1000.0 if flight.size else None
    lr_reason = "reason.low_frame_rate" if lowres else None
    contact = _timed(Metric(_r(gct_ms, 0), "ms", "metrics.ground_contact_time",
                            reason=lr_reason if gct_ms is not None else few,
                            low_resolution=lowres,
                            extra={"n": int(gct.size),
                                   "sd": _r(float(np.std(gct)) * 1000.0, 0) if gct.size > 1
                                   else None}),
                     slow)
    flight_m = _timed(Metric(_r(fl_ms, 0), "ms", "metrics.flight_time",
                             reason=lr_reason if fl_ms is not None else few,
                             low_resolution=lowres, extra={"n": int(flight.size)}),
                      slow)
    # A ratio of two durations: slow motion stretches both alike.
    df = ev.duty_factor()
    duty = Metric(_r(df, 3), "ratio", "metrics.duty_factor",
                  reason=lr_reason if df is not None else few, low_resolution=lowres)
    vo_px = _vertical_oscillation_px(ev, pts)
    vo_extra: dict[str, Any] = {}
    if vo_px is not None:
        vo_extra["leg_lengths"] = vo_px / ev.leg_length_px
    vo = Metric(_r(vo_px / px_per_m * 100.0 if vo_px is not None else None, 1), "cm",
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


def _overstride(ev: GaitEvents, pts: FloatArray, ts: FloatArray) -> Overstride:
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


def _foot_landing(ev: GaitEvents, pts: FloatArray, ts: FloatArray) -> tuple[FootLanding, ...]:
    out = []
    series = {s: K.foot_angle(pts, s, ev.direction) for s in ("left", "right")}
    ref = _foot_flat_reference(ev, series, ts)
    for i, c in enumerate(ev.contacts, start=1):
        a = K.at_time(series[c.side], ts, c.td.time_s) - ref[c.side]
        ok = math.isfinite(a)
        out.append(FootLanding(i, c.side, round(c.td.time_s * 1000.0),
                               classify_strike(a) if ok else None, a if ok else None,
                               c.td.confidence))
    return tuple(out)


def _joint_angles(ev: GaitEvents, pts: FloatArray, ts: FloatArray, joint: str) -> JointAngles:
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


def _styles(df: float | None, vo: float | None) -> tuple[RunningStyle, ...]:
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


def _total_score(overstride: float | None, metrics: dict[str, Metric], vo: float | None
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
