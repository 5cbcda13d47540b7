"""Kinematic stick-figure generator: PoseTracks with exact ground truth, for tests and benchmarks.

The body model is a 33-landmark BlazePose skeleton with adult limb lengths (:class:`Body`). A
pose is a handful of *global sagittal* segment angles in degrees (:data:`POSE_FIELDS`):

- ``trunk``: hip-centre -> shoulder-centre, measured from straight **up** towards the subject's
  forward direction (0 = upright, 90 = leaning fully forward / prone, -90 = lying on the back).
- ``l_thigh``/``r_thigh`` (hip -> knee), ``*_shank`` (knee -> ankle), ``*_ua`` (upper arm,
  shoulder -> elbow), ``*_fa`` (forearm, elbow -> wrist): measured from straight **down** towards
  forward (0 = hanging, 90 = pointing forward, 180 = pointing up, negative = backwards).
- ``*_foot``: heel -> toe direction, from down towards forward (90 = flat on the floor).
- ``*_arm_abd``/``*_fa_abd``/``*_leg_abd``: sideways lift of the limb out of the sagittal plane
  (degrees, positive = away from the midline).
- ``*_valgus``: knee cave (degrees): the thigh turns that much towards the midline and the shank
  that much away from it, so the knee falls inside the hip-ankle line.

Each activity is a :class:`Motion`: a rest pose and keyframes over one repetition's phase
(0..1, ``mid_phase`` marks the deepest/peak point). :func:`synthesize` strings reps together with
varied tempo and depth, pauses, optional partial reps and set-up motion, places the figure on the
ground (or hanging from a bar), turns it to the requested camera view and projects it through a
pinhole camera, then adds noise, dropouts and jitter. The returned :class:`SyntheticClip` carries
the exact count and each full rep's start/mid/end times.

Longer than 400 lines on purpose: the body model, the camera and the motion table of every
activity are one generator (a new activity adds its ``Motion`` here); splitting them would spread
one model over several files.

The running engineer may reuse :func:`body_points`, :func:`place_and_project` and :data:`STAND`
for a gait generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.track import NUM_JOINTS, Joint, PoseTrack

FloatArray = NDArray[np.float64]
View = Literal["front", "side", "diag", "back"]

#: Camera yaw (degrees) of each named view: 0 = subject faces the camera, 90 = right side to camera.
VIEW_YAW: dict[str, float] = {"front": 0.0, "diag": 45.0, "side": 90.0, "back": 180.0}


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres of a ~1.75 m adult."""

    torso: float = 0.52
    hip_half: float = 0.11
    shoulder_half: float = 0.19
    thigh: float = 0.43
    shank: float = 0.42
    upper_arm: float = 0.30
    forearm: float = 0.26
    hand: float = 0.09
    neck: float = 0.20


SIDES = ("l", "r")
_LIMB = ("thigh", "shank", "foot", "ua", "fa", "arm_abd", "fa_abd", "leg_abd", "valgus")
#: Every pose field, in a fixed order (poses are stored as vectors of these).
POSE_FIELDS: tuple[str, ...] = ("trunk", "head") + tuple(f"{s}_{n}" for s in SIDES for n in _LIMB)
_FIELD_INDEX = {n: i for i, n in enumerate(POSE_FIELDS)}

#: Upright standing, arms hanging.
STAND: dict[str, float] = {
    "trunk": 0.0, "head": 0.0,
    **{f"{s}_{n}": v for s in SIDES for n, v in
       (("thigh", 0.0), ("shank", 0.0), ("foot", 90.0), ("ua", 0.0), ("fa", 5.0),
        ("arm_abd", 8.0), ("fa_abd", 8.0), ("leg_abd", 4.0), ("valgus", 0.0))},
}


def pose_vector(pose: dict[str, float], base: dict[str, float] | None = None) -> FloatArray:
    """Pose dict (missing fields taken from ``base`` or :data:`STAND`) -> vector over POSE_FIELDS.

    Keys ``ua``, ``thigh``... without a side prefix set both sides.
    """
    full = dict(STAND) if base is None else dict(zip(POSE_FIELDS, pose_vector(base)))
    for k, v in pose.items():
        if k in _FIELD_INDEX:
            full[k] = v
        elif k in _LIMB:
            for s in SIDES:
                full[f"{s}_{k}"] = v
        else:
            raise KeyError(f"unknown pose field {k!r}")
    return np.array([full[n] for n in POSE_FIELDS], dtype=float)


