"""Side-view running analysis (Running Analysis API, ``analysis_type=side_view``).

``analyze_side_view(track, ...) -> SideViewResult``; ``repstride.wire.running`` turns it into
the ``calculated_data`` JSON body; the metrics are computed in :mod:`.side_metrics`. Every number
the video cannot support is ``None`` with a reason key (see
:mod:`repstride.analysis.running.messages`); contact and flight times below 50 fps are flagged
``low_resolution``. Definitions and thresholds: ``docs/running.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from repstride.analysis.running import side_metrics as SM
from repstride.analysis.running.gait import REASON_SLOW_MOTION, GaitEvents, detect_gait_events
from repstride.analysis.running.side_metrics import (
    JOINTS, FootLanding, JointAngles, Metric, Overstride, RunningStyle, rounded,
)
from repstride.analysis.running.side_metrics import classify_strike  # noqa: F401 (public here)
from repstride.analysis.running.view import check_view
from repstride.analysis.track import PoseTrack
from repstride.errors import InvalidInput, LowQualityPose

#: Hip-to-ankle length as a fraction of stature (Winter, *Biomechanics and Motor Control of
#: Human Movement*: hip 0.530 H, ankle 0.039 H).
LEG_FRACTION_OF_HEIGHT = 0.491
#: Default stature and mass when the client gives none.
DEFAULT_HEIGHT_CM = 170.0
DEFAULT_WEIGHT_KG = 70.0


@dataclass(frozen=True)
class SideViewResult:
    """Everything the side view reports (``info["view"]`` is the :class:`ViewCheck`)."""

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
        if self.info.get("hint"):
            keys.add(str(self.info["hint"]))
        if self.total_score_key:
            keys.add(self.total_score_key)
        keys |= {f"foot_landing.{f.strike}" for f in self.foot_landing if f.strike}
        keys |= {f"joint.{j}" for j in self.joint_angles}
        for s in self.running_styles:
            keys |= {f"style.{s.style}.title", f"style.{s.style}.description"}
        return keys


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

    suspected = not treadmill and SM.stays_in_place(ev, pts)
    metrics = SM.metrics(ev, px_per_m, treadmill, pace_s_per_km, pts,
                         treadmill_suspected=suspected)
    overstride = SM.overstride(ev, pts, ts)
    landing = SM.foot_landing(ev, pts, ts)
    angles = {j: SM.joint_angles(ev, pts, ts, j) for j in JOINTS}
    df = metrics["duty_factor"].value
    vo = metrics["vertical_oscillation"].extra.get("leg_lengths")
    styles = SM.running_styles(df, vo)
    total, total_key = SM.total_score(overstride.score, metrics, vo)
    flags = list(ev.flags)
    info = {
        "height_cm": height_cm, "weight_kg": weight_kg, "treadmill": treadmill,
        "pace_s_per_km": pace_s_per_km, "pixels_per_metre": round(px_per_m, 2),
        "direction": "right" if ev.direction > 0 else "left", "label_swaps": ev.label_swaps,
        "fps": ev.fps, "slow_motion_factor": slow_motion_factor,
        "estimated_speed_m_s": rounded(ev.stance_speed_px_s / px_per_m, 2),
        "steps": len(ev.contacts), "view": view,
    }
    if ev.slow_motion_suspected:
        info["advice"] = REASON_SLOW_MOTION
    if suspected:
        flags.append(SM.FLAG_TREADMILL)
        info["estimated_speed_m_s"] = None
        info["hint"] = SM.HINT_TREADMILL
    return SideViewResult(
        total_score=total, total_score_key=total_key, metrics=metrics, overstride=overstride,
        foot_landing=landing, joint_angles=angles, running_styles=styles, events=ev,
        flags=tuple(flags), info=info,
    )


#: ``MM:SS`` per kilometre: one or two digits of minutes, two of seconds (00-59).
_PACE = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")


def parse_pace(text: str) -> float:
    """``"MM:SS"`` (per kilometre) -> seconds per kilometre; :class:`InvalidInput` otherwise.
    The one parser of a pace (the Running Analysis API's form adds its range and messages)."""
    m = _PACE.match(str(text))
    seconds = int(m.group(1)) * 60 + int(m.group(2)) if m else 0
    if seconds <= 0:
        raise InvalidInput(f"pace must be MM:SS per km with SS < 60, got {text!r}")
    return float(seconds)


# -- helpers -------------------------------------------------------------------------------------

def _check_height(height_cm: float) -> float:
    if not (isinstance(height_cm, (int, float)) and math.isfinite(height_cm) and height_cm > 0):
        raise InvalidInput(f"height must be a positive number, got {height_cm!r}")
    if height_cm < 3.0:  # given in metres
        height_cm *= 100.0
    if not 50.0 <= height_cm <= 250.0:
        raise InvalidInput(f"height must be between 50 and 250 cm, got {height_cm!r}")
    return float(height_cm)
