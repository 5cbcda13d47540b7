"""Activity recognition from a pose track: which of the 17 Video API activities is this?

A transparent, rule-based scorer over clip-level statistics a coach would look at: is the body
upright, horizontal or hanging; face up or face down; which joints move and how far; do the legs
alternate; does the subject travel across the frame; how fast is the motion. Each activity's
score is a sum of soft penalties (0 inside the expected range, growing quadratically outside);
a softmax over the scores and a fixed "none of these" score turns them into probabilities; the
top probability is the reported confidence (low when nothing fits well).

Evidence is visibility-aware. A statistic computed from joints the detector barely sees (legs
out of frame in a close-up pull-up) is unknown (NaN), not a guess from hallucinated landmarks:
it costs an activity that is defined by it, and is neutral for activities it only refines. An
activity whose defining joints (the ``required`` joints of its spec, the ones its quality gate
checks) are seen in too few frames is penalised, since the clip cannot show it (a burpee needs
the whole body).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.activities import ALL_ACTIVITIES
from repstride.analysis.signal import dominant_period
from repstride.analysis.track import Joint, PoseTrack

FloatArray = NDArray[np.float64]

#: Softmax temperature of the scores (larger = less confident).
TEMPERATURE = 1.0
#: Score of "none of these": a clip that fits no activity well (a movement outside the
#: catalogue) gets a low confidence even for the best-fitting activity.
NONE_SCORE = -3.0
#: Landmark confidence from which a joint counts as seen (as in the exercise quality gate).
SEEN_SCORE = 0.5
#: A statistic needs its joints seen in at least this share of frames, else it is unknown.
MIN_SEEN_FOR_STAT = 0.25
#: Share of frames with every defining joint seen below which an activity is penalised
#: (the exercise quality gate's minimum usable share).
MIN_USABLE_FOR_ACTIVITY = 0.4
#: Defining joints of sprint (the exercises' come from their specs).
_SPRINT_REQUIRED = ("HIP", "KNEE", "ANKLE")
_GROUPS = ("NOSE", "SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")


@dataclass(frozen=True)
class Recognition:
    """The recognised activity, its probability and every activity's probability."""

    activity: str
    confidence: float
    probabilities: dict[str, float]
    stats: dict[str, float] = field(default_factory=dict)

    def top(self, k: int = 3) -> list[dict[str, float | str]]:
        items = sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:k]
        return [{"activity": a, "probability": round(p, 3)} for a, p in items]


def _pct(x: FloatArray, q: float) -> float:
    v = np.asarray(x, float)
    v = v[np.isfinite(v)]
    return float(np.percentile(v, q)) if v.size else float("nan")


def _rng(x: FloatArray) -> float:
    return _pct(x, 95) - _pct(x, 5)


def seen_masks(track: PoseTrack) -> dict[str, NDArray[np.bool_]]:
    """Side-free joint name -> (T,) whether it is seen (on at least one side) in each frame."""
    sc = np.nan_to_num(np.asarray(track.score, float), nan=0.0)
    out: dict[str, NDArray[np.bool_]] = {"NOSE": sc[:, int(Joint.NOSE)] >= SEEN_SCORE}
    for name in _GROUPS[1:]:
        best = np.maximum(sc[:, int(Joint[f"LEFT_{name}"])], sc[:, int(Joint[f"RIGHT_{name}"])])
        out[name] = best >= SEEN_SCORE
    return out


def usable_fractions(track: PoseTrack) -> dict[str, float]:
    """Activity -> share of frames where every joint that defines it is seen."""
    from repstride.analysis.exercise.specs import SPECS

    masks = seen_masks(track)
    required = {name: spec.required for name, spec in SPECS.items()}
    required["sprint"] = _SPRINT_REQUIRED
    out: dict[str, float] = {}
    for activity, joints in required.items():
        ok = np.ones(len(track), bool)
        for j in joints:
            ok &= masks[j]
        out[activity] = float(ok.mean()) if ok.size else 0.0
    return out