def _down(a: FloatArray) -> FloatArray:
    """Sagittal direction at angle ``a`` (deg) from down towards forward, as (..., 3) [lat, up, fwd]."""
    r = np.radians(a)
    return np.stack([np.zeros_like(r), -np.cos(r), np.sin(r)], axis=-1)


def _up(a: FloatArray) -> FloatArray:
    r = np.radians(a)
    return np.stack([np.zeros_like(r), np.cos(r), np.sin(r)], axis=-1)


def _limb(a: FloatArray, abd: FloatArray, side: float) -> FloatArray:
    b = np.radians(abd)[..., None]
    lat = np.zeros(np.shape(a) + (3,))
    lat[..., 0] = side
    return np.cos(b) * _down(a) + np.sin(b) * lat


def body_points(poses: FloatArray, body: Body = Body()) -> FloatArray:
    """Forward kinematics: ``(T, F)`` pose vectors -> ``(T, 33, 3)`` body-frame points.

    Body frame: x = towards the subject's right, y = up, z = forward; hip centre at the origin.
    """
    poses = np.atleast_2d(np.asarray(poses, float))
    t = poses.shape[0]
    g = {n: poses[:, i] for n, i in _FIELD_INDEX.items()}
    out = np.zeros((t, NUM_JOINTS, 3))
    trunk = _up(g["trunk"])
    face = _up(g["trunk"] + 90.0 + g["head"])
    lat = np.array([1.0, 0.0, 0.0])
    sh_c = body.torso * trunk
    head_c = sh_c + body.neck * trunk
    out[:, Joint.NOSE] = head_c + 0.10 * face
    for name, sgn in (("LEFT", -1.0), ("RIGHT", 1.0)):
        s = name[0].lower()
        eye = head_c + 0.09 * face + 0.03 * trunk
        out[:, Joint[f"{name}_EYE"]] = eye + sgn * 0.032 * lat
        out[:, Joint[f"{name}_EYE_INNER"]] = eye + sgn * 0.018 * lat
        out[:, Joint[f"{name}_EYE_OUTER"]] = eye + sgn * 0.046 * lat
        out[:, Joint[f"{name}_EAR"]] = head_c + 0.01 * face + sgn * 0.075 * lat
        out[:, Joint[f"MOUTH_{name}"]] = (
            head_c + 0.09 * face - 0.04 * trunk + sgn * 0.025 * lat)
        sh = sh_c + sgn * body.shoulder_half * lat
        hip = sgn * body.hip_half * lat + 0.0 * trunk
        elbow = sh + body.upper_arm * _limb(g[f"{s}_ua"], g[f"{s}_arm_abd"], sgn)
        fdir = _limb(g[f"{s}_fa"], g[f"{s}_fa_abd"], sgn)
        wrist = elbow + body.forearm * fdir
        # knee cave: the thigh turns in towards the midline, the shank out (feet stay put)
        knee = hip + body.thigh * _limb(g[f"{s}_thigh"], g[f"{s}_leg_abd"] - g[f"{s}_valgus"],
                                        sgn)
        ankle = knee + body.shank * _limb(g[f"{s}_shank"], g[f"{s}_leg_abd"] + g[f"{s}_valgus"],
                                          sgn)
        toe = _down(g[f"{s}_foot"])
        sole = _down(g[f"{s}_foot"] - 90.0)
        out[:, Joint[f"{name}_SHOULDER"]] = sh
        out[:, Joint[f"{name}_HIP"]] = np.broadcast_to(hip, (t, 3))
        out[:, Joint[f"{name}_ELBOW"]] = elbow
        out[:, Joint[f"{name}_WRIST"]] = wrist
        out[:, Joint[f"{name}_PINKY"]] = wrist + body.hand * fdir - sgn * 0.02 * lat
        out[:, Joint[f"{name}_INDEX"]] = wrist + body.hand * fdir + sgn * 0.02 * lat
        out[:, Joint[f"{name}_THUMB"]] = wrist + 0.6 * body.hand * fdir + sgn * 0.035 * lat
        out[:, Joint[f"{name}_KNEE"]] = knee
        out[:, Joint[f"{name}_ANKLE"]] = ankle
        out[:, Joint[f"{name}_HEEL"]] = ankle + 0.06 * sole - 0.05 * toe
        out[:, Joint[f"{name}_FOOT_INDEX"]] = ankle + 0.06 * sole + 0.16 * toe
    return out


