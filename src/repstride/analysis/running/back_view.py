"""Back-view running analysis (Running Analysis API, ``analysis_type=back_view``).

Frontal-plane angles from 2-D points seen from behind (degrees). ``lateral`` of a leg is the
image direction from the body's midline towards that leg's side (from the right hip to the
left hip for the left leg), so the signs do not depend on the runner's labels being mirrored:

- **pronation** (rearfoot-angle proxy): angle between the shank (knee -> ankle) and the
  calcaneus line (ankle -> heel); positive = eversion (heel tipped outwards relative to the
  shank, i.e. pronation), negative = inversion (supination). BlazePose's heel point sits on the
  back of the heel, so this is a proxy for the marker-based rearfoot angle, not equal to it.
- **hip adduction**: thigh (hip -> knee) against the perpendicular to the pelvis line (hip to
  hip); positive = knee towards the midline (adduction).
- **knee adduction**: frontal-plane projection angle (FPPA) at the knee, 180 minus the interior
  hip-knee-ankle angle, signed: positive = knee outside the hip-ankle line (varus, adduction),
  negative = inside it (valgus, "knee collapse").
- **pelvic drop**: hip line against the image horizontal; positive = the swing-side hip lower
  than the stance-side hip (contralateral pelvic drop).

Stance is found with :func:`~repstride.analysis.running.gait.detect_gait_events` (``view="back"``:
foot height only). Each step's value is the mean over its stance; the per-leg figure is the mean
over that leg's steps.

The view is checked first (:mod:`~repstride.analysis.running.view`): a runner filmed side-on is
refused with :class:`~repstride.errors.ViewMismatch`. A runner filmed from the front (running
towards the camera) is analysed too, with the flag ``runner_faces_camera``: hip adduction, knee
adduction and pelvic drop are frontal-plane angles seen the same from either side (the signs
follow the body's own left and right), but the back of the heel is hidden, so pronation is null
with ``reason.heel_hidden``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.running.gait import REASON_SLOW_MOTION, GaitEvents, detect_gait_events
from repstride.analysis.running.view import check_view
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import LowQualityPose

FloatArray = NDArray[np.float64]

#: Advice thresholds (degrees, mean over stance).
PRONATION_OVER_DEG = 8.0
PRONATION_UNDER_DEG = -4.0
HIP_ADDUCTION_HIGH_DEG = 10.0
KNEE_VALGUS_DEG = -8.0
KNEE_VARUS_DEG = 8.0
PELVIC_DROP_HIGH_DEG = 5.0

MEASURES_FULL = ("pronation", "hip_adduction", "knee_adduction", "pelvic_drop")
MEASURES_PRONATION = ("pronation",)
#: Flag of a runner filmed from the front, and the reason pronation is then null.
FLAG_FACES_CAMERA = "runner_faces_camera"
REASON_HEEL_HIDDEN = "reason.heel_hidden"


@dataclass(frozen=True)
class BackStep:
    step: int
    side: str
    td_ms: int
    to_ms: int
    contact_ms: float | None  # None when the video looks like undeclared slow motion
    values: dict[str, float | None]  # stance means
    peaks: dict[str, float | None]  # largest positive value in stance
    confidence: float


@dataclass(frozen=True)
class LegSummary:
    side: str
    n_steps: int
    means: dict[str, float | None]
    advice: dict[str, str | None]
    #: measure -> message key saying why its value is null (only for measures the view hides).
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackViewResult:
    full_body: bool
    legs: dict[str, LegSummary]
    steps: tuple[BackStep, ...]
    events: GaitEvents
    flags: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def message_keys(self) -> set[str]:
        keys = {"back_view.title", "gait_cycle.title"}
        for leg in self.legs.values():
            keys.add(f"side.{leg.side}")
            keys |= {f"back.{k}" for k in leg.means}
            keys |= {a for a in leg.advice.values() if a}
            keys |= set(leg.reasons.values())
        if self.info.get("advice"):
            keys.add(str(self.info["advice"]))
        return keys


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


def analyze_back_view(track: PoseTrack, *, full_body: bool = True,
                      slow_motion_factor: float = 1.0) -> BackViewResult:
    """Per-leg stance means of pronation (and, with ``full_body``, hip adduction, knee
    adduction and pelvic drop) plus step-by-step data, from a runner filmed from behind.

    Raises :class:`LowQualityPose` when no stance can be found.
    """
    ev = detect_gait_events(track, view="back", slow_motion_factor=slow_motion_factor)
    if not ev.contacts:
        raise LowQualityPose("No foot contact could be found in the video.")
    pts, ts = ev.points, ev.times_s
    assert pts is not None and ts is not None
    view = check_view(pts, ev.leg_length_px, "back", ev.contact_mask)
    faces_camera = view.facing == "camera"
    measures = MEASURES_FULL if full_body else MEASURES_PRONATION
    hidden = {"pronation": REASON_HEEL_HIDDEN} if faces_camera else {}
    series = {side: frontal_angles(pts, side) for side in ("left", "right")}
    steps = []
    k = slow_motion_factor
    for i, c in enumerate(ev.contacts, start=1):
        a, b = c.td.frame, c.to.frame + 1
        vals: dict[str, float | None] = {}
        peaks: dict[str, float | None] = {}
        for m in measures:
            seg = series[c.side][m][a:b] if m not in hidden else np.zeros(0)
            seg = seg[np.isfinite(seg)]
            vals[m] = float(np.mean(seg)) if seg.size else None
            peaks[m] = float(np.max(seg)) if seg.size else None
        steps.append(BackStep(i, c.side, int(round(c.td.time_s * k * 1000)),
                              int(round(c.to.time_s * k * 1000)),
                              None if ev.slow_motion_suspected else c.duration_s * 1000.0,
                              vals, peaks, c.confidence))
    legs = {}
    for side in ("left", "right"):
        mine = [s for s in steps if s.side == side]
        means: dict[str, float | None] = {}
        for m in measures:
            v = [s.values[m] for s in mine if s.values[m] is not None]
            means[m] = float(np.mean(v)) if v else None  # type: ignore[arg-type]
        legs[side] = LegSummary(side, len(mine), means, {m: _advice(m, means[m]) for m in means},
                                {m: r for m, r in hidden.items() if m in means})
    cadence = None if ev.slow_motion_suspected else _r(ev.cadence_spm())
    info = {"fps": ev.fps, "steps": len(steps), "cadence_spm": cadence,
            "slow_motion_factor": k, "label_swaps": ev.label_swaps, "view": view}
    if ev.slow_motion_suspected:  # cadence and contact times would be stretched video time
        info["advice"] = REASON_SLOW_MOTION
    flags = ev.flags + ((FLAG_FACES_CAMERA,) if faces_camera else ())
    return BackViewResult(full_body, legs, tuple(steps), ev, flags, info)


def _advice(measure: str, v: float | None) -> str | None:
    if v is None:
        return None
    if measure == "pronation":
        return ("pronation.over" if v > PRONATION_OVER_DEG else
                "pronation.under" if v < PRONATION_UNDER_DEG else "pronation.neutral")
    if measure == "hip_adduction":
        return "hip_adduction.high" if v > HIP_ADDUCTION_HIGH_DEG else "hip_adduction.ok"
    if measure == "knee_adduction":
        return ("knee_adduction.valgus" if v < KNEE_VALGUS_DEG else
                "knee_adduction.varus" if v > KNEE_VARUS_DEG else "knee_adduction.ok")
    if measure == "pelvic_drop":
        return "pelvic_drop.high" if v > PELVIC_DROP_HIGH_DEG else "pelvic_drop.ok"
    return None


def _lateral(pts: FloatArray, side: str) -> FloatArray:
    """(T, 2) unit image vector pointing from the midline towards ``side``."""
    v = pts[:, Joint.LEFT_HIP] - pts[:, Joint.RIGHT_HIP]
    sign = 1.0 if side == "left" else -1.0
    sx = np.sign(np.nanmedian(v[:, 0])) if np.isfinite(v[:, 0]).any() else 1.0
    out = np.zeros_like(v)
    out[:, 0] = sign * (sx if sx != 0 else 1.0)
    return out


def _signed_lateral_angle(ref: FloatArray, vec: FloatArray, lateral_x: FloatArray) -> FloatArray:
    """Angle (deg) from ``ref`` to ``vec``, positive when ``vec`` is turned towards lateral."""
    # Express in (lateral, down) axes: x' = x * lateral_sign, y' = y (image y is down).
    r = np.stack([ref[:, 0] * lateral_x, ref[:, 1]], axis=-1)
    v = np.stack([vec[:, 0] * lateral_x, vec[:, 1]], axis=-1)
    ang_r = np.degrees(np.arctan2(r[:, 0], r[:, 1]))
    ang_v = np.degrees(np.arctan2(v[:, 0], v[:, 1]))
    d = ang_v - ang_r
    return (d + 180.0) % 360.0 - 180.0


def frontal_angles(pts: FloatArray, side: str) -> dict[str, FloatArray]:
    """(T,) frontal-plane angles of one leg (see module docstring for the conventions)."""
    s = side.upper()
    o = "RIGHT" if s == "LEFT" else "LEFT"
    hip, knee, ankle, heel = (pts[:, Joint[f"{s}_{n}"]] for n in ("HIP", "KNEE", "ANKLE", "HEEL"))
    ohip = pts[:, Joint[f"{o}_HIP"]]
    lat = _lateral(pts, side)[:, 0]
    shank = ankle - knee
    calc = heel - ankle
    pronation = _signed_lateral_angle(shank, calc, lat)
    # Pelvis perpendicular pointing down: rotate (other hip -> this hip) by 90 deg towards +y.
    pel = hip - ohip
    perp = np.stack([-pel[:, 1], pel[:, 0]], axis=-1)
    perp = np.where((perp[:, 1] < 0)[:, None], -perp, perp)
    thigh = knee - hip
    hip_add = -_signed_lateral_angle(perp, thigh, lat)  # towards midline = adduction
    # FPPA: shank direction against thigh direction; knee outside the hip-ankle line = varus.
    knee_add = _signed_lateral_angle(shank, thigh, lat)
    with np.errstate(invalid="ignore"):
        drop = np.degrees(np.arctan2(ohip[:, 1] - hip[:, 1], np.abs(ohip[:, 0] - hip[:, 0])))
    return {"pronation": pronation, "hip_adduction": hip_add, "knee_adduction": knee_add,
            "pelvic_drop": drop}
