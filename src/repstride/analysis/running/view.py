"""Which way the camera looks at the runner: side-on or frontal, and from behind or in front.

Both running analyses assume a camera position. A side-view analysis of a runner filmed from
behind, or a back-view analysis of one filmed from the side, would otherwise return confident
numbers that mean nothing, so each checks the view first and refuses a clear mismatch with
:class:`~repstride.errors.ViewMismatch`.

- **Side-on or frontal** from the hip width: the median over frames of the horizontal distance
  between the two hips divided by that frame's leg length (hip to ankle, the longer leg). Side-on the hips overlap (about 0.0-0.05 on real clips); from behind or in front
  they are a quarter to a third of a leg length apart (0.25-0.33 on the real frontal clips), and
  the ratio falls with the cosine of the camera's angle away from straight behind.
- **From behind or in front** (frontal views only), first from the feet, which needs no
  left/right labels: during stance the toe is nearer the camera than the heel when the runner
  faces it, and a camera above the ground sees the nearer point lower in the picture (toe below
  heel by 0.08-0.2 leg lengths on the real front-facing clips); from behind it is the other way
  round. When the feet do not tell (the difference is within :data:`FOOT_ORDER_MIN`), the hips'
  labels decide: a person facing the camera has the left hip on the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import Joint
from repstride.errors import ViewMismatch

FloatArray = NDArray[np.float64]
Facing = Literal["away", "camera"]

#: A back-view analysis needs the hips at least this far apart (leg lengths): within about 65
#: degrees of straight behind (or in front of) the runner.
FRONTAL_MIN_HIP_WIDTH = 0.10
#: A side-view analysis needs them at most this far apart: within about 40 degrees of side-on.
SAGITTAL_MAX_HIP_WIDTH = 0.18
#: Toe-below-heel difference during stance (leg lengths) that decides the facing on its own.
FOOT_ORDER_MIN = 0.04


@dataclass(frozen=True)
class ViewCheck:
    """``hip_width``: median hip separation in leg lengths; ``facing``: for frontal views, whether
    the runner moves away from the camera or towards it (None side-on); ``facing_cue``: which cue
    decided (``"feet"`` or ``"hips"``)."""

    hip_width: float
    facing: Facing | None
    facing_cue: str | None


def hip_width(pts: FloatArray) -> float:
    """Median over frames of |x(left hip) - x(right hip)| / leg length in that frame (the longer
    leg's thigh + shank), so a runner coming towards the camera is measured at every size; NaN
    when the hips and a leg are never seen together."""
    w = np.abs(pts[:, Joint.LEFT_HIP, 0] - pts[:, Joint.RIGHT_HIP, 0])
    legs = []
    for s in ("LEFT", "RIGHT"):
        hip, knee, ankle = (pts[:, Joint[f"{s}_{n}"]] for n in ("HIP", "KNEE", "ANKLE"))
        legs.append(np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1))
    with np.errstate(invalid="ignore"):
        leg = np.fmax(legs[0], legs[1])
        r = w / leg
    r = r[np.isfinite(r) & (leg > 0)]
    return float(np.median(r)) if r.size else float("nan")


def facing(pts: FloatArray, stance: dict[str, NDArray[np.bool_]], leg_length_px: float
           ) -> tuple[Facing, str]:
    """Whether a runner seen from the front or back faces the camera (see module docstring).

    ``stance`` maps ``"left"``/``"right"`` to (T,) in-contact masks.
    """
    diffs = []
    for side in ("left", "right"):
        m = stance.get(side)
        if m is None or not m.any():
            continue
        s = side.upper()
        d = pts[m, Joint[f"{s}_FOOT_INDEX"], 1] - pts[m, Joint[f"{s}_HEEL"], 1]
        diffs.append(d[np.isfinite(d)])
    d = np.concatenate(diffs) if diffs else np.zeros(0)
    if d.size >= 3 and leg_length_px > 0:
        order = float(np.median(d)) / leg_length_px  # > 0: toe lower in the image than the heel
        if abs(order) >= FOOT_ORDER_MIN:
            return ("camera" if order > 0 else "away"), "feet"
    lr = pts[:, Joint.LEFT_HIP, 0] - pts[:, Joint.RIGHT_HIP, 0]
    lr = lr[np.isfinite(lr)]
    return ("camera" if lr.size and float(np.median(lr)) > 0 else "away"), "hips"


def check_view(pts: FloatArray, leg_length_px: float, expected: Literal["side", "back"],
               stance: dict[str, NDArray[np.bool_]] | None = None) -> ViewCheck:
    """The view of ``pts``; :class:`ViewMismatch` when it is clearly not ``expected``."""
    w = hip_width(pts)
    if np.isfinite(w):
        if expected == "back" and w < FRONTAL_MIN_HIP_WIDTH:
            raise ViewMismatch(
                "The runner is filmed from the side, not from behind: the back-view analysis "
                "needs the camera behind the runner; use the side-view analysis.",
                details={"expected": "back_view", "hip_width_leg_lengths": round(w, 3)})
        if expected == "side" and w > SAGITTAL_MAX_HIP_WIDTH:
            raise ViewMismatch(
                "The runner is filmed from the front or back, not from the side: the side-view "
                "analysis needs the camera at the runner's side; use the back-view analysis.",
                details={"expected": "side_view", "hip_width_leg_lengths": round(w, 3)})
    if expected == "side" or not np.isfinite(w):
        return ViewCheck(w, None, None)
    face, cue = facing(pts, stance or {}, leg_length_px)
    return ViewCheck(w, face, cue)