_FEET = [int(j) for j in (Joint.LEFT_HEEL, Joint.RIGHT_HEEL, Joint.LEFT_FOOT_INDEX,
                          Joint.RIGHT_FOOT_INDEX)]
_ANKLES = [int(Joint.LEFT_ANKLE), int(Joint.RIGHT_ANKLE)]
_WRISTS = [int(Joint.LEFT_WRIST), int(Joint.RIGHT_WRIST)]

Ground = Literal["feet", "lowest", "hands"]


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking horizontally at the subject from ``distance_m``."""

    yaw_deg: float = 90.0
    distance_m: float = 4.5
    height_m: float = 1.0
    width: int = 1280
    height: int = 720
    #: Fraction of the frame height a 2 m tall object spans at ``distance_m``.
    fill: float = 0.75


def place_and_project(points: FloatArray, *, ground: Ground = "feet", travel: FloatArray | None = None,
                      bar_height_m: float = 2.25, camera: Camera = Camera()
                      ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Body-frame points -> (image xy normalised ``(T,33,2)``, world ``(T,33,3)``, depth ``(T,33)``).

    ``ground`` chooses the contact: ``"feet"`` (lowest heel/toe on the floor, ankles anchored
    horizontally), ``"lowest"`` (lowest landmark on the floor) or ``"hands"`` (wrists at
    ``bar_height_m``, hanging). ``travel`` (T,) moves the subject forward in metres. World
    coordinates are MediaPipe-like: camera-aligned axes (x right, y down, z away), hip-centred.
    """
    p = np.array(points, float)
    if ground == "feet":
        p[..., 1] -= p[:, _FEET, 1].min(axis=1)[:, None]
        p[..., 2] -= p[:, _ANKLES, 2].mean(axis=1)[:, None]
    elif ground == "lowest":
        p[..., 1] -= p[:, :, 1].min(axis=1)[:, None]
    elif ground == "hands":
        p[..., 1] += bar_height_m - p[:, _WRISTS, 1].mean(axis=1)[:, None]
        p[..., 2] -= p[:, _WRISTS, 2].mean(axis=1)[:, None]
    else:
        raise ValueError(f"unknown ground {ground!r}")
    if travel is not None:
        p[..., 2] += np.asarray(travel, float)[:, None]
    psi = np.radians(camera.yaw_deg)
    fwd = np.array([np.sin(psi), 0.0, -np.cos(psi)])
    up = np.array([0.0, -1.0, 0.0])
    right = np.cross(fwd, up)
    rot = np.stack([right, up, fwd], axis=1)  # columns: body x, y, z in camera coords
    cam = p @ rot.T
    hip_c = (cam[:, int(Joint.LEFT_HIP)] + cam[:, int(Joint.RIGHT_HIP)]) / 2
    world = cam - hip_c[:, None, :]
    cam = cam + np.array([0.0, camera.height_m, camera.distance_m])
    f = camera.fill * camera.height * camera.distance_m / 2.0
    z = np.maximum(cam[..., 2], 0.3)
    u = (f * cam[..., 0] / z + camera.width / 2) / camera.width
    v = (f * (cam[..., 1] - 0.0) / z + camera.height * 0.45) / camera.height
    return np.stack([u, v], axis=-1), world, cam[..., 2]


# --- activity motions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Motion:
    """One activity's repetition: rest pose, keyframes over phase 0..1, contact and set-up."""

    rest: dict[str, float]
    keys: tuple[tuple[float, dict[str, float]], ...]
    mid_phase: float = 0.5
    ground: Ground = "feet"
    #: ``"walk_in"``: walk into place then stand; ``"rest"``: fidget at rest; ``"lead_half"``:
    #: one slow extreme->rest half-movement (unracking, getting into position).
    setup: str = "walk_in"
    #: Pose the set-up starts from for ``"lead_half"`` (defaults to the mid keyframe).
    setup_from: dict[str, float] | None = None
    #: Mirror (swap left/right) every other rep: alternating-side movements.
    alternate: bool = False
    #: Forward travel per rep in metres (walking lunges).
    travel_per_rep_m: float = 0.0
    typical_rep_s: float = 2.0