def clip_stats(track: PoseTrack, feats) -> dict[str, float]:
    """Clip-level statistics the scorer uses (angles in degrees, heights in torso lengths).

    ``seen_<joint>`` is the share of frames where the joint is seen. Statistics whose joints are
    seen in fewer than :data:`MIN_SEEN_FOR_STAT` of the frames are NaN (unknown).
    """
    f = feats
    fps = track.fps
    s: dict[str, float] = {}
    masks = seen_masks(track)
    for name in _GROUPS:
        s[f"seen_{name.lower()}"] = float(masks[name].mean()) if len(track) else 0.0

    def known(*joints: str) -> bool:
        return min(s[f"seen_{j.lower()}"] for j in joints) >= MIN_SEEN_FOR_STAT
    # trunk statistics only where shoulders and hips are really seen (a cropped head or torso
    # leaves hallucinated landmarks that can point anywhere)
    sc = np.asarray(track.score, float)
    seen = np.ones(len(track), bool)
    for pair in ((Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER), (Joint.LEFT_HIP, Joint.RIGHT_HIP)):
        seen &= np.maximum(sc[:, int(pair[0])], sc[:, int(pair[1])]) >= 0.5
    trunk = f["trunk"] if seen.mean() < 0.2 else np.where(seen, f["trunk"], np.nan)
    s["trunk_med"] = _pct(trunk, 50)
    s["trunk_lo"] = _pct(trunk, 10)
    s["trunk_hi"] = _pct(trunk, 90)
    s["trunk_top"] = _pct(trunk, 97)
    s["trunk_range_sit"] = s["trunk_hi"] - s["trunk_lo"]
    angle_joints = {"knee": ("HIP", "KNEE", "ANKLE"), "hip": ("SHOULDER", "HIP", "KNEE"),
                    "elbow": ("SHOULDER", "ELBOW", "WRIST"), "shoulder": ("HIP", "SHOULDER", "ELBOW")}
    for name in ("knee", "hip", "elbow", "shoulder"):
        if not known(*angle_joints[name]):
            for key in ("range", "lo", "med", "side_range", "side_lo", "alternation"):
                s[f"{name}_{key}"] = float("nan")
            continue
        s[f"{name}_range"] = _rng(f[name])
        s[f"{name}_lo"] = _pct(f[name], 5)
        s[f"{name}_med"] = _pct(f[name], 50)
        s[f"{name}_side_range"] = max(_rng(f[f"{name}_left"]), _rng(f[f"{name}_right"]))
        s[f"{name}_side_lo"] = min(_pct(f[f"{name}_left"], 5), _pct(f[f"{name}_right"], 5))
        diff = f[f"{name}_left"] - f[f"{name}_right"]
        s[f"{name}_alternation"] = _rng(diff) / max(s[f"{name}_side_range"], 10.0)
    s["wrist_sh_med"] = _pct(f["wrist_above_shoulder"], 50)
    s["wrist_sh_lo"] = _pct(f["wrist_above_shoulder"], 10)
    s["wrist_sh_hi"] = _pct(f["wrist_above_shoulder"], 90)
    nan = float("nan")
    hips, ankles = known("HIP"), known("ANKLE")
    s["wrist_hip_range"] = _rng(f["wrist_above_hip"]) if hips else nan
    s["wrist_ankle_lo"] = _pct(f["wrist_above_ankle"], 5) if ankles else nan
    s["wrist_hip_lo"] = _pct(f["wrist_above_hip"], 5) if hips else nan
    s["wrist_hip_hi"] = _pct(f["wrist_above_hip"], 95) if hips else nan
    s["hip_ankle_med"] = _pct(f["hip_above_ankle"], 50) if hips and ankles else nan
    s["hip_ankle_range"] = _rng(f["hip_above_ankle"]) if hips and ankles else nan
    s["shoulder_ankle_med"] = _pct(f["shoulder_above_ankle"], 50) if ankles else nan
    # the head moving up and down relative to the hands (a hanging pull seen from any side)
    s["nose_wrist_range"] = _rng(f["nose_above_wrist"]) if known("NOSE", "WRIST") else nan
    s["arm_ext_range"] = max(_rng(f["arm_extension_left"]), _rng(f["arm_extension_right"]))
    # reach at shoulder height: a punch straightens the arm in front of the shoulder, pumping
    # arms (jogging) straighten only when hanging down
    reach = []
    for side in ("left", "right"):
        level = np.abs(f[f"wrist_above_shoulder_{side}"]) < 0.4
        reach.append(_pct(np.where(level, f[f"arm_extension_{side}"], np.nan), 95))
    s["arm_reach"] = float(np.nanmax(reach)) if np.isfinite(reach).any() else float("nan")
    s["wrist_spread_hi"] = _pct(f["wrist_spread"], 90)
    s["wrist_spread_med"] = _pct(f["wrist_spread"], 50)
    s["trunk_img_med"] = _pct(f["trunk_image"], 50)
    s["trunk_img_lo"] = _pct(f["trunk_image"], 10)
    s["trunk_img_hi"] = _pct(f["trunk_image"], 90)
    # travel of the hip centre across the image, in body heights
    # (the shoulders' centre when the hips are not seen)
    img = track.pixels()
    left, right = (Joint.LEFT_HIP, Joint.RIGHT_HIP) if hips else (Joint.LEFT_SHOULDER,
                                                                 Joint.RIGHT_SHOULDER)
    hip = (img[:, int(left)] + img[:, int(right)]) / 2
    bh = float(np.nanmedian(f["body_px_height"])) if np.isfinite(f["body_px_height"]).any() else 1.0
    s["travel"] = _rng(hip[:, 0]) / max(bh, 1.0)
    bb = np.asarray(track.bbox, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        aspect = (bb[:, 2] - bb[:, 0]) * track.width / ((bb[:, 3] - bb[:, 1]) * track.height)
    s["aspect_med"] = _pct(aspect, 50)
    period, strength = nan, 0.0
    if known("HIP", "KNEE", "ANKLE"):
        period, strength = dominant_period(f["knee_left"] - f["knee_right"], fps=fps, min_s=0.25,
                                           max_s=3.0)
    s["leg_alt_period"] = period
    s["leg_alt_strength"] = strength
    s["duration_s"] = len(track) / fps
    return s


def _soft(x: float, lo: float | None = None, hi: float | None = None, width: float = 1.0,
          missing: float = -2.0) -> float:
    """0 inside [lo, hi], -((distance)/width)^2 outside, capped at -8; NaN (unknown) gives
    ``missing``: -2 for evidence that defines the activity, 0 for evidence that only refines it."""
    if not np.isfinite(x):
        return missing
    d = 0.0
    if lo is not None and x < lo:
        d = (lo - x) / width
    elif hi is not None and x > hi:
        d = (x - hi) / width
    return -min(8.0, d * d)


def _scores(s: dict[str, float], usable: dict[str, float] | None = None) -> dict[str, float]:
    """Each activity's score from the clip statistics ``s`` and the share of frames where its
    defining joints are seen (``usable``, from :func:`usable_fractions`; all seen when None)."""
    up = _soft(s["trunk_med"], hi=35, width=12)            # upright most of the time
    flat = _soft(s["trunk_med"], lo=55, width=12)          # lying / plank
    still_legs = _soft(s["knee_range"], hi=30, width=12) + _soft(s["hip_range"], hi=35, width=12)
    # for activities defined by the arms, legs out of frame are no evidence against them
    still_legs_if_seen = (_soft(s["knee_range"], hi=30, width=12, missing=0.0)
                          + _soft(s["hip_range"], hi=35, width=12, missing=0.0))
    still_arms = _soft(s["elbow_range"], hi=35, width=12)
    no_travel = _soft(s["travel"], hi=0.8, width=0.4)
    legs_together = (_soft(s["knee_alternation"], hi=1.0, width=0.3)
                     + _soft(s["hip_alternation"], hi=0.7, width=0.2))
    overhead = (_soft(s["wrist_sh_hi"], lo=0.7, width=0.25)
                + _soft(s["wrist_sh_med"], lo=0.2, width=0.25))
    not_overhead = _soft(s["wrist_sh_hi"], hi=0.5, width=0.3)
    sc: dict[str, float] = {}
    # hands on a bar across the back/front: wrists at shoulder height, wider than the shoulders
    barbell = (_soft(s["wrist_sh_med"], lo=-0.35, hi=0.45, width=0.2)
               + _soft(s["wrist_spread_med"], lo=1.45, width=0.15))
    squat_base = (up + _soft(s["knee_range"], lo=45, width=12) + legs_together + no_travel
                  + 0.5 * not_overhead + max(-1.5, _soft(s["trunk_top"], hi=65, width=8)))
    sc["squat"] = squat_base + barbell
    sc["bodyweight_squat"] = squat_base - 2.5 * float(np.exp(barbell))
    sc["deadlift"] = (_soft(s["hip_range"], lo=45, width=12) + _soft(s["trunk_hi"], lo=40, width=12)
                      + _soft(s["hip_range"] - s["knee_range"], lo=5, width=15)
                      + _soft(s["wrist_hip_hi"], hi=0.2, width=0.25)
                      + _soft(s["elbow_lo"], lo=140, width=15) + no_travel + legs_together
                      + _soft(s["trunk_hi"], hi=95, width=10))
    sc["lunge"] = (up + _soft(s["knee_range"], lo=40, width=12) + no_travel * 0.3
                   + _soft(s["hip_alternation"], lo=0.85, width=0.2)
                   + _soft(s["knee_alternation"], hi=1.2, width=0.15)
                   + _soft(s["knee_lo"], hi=120, width=15) + not_overhead)
    # standing -> plank (hands on the floor) -> standing
    sc["burpee"] = (_soft(s["trunk_lo"], hi=30, width=12) + _soft(s["trunk_top"], lo=70, width=8)
                    + _soft(s["knee_range"], lo=40, width=15)
                    + _soft(s["wrist_ankle_lo"], lo=-0.5, hi=0.5, width=0.3) - 0.25)
    sc["sit_up"] = (_soft(s["trunk_hi"], lo=60, width=12) + _soft(s["trunk_lo"], hi=50, width=15) + _soft(s["trunk_range_sit"], lo=30,
                                                                   width=12)
                    + _soft(s["knee_med"], hi=130, width=20) + _soft(s["hip_lo"], hi=90, width=20)
                    + _soft(s["hip_ankle_med"], hi=0.35, width=0.25))
    sc["knee_to_chest"] = (flat + _soft(s["hip_side_range"], lo=45, width=15)
                           + _soft(s["hip_alternation"], lo=0.5, width=0.3)
                           + _soft(s["trunk_hi"] - s["trunk_lo"], hi=25, width=12)
                           + _soft(s["wrist_sh_med"], lo=-0.5, hi=0.5, width=0.2) - 0.5)
    sc["push_up"] = (flat + _soft(s["elbow_range"], lo=30, width=12)
                     + _soft(s["trunk_hi"] - s["trunk_lo"], hi=35, width=15)
                     + _soft(s["wrist_sh_med"], hi=-0.4, width=0.3)
                     + _soft(s["knee_med"], lo=140, width=20, missing=0.0) + no_travel)
    sc["bench_press"] = (flat + _soft(s["elbow_range"], lo=30, width=12)
                         + _soft(s["trunk_hi"] - s["trunk_lo"], hi=25, width=10)
                         + max(-1.0, _soft(s["hip_side_range"], hi=60, width=20, missing=0.0))
                         + _soft(s["wrist_sh_med"], lo=0.0, width=0.3)
                         + _soft(s["knee_med"], hi=150, width=25, missing=0.0) * 0.3
                         + no_travel)
    # hanging pull: the elbows flex, or (elbows poorly seen) the head rises towards the hands
    sc["chin_up"] = (_soft(s["trunk_med"], hi=30, width=12) + overhead
                     + max(_soft(s["elbow_range"], lo=40, width=15),
                           _soft(s["nose_wrist_range"], lo=0.5, width=0.2))
                     + still_legs_if_seen * 0.3)
    sc["downward_dog"] = (_soft(s["trunk_hi"], lo=100, width=15) + _soft(s["hip_lo"], hi=110, width=15)
                          + _soft(s["wrist_sh_med"], hi=-0.3, width=0.3) - 0.5)
    # floor to overhead: the bar starts below the knees and the hips hinge to get it
    lift = (_soft(s["wrist_hip_range"], lo=2.0, width=0.4) + _soft(s["wrist_sh_hi"], lo=0.7, width=0.3)
            + _soft(s["wrist_hip_lo"], hi=-0.3, width=0.25) + _soft(s["hip_range"], lo=45, width=15))
    sc["clean_and_jerk"] = (lift + _soft(s["wrist_spread_hi"], hi=2.2, width=0.4) + no_travel - 0.5)
    sc["snatch"] = (lift + _soft(s["wrist_spread_hi"], lo=2.2, width=0.4) + no_travel - 0.5)
    # a punch reaches out with a (nearly) straight arm; pumping arms while jogging do not
    sc["punch"] = (up + still_legs_if_seen * 0.7 + _soft(s["arm_ext_range"], lo=0.3, width=0.12)
                   + _soft(s["arm_reach"], lo=0.85, width=0.05)
                   + _soft(s["elbow_side_range"], lo=50, width=15) + not_overhead + no_travel - 0.5
                   + max(-1.0, _soft(s["knee_alternation"], hi=1.2, width=0.15, missing=0.0)))
    sc["front_kick"] = (up + _soft(s["hip_side_range"], lo=50, width=15)
                        + _soft(s["hip_alternation"], lo=0.9, width=0.2)
                        + _soft(s["hip_side_lo"], hi=110, width=15) - 1.0)
    # running: the knees flex in turn (their difference swings more than either knee alone)
    sc["sprint"] = (up + _soft(s["knee_alternation"], lo=1.35, width=0.15)
                    + _soft(s["knee_side_range"], lo=30, width=10) + not_overhead
                    + _soft(s["hip_side_lo"], lo=105, width=15)
                    # treadmill and in-place running are common: travel is a hint, not a must
                    + max(_soft(s["travel"], lo=1.0, width=0.5), -0.5))
    if usable is not None:
        # the clip cannot show an activity whose defining joints it hardly ever sees
        for activity in sc:
            sc[activity] += _soft(usable.get(activity, 1.0), lo=MIN_USABLE_FOR_ACTIVITY,
                                  width=0.15)
    return sc


def recognize_activity(track: PoseTrack, *, features=None) -> Recognition:
    """Recognise the activity in ``track`` among the 17 Video API activities.

    ``features`` may pass precomputed :func:`~repstride.analysis.exercise.features.compute_features`.
    """
    from repstride.analysis.exercise.features import compute_features

    if int(track.detected.sum()) < 3:  # nothing to go on: say so with a flat distribution
        flat = 1.0 / len(ALL_ACTIVITIES)
        return Recognition(activity=ALL_ACTIVITIES[0], confidence=flat,
                           probabilities={a: flat for a in ALL_ACTIVITIES})
    feats = features if features is not None else compute_features(track)
    s = clip_stats(track, feats)
    usable = usable_fractions(track)
    sc = _scores(s, usable)
    names = [a for a in ALL_ACTIVITIES if a in sc]
    v = np.array([sc[a] for a in names] + [NONE_SCORE]) / TEMPERATURE
    p = np.exp(v - v.max())
    p = p[:-1] / p.sum()  # the rest of the mass is "none of these"
    probs = {a: float(x) for a, x in zip(names, p)}
    best = names[int(np.argmax(p))]
    s.update({f"usable_{a}": u for a, u in usable.items()})
    return Recognition(activity=best, confidence=float(p.max()), probabilities=probs, stats=s)
