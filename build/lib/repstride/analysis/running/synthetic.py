"""A stick-figure runner with exact ground truth, for testing the gait engine.

:func:`synthesize_run` builds a :class:`PoseTrack` of a runner at a given speed, cadence, contact
time and foot strike, filmed from the side (treadmill, or crossing a static camera's frame) or
from behind, at any frame rate, with pixel noise, far-leg occlusion and left/right label swaps.
Contacts are exact by construction: the lowest point of a foot is at ground level exactly from
its touch-down to its toe-off and above it otherwise, so :class:`GaitTruth` holds the true event
times (continuous, not rounded to frames).

Model (metres, forward X, up Z; segment lengths are Winter's fractions of stature):

- Foot contacts alternate right/left every step (60 / cadence s); each lasts ``contact_s``.
- Stance: the foot moves backwards relative to the pelvis at the running speed. The foot pitch
  goes from its touch-down angle (rearfoot +15 deg toe-up, midfoot +2, forefoot -10) to flat over
  the first quarter of stance, stays flat to mid-stance, then rolls over the toe to -35 deg at
  toe-off. The ankle is placed so that the foot's lowest point is on the ground.
- Swing: a Hermite curve forwards (ending with the foot moving backwards at 80 % of the running
  speed: imperfect ground-speed matching) and a sine-shaped lift (finite vertical foot speed at contact).
- Knees by two-link inverse kinematics; pelvis bobs (lowest at mid-stance); arms swing opposite
  to the legs.
- Back view: the same timing; frontal-plane rearfoot eversion, knee varus/valgus and pelvic drop
  are imposed during stance so that back-view measures have known answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import NUM_JOINTS, Joint, PoseTrack

FloatArray = NDArray[np.float64]
Strike = Literal["rearfoot", "midfoot", "forefoot"]

#: Foot pitch at touch-down per strike type (deg, toe up positive).
STRIKE_PITCH_DEG: dict[str, float] = {"rearfoot": 15.0, "midfoot": 2.0, "forefoot": -10.0}
TOE_OFF_PITCH_DEG = -35.0
#: Shape of the swing lift ``sin(pi s) ** LIFT_EXPONENT``: 1 gives the foot a finite vertical
#: speed at touch-down and toe-off (about 2 m/s at 3.5 m/s running, as in real treadmill clips).
LIFT_EXPONENT = 1.0


@dataclass(frozen=True)
class TruthEvent:
    kind: Literal["TD", "TO"]
    side: Literal["left", "right"]
    time_s: float


@dataclass(frozen=True)
class GaitTruth:
    """Exact values the synthetic runner was built with."""

    events: tuple[TruthEvent, ...]
    cadence_spm: float
    contact_s: float
    flight_s: float
    speed_m_s: float
    strike: Strike
    foot_pitch_td_deg: float
    height_m: float
    px_per_m: float
    direction: int
    view: str
    eversion_deg: float = 0.0
    knee_varus_deg: float = 0.0
    pelvic_drop_deg: float = 0.0
    #: (side, td_s, to_s) of every contact whose TD and TO are both inside the clip.
    contacts: tuple[tuple[str, float, float], ...] = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class SyntheticRun:
    track: PoseTrack
    truth: GaitTruth


def _hermite(s: FloatArray, p0: float, p1: float, m0: float, m1: float) -> FloatArray:
    s2, s3 = s * s, s * s * s
    return ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0
            + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * m1)


def _smoothstep(s: FloatArray) -> FloatArray:
    s = np.clip(s, 0.0, 1.0)
    return s * s * (3 - 2 * s)


def _ik_knee(hip: FloatArray, ankle: FloatArray, l1: float, l2: float, forward: float
             ) -> FloatArray:
    """Knee position (T, 2) in (X, Z) for thigh ``l1`` and shank ``l2``, bending forwards."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1)
    dist_c = np.clip(dist, abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6)
    a = (l1 ** 2 - l2 ** 2 + dist_c ** 2) / (2 * dist_c)
    hgt = np.sqrt(np.maximum(l1 ** 2 - a ** 2, 0.0))
    u = d / dist[:, None]
    perp = np.stack([-u[:, 1], u[:, 0]], axis=-1)  # rotate +90 deg
    # Knee in front of the hip-ankle line: choose the perpendicular with positive X.
    perp = np.where((perp[:, :1] * forward) < 0, -perp, perp)
    return hip + u * a[:, None] + perp * hgt[:, None]