def _p(**kw: float) -> dict[str, float]:
    return kw


_BAR_BACK = _p(ua=-25.0, arm_abd=55.0, fa=165.0, fa_abd=15.0)
_PLANK = _p(trunk=72.0, thigh=-72.0, shank=-72.0, foot=15.0, ua=0.0, fa=0.0, arm_abd=12.0,
            fa_abd=5.0)
_SUPINE = _p(trunk=-90.0, thigh=90.0, shank=90.0, foot=180.0, ua=90.0, fa=90.0, arm_abd=10.0)
_GUARD = _p(trunk=5.0, ua=-15.0, fa=120.0, arm_abd=20.0, fa_abd=-15.0, l_thigh=12.0,
            r_thigh=-8.0, l_shank=3.0, r_shank=-10.0)


def _side(pose: dict[str, float], side: str) -> dict[str, float]:
    """Apply un-prefixed limb fields of ``pose`` to one side only."""
    return {(f"{side}_{k}" if k in _LIMB else k): v for k, v in pose.items()}


MOTIONS: dict[str, Motion] = {
    "squat": Motion(
        rest={**STAND, **_p(**_BAR_BACK)},
        keys=((0.5, _p(trunk=42.0, thigh=88.0, shank=-38.0, leg_abd=12.0, **_BAR_BACK)),),
        typical_rep_s=2.4),
    "bodyweight_squat": Motion(
        rest={**STAND},
        keys=((0.5, _p(trunk=35.0, thigh=92.0, shank=-35.0, leg_abd=10.0, ua=85.0, fa=88.0)),),
        typical_rep_s=2.0),
    "deadlift": Motion(
        rest=_p(trunk=62.0, thigh=62.0, shank=-22.0, ua=0.0, fa=0.0, arm_abd=10.0),
        keys=((0.5, _p(trunk=-3.0, thigh=0.0, shank=0.0, ua=0.0, fa=0.0, arm_abd=10.0)),),
        setup="walk_in", typical_rep_s=2.6),
    "bench_press": Motion(
        rest=_p(trunk=-90.0, thigh=80.0, shank=0.0, foot=90.0, leg_abd=20.0, ua=180.0, fa=180.0,
                arm_abd=12.0, fa_abd=12.0),
        keys=((0.5, _p(trunk=-90.0, thigh=80.0, shank=0.0, foot=90.0, leg_abd=20.0, ua=0.0,
                       arm_abd=72.0, fa=180.0, fa_abd=8.0)),),
        setup="lead_half", ground="feet", typical_rep_s=2.2),
    "push_up": Motion(
        rest={**_PLANK},
        keys=((0.5, _p(trunk=86.0, thigh=-86.0, shank=-86.0, foot=15.0, ua=-65.0, fa=25.0,
                       arm_abd=35.0, fa_abd=5.0)),),
        setup="lead_half",
        setup_from=_p(trunk=60.0, thigh=-10.0, shank=-95.0, foot=0.0, ua=0.0, fa=0.0,
                      arm_abd=12.0),
        ground="lowest", typical_rep_s=1.8),
    "sit_up": Motion(
        rest=_p(trunk=-88.0, thigh=135.0, shank=15.0, foot=70.0, ua=88.0, fa=270.0,
                arm_abd=15.0, fa_abd=-40.0),
        keys=((0.5, _p(trunk=-5.0, thigh=135.0, shank=15.0, foot=70.0, ua=-15.0, fa=165.0,
                       arm_abd=15.0, fa_abd=-40.0)),),
        setup="rest", ground="lowest", typical_rep_s=2.2),
    "knee_to_chest": Motion(
        rest={**_SUPINE},
        keys=((0.5, {**_SUPINE, **_side(_p(thigh=215.0, shank=80.0, foot=150.0, ua=150.0,
                                          fa=210.0), "r")}),),
        setup="rest", ground="lowest", alternate=True, typical_rep_s=3.0),
    "downward_dog": Motion(
        rest={**_PLANK},
        keys=((0.5, _p(trunk=140.0, thigh=-35.0, shank=-35.0, foot=40.0, ua=42.0, fa=42.0,
                       arm_abd=12.0)),),
        setup="rest", ground="lowest", typical_rep_s=5.0),
    "lunge": Motion(
        rest={**STAND},
        keys=((0.5, {**STAND, "trunk": 6.0, **_side(_p(thigh=82.0, shank=-8.0), "r"),
                     **_side(_p(thigh=-22.0, shank=-82.0, foot=10.0), "l")}),),
        alternate=True, typical_rep_s=2.2),
    "punch": Motion(
        rest={**_GUARD},
        keys=((0.5, {**_GUARD, "trunk": 10.0, **_side(_p(ua=88.0, fa=90.0, arm_abd=8.0,
                                                        fa_abd=-5.0), "r")}),),
        setup="rest", alternate=True, typical_rep_s=0.8),
    "front_kick": Motion(
        rest={**_GUARD},
        keys=((0.35, {**_GUARD, **_side(_p(thigh=100.0, shank=10.0), "r")}),
              (0.55, {**_GUARD, "trunk": -12.0, **_side(_p(thigh=95.0, shank=88.0,
                                                            foot=150.0), "r")})),
        mid_phase=0.55, setup="rest", alternate=True, typical_rep_s=1.4),
    "chin_up": Motion(
        rest=_p(ua=180.0, fa=180.0, arm_abd=18.0, fa_abd=10.0, thigh=5.0, shank=-15.0),
        keys=((0.5, _p(ua=25.0, fa=172.0, arm_abd=35.0, fa_abd=5.0, thigh=20.0, shank=-25.0)),),
        ground="hands", setup="rest", typical_rep_s=2.2),
    "burpee": Motion(
        rest={**STAND},
        keys=((0.2, _p(trunk=55.0, thigh=100.0, shank=-40.0, ua=10.0, fa=10.0)),
              (0.5, {**_PLANK, **_p(trunk=80.0, thigh=-80.0, shank=-80.0)}),
              (0.8, _p(trunk=55.0, thigh=100.0, shank=-40.0, ua=10.0, fa=10.0)),
              (0.92, _p(ua=175.0, fa=178.0, arm_abd=15.0))),
        setup="walk_in", ground="lowest", typical_rep_s=3.0),
    "clean_and_jerk": Motion(
        rest=_p(trunk=58.0, thigh=65.0, shank=-25.0, ua=0.0, fa=0.0, arm_abd=12.0),
        keys=((0.18, _p(trunk=5.0, ua=10.0, fa=10.0, arm_abd=12.0)),
              (0.3, _p(trunk=15.0, thigh=95.0, shank=-40.0, ua=75.0, fa=170.0, arm_abd=15.0)),
              (0.45, _p(ua=75.0, fa=172.0, arm_abd=15.0)),
              (0.62, {**_p(ua=178.0, fa=180.0, arm_abd=18.0, fa_abd=15.0),
                      **_side(_p(thigh=40.0, shank=-25.0), "l"),
                      **_side(_p(thigh=-25.0, shank=-30.0), "r")}),
              (0.75, _p(ua=178.0, fa=180.0, arm_abd=18.0, fa_abd=15.0)),
              (0.9, _p(trunk=30.0, thigh=30.0, ua=10.0, fa=10.0, arm_abd=12.0))),
        mid_phase=0.62, setup="walk_in", typical_rep_s=6.0),
    "snatch": Motion(
        rest=_p(trunk=58.0, thigh=65.0, shank=-25.0, ua=0.0, fa=0.0, arm_abd=35.0, fa_abd=35.0),
        keys=((0.2, _p(trunk=5.0, ua=15.0, fa=15.0, arm_abd=35.0, fa_abd=35.0)),
              (0.4, _p(trunk=20.0, thigh=95.0, shank=-40.0, ua=170.0, fa=175.0, arm_abd=35.0,
                       fa_abd=35.0)),
              (0.6, _p(ua=175.0, fa=178.0, arm_abd=35.0, fa_abd=35.0)),
              (0.85, _p(trunk=30.0, thigh=30.0, ua=10.0, fa=10.0, arm_abd=35.0, fa_abd=35.0))),
        mid_phase=0.4, setup="walk_in", typical_rep_s=5.0),
}


