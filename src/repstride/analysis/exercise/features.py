"""Per-frame body signals every exercise spec draws from.

Angles come from the pose model's world coordinates (metres, camera-aligned, so they do not
shrink when a limb points at the camera) and fall back to aspect-correct image coordinates where
world coordinates are missing. Bilateral signals average the two sides weighted by the detector's
confidence, so the better-visible side dominates in side views.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.geometry import distance, inclination, joint_angle, midpoint, side_joint
from repstride.analysis.signal import clean
from repstride.analysis.track import Joint, PoseTrack

FloatArray = NDArray[np.float64]

#: Landmark confidence below which a joint counts as not seen.
MIN_SCORE = 0.5
#: Low-pass cutoff (Hz) applied to every signal: human exercise reps are well below 2 Hz.
DEFAULT_CUTOFF_HZ = 3.0

SIDES = ("left", "right")
#: Selects the vertical (y) component of a 3-D point.
UP_MASK = np.array([0.0, 1.0, 0.0])


def _pt(pts: FloatArray, side: str, name: str) -> FloatArray:
    return pts[:, int(side_joint(side, name))]


def _combine(a: FloatArray, b: FloatArray, wa: FloatArray, wb: FloatArray) -> FloatArray:
    """Confidence-weighted mean of two sides, using whichever side exists where one is missing."""
    wa = np.where(np.isfinite(a), wa, 0.0)
    wb = np.where(np.isfinite(b), wb, 0.0)
    tot = wa + wb
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.nan_to_num(a) * wa + np.nan_to_num(b) * wb) / tot
    return np.where(tot > 0, out, np.nan)


@dataclass(frozen=True, eq=False)
class Features:
    """Cleaned ``(T,)`` signals by name plus per-side confidences; see :func:`compute_features`."""

    signals: dict[str, FloatArray]
    fps: float
    times_ms: NDArray[np.int64]
    #: (T,) fraction of the body's main joints seen with confidence
    visible: FloatArray
    #: side-free joint name (``KNEE``, ``NOSE``) -> (T,) best confidence of the two sides
    seen: dict[str, FloatArray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FloatArray:
        return self.signals[name]

    def __len__(self) -> int:
        return int(self.times_ms.shape[0])


def _space(track: PoseTrack) -> FloatArray:
    """World coordinates where present, else image pixels scaled to ~metres (per frame)."""
    world = np.asarray(track.world, float)
    img = track.pixels()
    have_world = np.isfinite(world[:, :, 0]).sum(axis=1) >= 17
    # a frame whose world points all coincide (a backend without world output) has none
    have_world &= (np.abs(np.nan_to_num(world, nan=0.0)) > 0).any(axis=(1, 2))
    # image fallback: z = 0, scaled so the torso is ~0.5 m
    sh = midpoint(img[:, int(Joint.LEFT_SHOULDER)], img[:, int(Joint.RIGHT_SHOULDER)])
    hp = midpoint(img[:, int(Joint.LEFT_HIP)], img[:, int(Joint.RIGHT_HIP)])
    torso = np.nanmedian(np.where(np.isfinite(distance(sh, hp)), distance(sh, hp), np.nan)) \
        if np.isfinite(distance(sh, hp)).any() else 1.0
    img3 = np.concatenate([img, np.zeros(img.shape[:2] + (1,))], axis=2) * (0.5 / max(torso, 1e-6))
    return np.where(have_world[:, None, None], world, img3)


def knee_valgus(p: FloatArray, side: str, other: str) -> FloatArray:
    """``(T,)`` knee cave of one leg in the frontal plane, degrees (+ = knee inside).

    The knee's offset from the hip-ankle line along the body's lateral axis (hip to hip,
    horizontal part), towards the other hip = positive, as the angle it turns the thigh:
    ``asin(offset / thigh length)``. ``p`` is ``(T, 33, 3)`` world (or ``z = 0`` image) points.
    The line is taken at the knee's share of the leg (thigh / (thigh + shank)). Dividing by the
    3-D thigh length keeps the value stable when the thigh points at the camera (deep squat
    seen from the front), where an image angle at the knee blows up.
    """
    hip, knee, ankle = (p[:, int(side_joint(side, n))] for n in ("HIP", "KNEE", "ANKLE"))
    medial = p[:, int(side_joint(other, "HIP"))] - hip
    medial = medial - medial * UP_MASK  # horizontal part of hip -> other hip
    with np.errstate(invalid="ignore", divide="ignore"):
        u = medial / np.linalg.norm(medial, axis=1, keepdims=True)
        thigh = distance(hip, knee)
        shank = distance(knee, ankle)
        t_len = float(np.nanmedian(thigh)) if np.isfinite(thigh).any() else np.nan
        s_len = float(np.nanmedian(shank)) if np.isfinite(shank).any() else np.nan
        if not t_len > 0:  # no leg to measure (degenerate or missing coordinates)
            return np.full(len(p), np.nan)
        share = t_len / (t_len + s_len)
        on_line = hip + share * (ankle - hip)
        off = np.sum((knee - on_line) * u, axis=1)
        return np.degrees(np.arcsin(np.clip(off / t_len, -1.0, 1.0)))


def compute_features(track: PoseTrack, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ) -> Features:
    """Compute every named signal of ``track``.

    Angles in degrees (180 = straight joint); heights are ratios of the median torso length
    (positive = up). Names: ``knee|hip|elbow|shoulder`` plus ``_left``/``_right``/``_min``/
    ``_max`` variants, ``trunk`` (torso from vertical-up, 0 = upright, 90 = horizontal),
    ``thigh_pitch`` (hip->knee above horizontal, + = knee below hip), ``forearm_vertical``,
    ``body_line``, ``wrist_above_shoulder``, ``wrist_above_hip``, ``nose_above_wrist``,
    ``arm_extension_left/right`` (shoulder-wrist distance / arm length), ``hip_height``,
    ``knee_valgus`` (+ ``_left``/``_right``; the worse knee, see :func:`knee_valgus`),
    ``leg_fold_left/right`` (hip + knee angle of one leg, 360 = straight, standing),
    ``wrist_along_trunk`` (wrists' centre along the hip -> shoulder axis from the shoulders,
    torso lengths, + = towards the head).
    """
    fps = track.fps
    p = _space(track)
    score = np.asarray(track.score, float)
    sig: dict[str, FloatArray] = {}

    def sc(side: str, *names: str) -> FloatArray:
        return np.prod([np.clip(score[:, int(side_joint(side, n))], 0.05, 1.0) for n in names],
                       axis=0)

    weights = {}
    for name, (a, b, c) in {"knee": ("HIP", "KNEE", "ANKLE"), "hip": ("SHOULDER", "HIP", "KNEE"),
                            "elbow": ("SHOULDER", "ELBOW", "WRIST"),
                            "shoulder": ("HIP", "SHOULDER", "ELBOW")}.items():
        per = {}
        for side in SIDES:
            per[side] = joint_angle(_pt(p, side, a), _pt(p, side, b), _pt(p, side, c))
            sig[f"{name}_{side}"] = clean(per[side], fps=fps, cutoff_hz=cutoff_hz)
            weights[(name, side)] = sc(side, a, b, c) ** 2
        wl, wr = weights[(name, "left")], weights[(name, "right")]
        sig[name] = clean(_combine(per["left"], per["right"], wl, wr), fps=fps, cutoff_hz=cutoff_hz)
        sig[f"{name}_min"] = np.fmin(sig[f"{name}_left"], sig[f"{name}_right"])
        sig[f"{name}_max"] = np.fmax(sig[f"{name}_left"], sig[f"{name}_right"])

    sh = midpoint(_pt(p, "left", "SHOULDER"), _pt(p, "right", "SHOULDER"))
    hp = midpoint(_pt(p, "left", "HIP"), _pt(p, "right", "HIP"))
    torso_len = distance(sh, hp)
    tl = float(np.nanmedian(torso_len)) if np.isfinite(torso_len).any() else 0.5
    if not tl > 0:  # degenerate world coordinates (all joints at one point)
        tl = float("nan")
    sig["trunk_world"] = clean(inclination(hp, sh), fps=fps, cutoff_hz=cutoff_hz)
    img = track.pixels()
    sh_i = midpoint(img[:, int(Joint.LEFT_SHOULDER)], img[:, int(Joint.RIGHT_SHOULDER)])
    hp_i = midpoint(img[:, int(Joint.LEFT_HIP)], img[:, int(Joint.RIGHT_HIP)])
    sig["trunk_image"] = clean(inclination(hp_i, sh_i), fps=fps, cutoff_hz=cutoff_hz)
    # 3-D trunk inclination: the image angle collapses when the torso points at the camera
    sig["trunk"] = np.where(np.isfinite(sig["trunk_world"]), sig["trunk_world"],
                            sig["trunk_image"])

    def height(a: FloatArray, b: FloatArray) -> FloatArray:
        # y grows downwards in both spaces: "a above b" is b_y - a_y
        return (b[:, 1] - a[:, 1]) / tl

    wr = _combine(_pt(p, "left", "WRIST"), _pt(p, "right", "WRIST"),
                  sc("left", "WRIST")[:, None], sc("right", "WRIST")[:, None])
    nose = p[:, int(Joint.NOSE)]
    sig["wrist_above_shoulder"] = clean(height(wr, sh), fps=fps, cutoff_hz=cutoff_hz)
    sig["wrist_above_hip"] = clean(height(wr, hp), fps=fps, cutoff_hz=cutoff_hz)
    sig["nose_above_wrist"] = clean(height(nose, wr), fps=fps, cutoff_hz=cutoff_hz)
    sig["shoulder_above_wrist"] = clean(height(sh, wr), fps=fps, cutoff_hz=cutoff_hz)
    an = _combine(_pt(p, "left", "ANKLE"), _pt(p, "right", "ANKLE"),
                  sc("left", "ANKLE")[:, None], sc("right", "ANKLE")[:, None])
    sig["hip_above_ankle"] = clean(height(hp, an), fps=fps, cutoff_hz=cutoff_hz)
    sig["shoulder_above_ankle"] = clean(height(sh, an), fps=fps, cutoff_hz=cutoff_hz)
    sig["wrist_above_ankle"] = clean(height(wr, an), fps=fps, cutoff_hz=cutoff_hz)

    for side in SIDES:
        thigh = _pt(p, side, "KNEE") - _pt(p, side, "HIP")
        horiz = np.hypot(thigh[:, 0], thigh[:, 2])
        # + when the hip is above the knee (thigh above parallel)
        sig[f"thigh_pitch_{side}"] = np.degrees(np.arctan2(thigh[:, 1], horiz))
        fa = inclination(_pt(p, side, "ELBOW"), _pt(p, side, "WRIST"))
        sig[f"forearm_vertical_{side}"] = np.minimum(fa, 180.0 - fa)
        line = joint_angle(_pt(p, side, "SHOULDER"), _pt(p, side, "HIP"), _pt(p, side, "ANKLE"))
        sig[f"body_line_{side}"] = 180.0 - line
        arm = distance(_pt(p, side, "SHOULDER"), _pt(p, side, "ELBOW")) + distance(
            _pt(p, side, "ELBOW"), _pt(p, side, "WRIST"))
        with np.errstate(invalid="ignore", divide="ignore"):
            ext = distance(_pt(p, side, "SHOULDER"), _pt(p, side, "WRIST")) / arm
        sig[f"arm_extension_{side}"] = clean(ext, fps=fps, cutoff_hz=cutoff_hz)
        ua = inclination(_pt(p, side, "SHOULDER"), _pt(p, side, "ELBOW"))
        sig[f"upper_arm_from_up_{side}"] = ua
    for name in ("thigh_pitch", "forearm_vertical", "body_line", "upper_arm_from_up"):
        w = {s: weights[("knee" if name in ("thigh_pitch", "body_line") else "elbow", s)]
             for s in SIDES}
        sig[name] = clean(_combine(sig[f"{name}_left"], sig[f"{name}_right"], w["left"],
                                   w["right"]), fps=fps, cutoff_hz=cutoff_hz)
    # the same height as the camera sees it (image pixels over the image torso length): with
    # the body lying along the line of sight (a bench filmed from the feet) the world depth
    # estimate blurs the world height, the image still shows the press
    wr_i = _combine(img[:, int(Joint.LEFT_WRIST)], img[:, int(Joint.RIGHT_WRIST)],
                    sc("left", "WRIST")[:, None], sc("right", "WRIST")[:, None])
    torso_i = distance(sh_i, hp_i)
    tl_i = float(np.nanmedian(torso_i)) if np.isfinite(torso_i).any() else np.nan
    sig["wrist_above_shoulder_image"] = clean((sh_i[:, 1] - wr_i[:, 1]) / max(tl_i, 1.0)
                                              if np.isfinite(tl_i) else np.full(len(track), np.nan),
                                              fps=fps, cutoff_hz=cutoff_hz)
    for side in SIDES:
        sig[f"wrist_above_shoulder_{side}"] = clean(
            height(_pt(p, side, "WRIST"), _pt(p, side, "SHOULDER")), fps=fps, cutoff_hz=cutoff_hz)
    # wrists' midpoint in image pixels (bar path), smoothed harder: path length amplifies noise
    wpx = midpoint(img[:, int(Joint.LEFT_WRIST)], img[:, int(Joint.RIGHT_WRIST)])
    sig["wrist_px_x"] = clean(wpx[:, 0], fps=fps, cutoff_hz=2.0)
    sig["wrist_px_y"] = clean(wpx[:, 1], fps=fps, cutoff_hz=2.0)
    bb = np.asarray(track.bbox, float)
    sig["body_px_height"] = (bb[:, 3] - bb[:, 1]) * track.height
    # shoulder-width-normalised wrist spread (wide snatch grip vs. clean grip)
    sw = distance(_pt(p, "left", "SHOULDER"), _pt(p, "right", "SHOULDER"))
    sw_med = float(np.nanmedian(sw)) if np.isfinite(sw).any() else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        sig["wrist_spread"] = clean(distance(_pt(p, "left", "WRIST"), _pt(p, "right", "WRIST"))
                                    / sw_med, fps=fps, cutoff_hz=cutoff_hz)

    # where the hands are along the trunk (torso lengths from the shoulders' centre, + towards
    # the head): over the chest in a press, by the hips reaching for the knees or lying flat
    axis = sh - hp
    with np.errstate(invalid="ignore", divide="ignore"):
        axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    sig["wrist_along_trunk"] = clean(np.sum((wr - sh) * axis, axis=1) / tl, fps=fps,
                                     cutoff_hz=cutoff_hz)
    for side in SIDES:
        # a knee lift folds the leg at the hip and the knee together: their sum moves about
        # twice as far as either angle, so a low lift still stands out of the noise
        sig[f"leg_fold_{side}"] = sig[f"hip_{side}"] + sig[f"knee_{side}"]
    for side, other in (("left", "right"), ("right", "left")):
        sig[f"knee_valgus_{side}"] = clean(knee_valgus(p, side, other), fps=fps,
                                           cutoff_hz=cutoff_hz)
    sig["knee_valgus"] = np.fmax(sig["knee_valgus_left"], sig["knee_valgus_right"])

    main = [int(side_joint(s, n)) for s in SIDES for n in ("SHOULDER", "HIP", "KNEE", "ELBOW")]
    visible = (score[:, main] >= MIN_SCORE).mean(axis=1)
    times_ms = np.round(np.asarray(track.timestamps_s, float) * 1000).astype(np.int64)
    seen = {"NOSE": score[:, int(Joint.NOSE)]}
    for name in ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE"):
        seen[name] = np.max([score[:, int(side_joint(s_, name))] for s_ in SIDES], axis=0)
    return Features(signals=sig, fps=fps, times_ms=times_ms, visible=visible, seen=seen)