def synthesize_run(
    *,
    view: Literal["side", "back"] = "side",
    fps: float = 60.0,
    duration_s: float = 5.0,
    speed_m_s: float = 3.5,
    cadence_spm: float = 170.0,
    contact_ms: float = 240.0,
    strike: Strike = "rearfoot",
    treadmill: bool = True,
    direction: int = 1,
    height_m: float = 1.75,
    px_per_m: float = 380.0,
    width: int = 1280,
    height: int = 720,
    noise_px: float = 0.0,
    far_leg_occlusion: float = 0.0,
    swap_rate: float = 0.0,
    camera_shake_px: float = 0.0,
    eversion_deg: float = 6.0,
    knee_varus_deg: float = 0.0,
    pelvic_drop_deg: float = 4.0,
    phase_s: float = 0.137,
    seed: int = 0,
) -> SyntheticRun:
    """Build a synthetic runner; see the module docstring for the model.

    ``far_leg_occlusion`` is the fraction of frames (in random spans) in which the far leg is
    hidden (very low scores, jittered positions), on top of the frames where it passes behind
    the near leg. ``swap_rate`` is the chance per frame that a left/right leg swap of 1-6 frames
    starts. ``noise_px`` is the standard deviation of Gaussian pixel noise on every joint;
    ``camera_shake_px`` the standard deviation of a smooth whole-picture drift (a hand-held or
    panning camera that follows the runner: with ``treadmill=True`` the runner stays in frame
    while the ground moves under them, which is what a panning shot of an overground run looks
    like in the image).
    """
    if direction not in (1, -1):
        raise ValueError("direction must be +1 or -1")
    step_s = 60.0 / cadence_spm
    stride_s = 2.0 * step_s
    tc = contact_ms / 1000.0
    flight = step_s - tc
    if flight <= 0.005:
        raise ValueError("contact time must be shorter than a step (running has a flight phase)")
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fps))
    t = np.arange(n) / fps
    H = height_m
    thigh, shank = 0.245 * H, 0.246 * H
    ankle_h, foot_len = 0.039 * H, 0.152 * H
    heel_back = 0.23 * foot_len
    p_heel = np.array([-heel_back, -ankle_h])  # foot frame relative to the ankle (X fwd, Z up)
    p_toe = np.array([foot_len - heel_back, -ankle_h])
    v = speed_m_s
    tsw = stride_s - tc
    x_td = 0.38 * v * tc + 0.04  # ankle ahead of the hip at touch-down
    x_to = x_td - v * tc
    lift = 0.12 + 0.05 * v
    pitch_td = math.radians(STRIKE_PITCH_DEG[strike])
    pitch_to = math.radians(TOE_OFF_PITCH_DEG)

    td_first = {"right": phase_s, "left": phase_s + step_s}
    legs: dict[str, dict[str, FloatArray]] = {}
    events: list[TruthEvent] = []
    contacts: list[tuple[str, float, float]] = []
    for side, t0 in td_first.items():
        # Time since this foot's most recent touch-down, in [0, stride).
        since = np.mod(t - t0, stride_s)
        stance = since < tc
        s_st = np.clip(since / tc, 0.0, 1.0)
        s_sw = np.clip((since - tc) / tsw, 0.0, 1.0)
        x = np.where(stance, x_td - v * since,
                     _hermite(s_sw, x_to, x_td, -0.6 * v * tsw, -0.8 * v * tsw))
        h = np.where(stance, 0.0, lift * np.sin(np.pi * s_sw) ** LIFT_EXPONENT)
        flat_in = _smoothstep(s_st / 0.25)
        roll = _smoothstep((s_st - 0.5) / 0.5)
        pitch_stance = pitch_td * (1 - flat_in) + pitch_to * roll
        pitch_swing = pitch_to + (pitch_td - pitch_to) * _smoothstep(s_sw)
        pitch = np.where(stance, pitch_stance, pitch_swing)
        c, s_ = np.cos(pitch), np.sin(pitch)

        def rot(p: FloatArray) -> FloatArray:
            return np.stack([c * p[0] - s_ * p[1], s_ * p[0] + c * p[1]], axis=-1)

        rh, rt = rot(p_heel), rot(p_toe)
        ankle_z = h - np.minimum(rh[:, 1], rt[:, 1])
        legs[side] = {"x": x, "ankle_z": ankle_z, "rh": rh, "rt": rt, "stance": stance,
                      "since": since}
        k0 = int(math.floor((0.0 - t0) / stride_s)) - 1
        k1 = int(math.ceil((t[-1] - t0) / stride_s)) + 1
        for k in range(k0, k1 + 1):
            td, to = t0 + k * stride_s, t0 + k * stride_s + tc
            if 0.0 < td < t[-1]:
                events.append(TruthEvent("TD", side, td))  # type: ignore[arg-type]
            if 0.0 < to < t[-1]:
                events.append(TruthEvent("TO", side, to))  # type: ignore[arg-type]
            if 0.0 < td and to < t[-1]:
                contacts.append((side, td, to))
    events.sort(key=lambda e: e.time_s)
    contacts.sort(key=lambda c: c[1])

    # Pelvis: lowest at mid-stance of either foot (twice per stride).
    mid_r = td_first["right"] + tc / 2.0
    hip_z0 = 0.455 * H  # mean hip height
    bob = 0.03 * (v / 3.5) ** 0.5
    hip_z = hip_z0 - bob * np.cos(2 * np.pi * (t - mid_r) / step_s)
    pel_x_world = v * t if not treadmill else 0.01 * np.sin(2 * np.pi * t / step_s)

    J = np.full((n, NUM_JOINTS, 3), np.nan)  # X fwd (world), lateral Y (left +), Z up
    lat = {"left": 1.0, "right": -1.0}
    hip_half = 0.09 * H / 1.75
    for side, leg in legs.items():
        sgn = lat[side]
        # Pelvic drop: during the other leg's stance this hip (swing side) is lower.
        other = legs["left" if side == "right" else "right"]
        drop = np.where(other["stance"], math.tan(math.radians(pelvic_drop_deg)) * 2 * hip_half, 0.0)
        hip = np.stack([np.zeros(n), hip_z - drop], axis=-1)
        ankle = np.stack([leg["x"], leg["ankle_z"]], axis=-1)
        knee = _ik_knee(hip, ankle, thigh, shank, 1.0)
        S = side.upper()
        foot_lat = sgn * (hip_half * 0.6)
        J[:, Joint[f"{S}_HIP"]] = np.stack([hip[:, 0], np.full(n, sgn * hip_half), hip[:, 1]], -1)
        # Shank vertical in the frontal plane unless varus (+) / valgus (-) is imposed in stance.
        knee_lat = foot_lat + sgn * math.tan(math.radians(knee_varus_deg)) * shank \
            * leg["stance"].astype(float)
        J[:, Joint[f"{S}_KNEE"]] = np.stack([knee[:, 0], knee_lat, knee[:, 1]], -1)
        J[:, Joint[f"{S}_ANKLE"]] = np.stack([ankle[:, 0], np.full(n, foot_lat), ankle[:, 1]], -1)
        # Rearfoot eversion: the ankle -> heel line leans outwards by eversion_deg (frontal plane).
        ev_off = sgn * math.tan(math.radians(eversion_deg)) * np.maximum(-leg["rh"][:, 1], 0.0) \
            * leg["stance"]
        J[:, Joint[f"{S}_HEEL"]] = np.stack([ankle[:, 0] + leg["rh"][:, 0], foot_lat + ev_off,
                                             ankle[:, 1] + leg["rh"][:, 1]], -1)
        J[:, Joint[f"{S}_FOOT_INDEX"]] = np.stack([ankle[:, 0] + leg["rt"][:, 0],
                                                   np.full(n, foot_lat * 1.3),
                                                   ankle[:, 1] + leg["rt"][:, 1]], -1)
    # Trunk, arms, head.
    lean = math.radians(6.0)
    trunk = 0.288 * H
    sh_x = np.sin(lean) * trunk
    sh_z = np.mean([J[:, Joint.LEFT_HIP, 2], J[:, Joint.RIGHT_HIP, 2]], axis=0) + np.cos(lean) * trunk
    sh_half = 0.13 * H / 1.75 * 1.4
    ua, fa = 0.186 * H, 0.146 * H
    for side in ("left", "right"):
        S = side.upper()
        sgn = lat[side]
        leg_other = legs["left" if side == "right" else "right"]
        # Arm swings with the opposite leg: forward when that leg is forward.
        swing = np.clip(leg_other["x"] / 0.5, -1.0, 1.0)
        ang = np.radians(5.0 + 35.0 * swing)  # shoulder flexion
        sh = np.stack([np.full(n, sh_x), np.full(n, sgn * sh_half), sh_z], -1)
        el = sh + np.stack([np.sin(ang) * ua, np.zeros(n), -np.cos(ang) * ua], -1)
        fore = ang + np.radians(85.0)
        wr = el + np.stack([np.sin(fore) * fa, np.zeros(n), -np.cos(fore) * fa], -1)
        J[:, Joint[f"{S}_SHOULDER"]] = sh
        J[:, Joint[f"{S}_ELBOW"]] = el
        J[:, Joint[f"{S}_WRIST"]] = wr
        for name, off in (("PINKY", (0.03, -0.01, -0.05)), ("INDEX", (0.05, 0.0, -0.05)),
                          ("THUMB", (0.04, 0.01, -0.02))):
            J[:, Joint[f"{S}_{name}"]] = wr + np.array(off) * np.array([1.0, sgn, 1.0])
    head = np.stack([np.full(n, sh_x + 0.05), np.zeros(n), sh_z + 0.22 * H / 1.75 * 1.0], -1)
    for name, off in (("NOSE", (0.10, 0.0, 0.0)), ("LEFT_EYE_INNER", (0.09, 0.015, 0.03)),
                      ("LEFT_EYE", (0.09, 0.03, 0.03)), ("LEFT_EYE_OUTER", (0.085, 0.045, 0.03)),
                      ("RIGHT_EYE_INNER", (0.09, -0.015, 0.03)), ("RIGHT_EYE", (0.09, -0.03, 0.03)),
                      ("RIGHT_EYE_OUTER", (0.085, -0.045, 0.03)), ("LEFT_EAR", (0.0, 0.07, 0.01)),
                      ("RIGHT_EAR", (0.0, -0.07, 0.01)), ("MOUTH_LEFT", (0.09, 0.02, -0.04)),
                      ("MOUTH_RIGHT", (0.09, -0.02, -0.04))):
        J[:, Joint[name]] = head + np.array(off)
    J[:, :, 0] += pel_x_world[:, None]

    # Project to the image (orthographic).
    ground_y = 0.88 * height
    if view == "side":
        cx = width * (0.5 if treadmill else 0.08) if direction > 0 else width * (
            0.5 if treadmill else 0.92)
        u = cx + direction * J[:, :, 0] * px_per_m
    else:
        cx = width * 0.5
        # Seen from behind: the runner's left is on the image left.
        u = cx - J[:, :, 1] * px_per_m
    vv = ground_y - J[:, :, 2] * px_per_m
    px = np.stack([u, vv], axis=-1)
    score = np.full((n, NUM_JOINTS), 0.97)
    if view == "side":
        far = "left" if direction > 0 else "right"
        near = "right" if far == "left" else "left"
        far_idx = [int(Joint[f"{far.upper()}_{nm}"]) for nm in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
        score[:, far_idx] = 0.75
        hidden = np.abs(legs[far]["x"] - legs[near]["x"]) < 0.06
        if far_leg_occlusion > 0:
            extra = np.zeros(n, bool)
            while extra.mean() < far_leg_occlusion:
                start = int(rng.integers(0, n))
                extra[start:start + int(rng.integers(3, 11))] = True
            hidden |= extra
            for j in far_idx:
                score[hidden, j] = rng.uniform(0.02, 0.2, hidden.sum())
                px[hidden, j] += rng.normal(0.0, 25.0, (hidden.sum(), 2))
    if camera_shake_px > 0:
        # A hand-held / panning camera: the whole picture drifts smoothly (about 1 Hz).
        k = max(1, int(round(fps * 0.25)))
        drift = rng.normal(0.0, 1.0, (n + 4 * k, 2))
        kernel = np.exp(-0.5 * (np.arange(-2 * k, 2 * k + 1) / k) ** 2)
        drift = np.stack([np.convolve(drift[:, i], kernel, mode="same") for i in (0, 1)], -1)
        drift = drift[2 * k: 2 * k + n]
        drift *= camera_shake_px / max(float(drift.std()), 1e-9)
        px = px + drift[:, None, :]
    if noise_px > 0:
        px = px + rng.normal(0.0, noise_px, px.shape)
    if swap_rate > 0:
        pairs = [(int(Joint[f"LEFT_{nm}"]), int(Joint[f"RIGHT_{nm}"]))
                 for nm in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
        i = 0
        while i < n:
            if rng.random() < swap_rate:
                k = int(rng.integers(1, 7))
                sl = slice(i, min(n, i + k))
                for a, b in pairs:
                    px[sl, a], px[sl, b] = px[sl, b].copy(), px[sl, a].copy()
                    score[sl, a], score[sl, b] = score[sl, b].copy(), score[sl, a].copy()
                i += k + 1
            else:
                i += 1
    xy = px / np.array([width, height], float)
    outside = (xy < 0).any(axis=(1, 2)) | (xy > 1).any(axis=(1, 2))
    xy[outside] = np.nan
    score[outside] = 0.0
    world = np.full((n, NUM_JOINTS, 3), np.nan)
    world[~outside] = (J[~outside] - J[~outside][:, [Joint.LEFT_HIP, Joint.RIGHT_HIP]].mean(
        axis=1, keepdims=True))[:, :, [1, 2, 0]] * np.array([-1.0, -1.0, 1.0])
    bbox = np.full((n, 4), np.nan)
    if (~outside).any():
        bbox[~outside] = np.concatenate([xy[~outside].min(axis=1), xy[~outside].max(axis=1)], 1)
    track = PoseTrack(xy=xy, score=score, world=world, timestamps_s=t,
                      frame_index=np.arange(n, dtype=np.int64), bbox=bbox, fps=float(fps),
                      width=width, height=height)
    truth = GaitTruth(
        events=tuple(events), cadence_spm=cadence_spm, contact_s=tc, flight_s=flight,
        speed_m_s=v, strike=strike, foot_pitch_td_deg=STRIKE_PITCH_DEG[strike], height_m=H,
        px_per_m=px_per_m, direction=direction if view == "side" else 0, view=view,
        eversion_deg=eversion_deg, knee_varus_deg=knee_varus_deg,
        pelvic_drop_deg=pelvic_drop_deg, contacts=tuple(contacts),
        extra={"x_td_m": x_td, "hip_z_m": hip_z0},
    )
    return SyntheticRun(track=track, truth=truth)