def _mirror(v: FloatArray) -> FloatArray:
    out = v.copy()
    for n in _LIMB:
        li, ri = _FIELD_INDEX[f"l_{n}"], _FIELD_INDEX[f"r_{n}"]
        out[..., li], out[..., ri] = v[..., ri], v[..., li]
    return out


def _ease(x: FloatArray) -> FloatArray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def _rep_poses(motion: Motion, phase: FloatArray, depth: float) -> FloatArray:
    """Poses along one rep's phase (0..1) at ``depth`` (1 = full range, 0.3 = partial)."""
    rest = pose_vector(motion.rest)
    knots = [(0.0, rest)] + [(ph, pose_vector(k, motion.rest)) for ph, k in motion.keys] + [
        (1.0, rest)]
    knots = [(ph, rest + depth * (v - rest)) for ph, v in knots]
    out = np.empty((phase.size, rest.size))
    for i, ph in enumerate(phase):
        for (p0, v0), (p1, v1) in zip(knots[:-1], knots[1:]):
            if p0 <= ph <= p1:
                out[i] = v0 + _ease(np.array((ph - p0) / max(p1 - p0, 1e-9))) * (v1 - v0)
                break
    return out


def _walk_poses(n: int, fps: float, rest: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Walking gait (1.8 steps/s, 0.8 m/s) blending into ``rest`` over the last 0.6 s; returns poses, travel."""
    t = np.arange(n) / fps
    ph = 2 * np.pi * 0.9 * t
    stand = pose_vector(STAND)
    poses = np.repeat(stand[None], n, axis=0)
    for s, off in (("l", 0.0), ("r", np.pi)):
        swing = np.sin(ph + off)
        poses[:, _FIELD_INDEX[f"{s}_thigh"]] = 22.0 * swing
        poses[:, _FIELD_INDEX[f"{s}_shank"]] = 22.0 * swing - 30.0 * np.clip(np.sin(ph + off + 1.2),
                                                                              0, None)
        poses[:, _FIELD_INDEX[f"{s}_ua"]] = -18.0 * swing
    blend = np.clip((t - (t[-1] - 0.6)) / 0.6, 0, 1)[:, None] if n else np.zeros((0, 1))
    poses = (1 - blend) * poses + blend * rest
    travel = np.cumsum(np.full(n, 0.8 / fps) * (1 - blend[:, 0]))
    return poses, travel - (travel[-1] if n else 0.0)


def synthesize_running(*, duration_s: float = 6.0, stride_hz: float = 1.4, view: View | float = "side",
                       fps: float = 30.0, travel: bool = True, noise_px: float = 2.0,
                       seed: int = 0) -> PoseTrack:
    """A simple running gait (legs and arms in anti-phase, ``stride_hz`` strides per second).

    Not a biomechanical model: enough for recognising "running" and for smoke tests.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fps))
    t = np.arange(n) / fps
    ph = 2 * np.pi * stride_hz * t
    poses = np.repeat(pose_vector(_p(trunk=10.0, ua=-10.0, fa=80.0))[None], n, axis=0)
    for s_, off in (("l", 0.0), ("r", np.pi)):
        swing = np.sin(ph + off)
        poses[:, _FIELD_INDEX[f"{s_}_thigh"]] = 15.0 + 40.0 * swing
        poses[:, _FIELD_INDEX[f"{s_}_shank"]] = -30.0 + 25.0 * swing - 45.0 * np.clip(
            np.sin(ph + off - 1.0), 0, None)
        poses[:, _FIELD_INDEX[f"{s_}_ua"]] = -40.0 * swing
        poses[:, _FIELD_INDEX[f"{s_}_fa"]] = 80.0 - 30.0 * swing
    yaw = VIEW_YAW[view] if isinstance(view, str) else float(view)
    cam = Camera(yaw_deg=yaw, distance_m=8.0)
    trav = (t - t.mean()) * (0.8 if travel else 0.0)
    xy, world, depth_m = place_and_project(body_points(poses), ground="feet", travel=trav,
                                           camera=cam)
    return _observe(xy, world, depth_m, fps=fps, camera=cam, noise_px=noise_px,
                    world_noise_m=0.015, dropout=0.0, jitter=0.0, rng=rng)


@dataclass(frozen=True)
class SyntheticClip:
    """A synthetic PoseTrack plus the exact ground truth of its full repetitions."""

    track: PoseTrack
    activity: str
    #: (start_ms, mid_ms, end_ms) of every full rep, in order.
    reps: tuple[tuple[int, int, int], ...]
    #: Partial reps inserted (not part of the count).
    partial_reps: int = 0
    info: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.reps)


def synthesize(
    activity: str,
    *,
    n_reps: int = 5,
    view: View | float = "side",
    fps: float = 30.0,
    rep_s: float | None = None,
    tempo_jitter: float = 0.2,
    depth_jitter: float = 0.08,
    pause_s: tuple[float, float] = (0.2, 0.8),
    partial_reps: int = 0,
    setup: bool = True,
    lead_s: float = 1.0,
    tail_s: float = 1.0,
    noise_px: float = 2.0,
    world_noise_m: float = 0.015,
    dropout: float = 0.0,
    jitter: float = 0.0,
    camera: Camera | None = None,
    seed: int = 0,
) -> SyntheticClip:
    """Generate ``n_reps`` full reps of ``activity`` with exact ground truth.

    Parameters
    ----------
    view : ``"front"``, ``"side"``, ``"diag"`` (45 degrees), ``"back"`` or a yaw in degrees.
    rep_s : mean rep duration in seconds (default: the motion's typical tempo); each rep varies
        by ``tempo_jitter`` (fraction) and its depth by ``depth_jitter``.
    pause_s : range of rest pauses between reps, seconds.
    partial_reps : number of shallow (30 % depth) reps inserted at random places; not counted.
    setup : prepend the activity's set-up motion (walking in, unracking, getting into position).
    noise_px, world_noise_m : Gaussian landmark noise (pixels; metres for world coordinates).
    dropout : fraction of frames where the subject is not detected (NaN, score 0), in short runs.
    jitter : fraction of frames with one landmark thrown by a large outlier.
    """
    if activity not in MOTIONS:
        raise KeyError(f"no synthetic motion for {activity!r}; known: {sorted(MOTIONS)}")
    motion = MOTIONS[activity]
    rng = np.random.default_rng(seed)
    yaw = VIEW_YAW[view] if isinstance(view, str) else float(view)
    # hanging from a bar: raise the camera so the hands stay in the frame
    cam = camera or Camera(yaw_deg=yaw, height_m=1.45 if motion.ground == "hands" else 1.0)
    rest = pose_vector(motion.rest)
    base_s = rep_s or motion.typical_rep_s
    chunks: list[FloatArray] = []
    travel_chunks: list[FloatArray] = []
    truth: list[tuple[int, int, int]] = []
    n_frames = 0
    pos = 0.0

    def add(poses: FloatArray, travel: FloatArray | None = None) -> None:
        nonlocal n_frames
        chunks.append(poses)
        travel_chunks.append(np.full(len(poses), pos) if travel is None else pos + travel)
        n_frames += len(poses)

    def hold(seconds: float, pose: FloatArray) -> None:
        n = int(round(seconds * fps))
        t = np.arange(n) / fps
        # small postural sway (a few degrees) on a third of the angles: a live body never freezes
        sway = 2.0 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6))[:, None]
        add(pose[None] + sway * (np.arange(rest.size) % 3 == 0))

    if setup:
        if motion.setup == "walk_in":
            walk, travel = _walk_poses(int(round(2.5 * fps)), fps, rest)
            if motion.ground != "feet" or activity in ("deadlift", "clean_and_jerk", "snatch"):
                # walk in standing, then get down into the start position
                stand = pose_vector(STAND)
                walk, travel = _walk_poses(int(round(2.5 * fps)), fps, stand)
                add(walk, travel)
                hold(0.4, stand)
                ph = np.linspace(0, 1, int(round(1.2 * fps)))[:, None]
                add(stand + _ease(ph) * (rest - stand))
            else:
                add(walk, travel)
        elif motion.setup == "lead_half":
            src = pose_vector(motion.setup_from) if motion.setup_from is not None else \
                _rep_poses(motion, np.array([motion.mid_phase]), 1.0)[0]
            hold(0.5, src)
            ph = np.linspace(0, 1, int(round(1.5 * fps)))[:, None]
            add(src + _ease(ph) * (rest - src))
    hold(lead_s, rest)
    kinds = ["full"] * n_reps
    for _ in range(partial_reps):
        kinds.insert(int(rng.integers(1, len(kinds) + 1)) if kinds else 0, "partial")
    full_i = 0
    for i, kind in enumerate(kinds):
        dur = base_s * (1 + rng.uniform(-tempo_jitter, tempo_jitter))
        n = max(4, int(round(dur * fps)))
        depth = 0.3 if kind == "partial" else float(np.clip(1 + rng.normal(0, depth_jitter),
                                                             0.75, 1.1))
        poses = _rep_poses(motion, np.linspace(0, 1, n), depth)
        if motion.alternate and kind == "full" and full_i % 2 == 1:
            poses = _mirror(poses)
        start = n_frames
        trav = None
        if motion.travel_per_rep_m:
            trav = np.linspace(0, motion.travel_per_rep_m, n)
        add(poses, trav)
        if motion.travel_per_rep_m:
            pos += motion.travel_per_rep_m
        if kind == "full":
            mid = start + int(round(motion.mid_phase * (n - 1)))
            truth.append((start, mid, start + n - 1))
            full_i += 1
        if i < len(kinds) - 1:
            hold(float(rng.uniform(*pause_s)), rest)
    hold(tail_s, rest)

    poses = np.concatenate(chunks)
    travel = np.concatenate(travel_chunks)
    pts = body_points(poses)
    xy, world, depth_m = place_and_project(pts, ground=motion.ground, travel=travel, camera=cam)
    track = _observe(xy, world, depth_m, fps=fps, camera=cam, noise_px=noise_px,
                     world_noise_m=world_noise_m, dropout=dropout, jitter=jitter, rng=rng)
    ms = 1000.0 / fps
    reps = tuple((int(round(a * ms)), int(round(b * ms)), int(round(c * ms))) for a, b, c in truth)
    return SyntheticClip(track=track, activity=activity, reps=reps, partial_reps=partial_reps,
                         info={"view_yaw_deg": cam.yaw_deg, "frames": len(track)})


def _observe(xy: FloatArray, world: FloatArray, depth_m: FloatArray, *, fps: float, camera: Camera,
             noise_px: float, world_noise_m: float, dropout: float, jitter: float,
             rng: np.random.Generator) -> PoseTrack:
    """Turn exact projections into a detector-like track: scores, noise, dropouts, outliers."""
    t = xy.shape[0]
    hip_depth = (depth_m[:, int(Joint.LEFT_HIP)] + depth_m[:, int(Joint.RIGHT_HIP)]) / 2
    far = depth_m - hip_depth[:, None] > 0.06
    score = np.where(far, 0.55, 0.97) + rng.normal(0, 0.02, depth_m.shape)
    scale = np.array([camera.width, camera.height], float)
    noise = rng.normal(0, noise_px, xy.shape) * np.where(far, 1.6, 1.0)[..., None]
    xy = xy + noise / scale
    world = world + rng.normal(0, world_noise_m, world.shape) * np.array([1.0, 1.0, 2.5])
    if jitter > 0:
        hits = rng.random(t) < jitter
        for i in np.nonzero(hits)[0]:
            j = int(rng.integers(0, NUM_JOINTS))
            xy[i, j] += rng.normal(0, 0.08, 2)
            world[i, j] += rng.normal(0, 0.25, 3)
    if dropout > 0:
        miss = np.zeros(t, bool)
        i = 0
        while i < t:
            if rng.random() < dropout / 3:
                miss[i:i + int(rng.integers(1, 6))] = True
                i += 6
            else:
                i += 1
        xy[miss] = np.nan
        world[miss] = np.nan
        score[miss] = 0.0
    score = np.clip(score, 0.0, 1.0)
    seen = np.isfinite(xy).all(axis=2)
    lo = np.where(seen[..., None], xy, np.inf).min(axis=1)
    hi = np.where(seen[..., None], xy, -np.inf).max(axis=1)
    bbox = np.concatenate([lo, hi], axis=1)
    bbox[~seen.any(axis=1)] = np.nan
    return PoseTrack(
        xy=xy, score=score, world=world, timestamps_s=np.arange(t) / fps,
        frame_index=np.arange(t, dtype=np.int64), bbox=bbox,
        fps=float(fps), width=camera.width, height=camera.height,
    )
