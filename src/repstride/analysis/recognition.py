"""Activity recognition from a pose track: which of the 17 Video API activities is this?

Each activity's rule lives on its spec (``ActivitySpec.recognize`` in ``exercise/specs.py``,
written in the vocabulary of ``exercise/cues.py``); the sprint's rule is here. This module
computes the clip statistics the rules read and turns their scores into probabilities.

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
from typing import Callable

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.exercise.cues import Cues, soft
from repstride.analysis.exercise.features import compute_features
from repstride.analysis.exercise.specs import SPECS
from repstride.analysis.signal import dominant_period
from repstride.analysis.track import Joint, PoseTrack

FloatArray = NDArray[np.float64]

#: Softmax temperature of the scores (larger = less confident).
TEMPERATURE = 1.0
#: Score of "none of these": a clip that fits no activity well (a movement outside the
#: catalogue) gets a low confidence even for the best-fitting activity. -1.5 is the value
#: ``benchmarks/eval_reps.py`` fits on the development clips (in-catalogue clips right and
#: confident plus out-of-catalogue clips unsure); fitted leave-one-source-out it does better
#: on held-out sources than the earlier -3 (docs/analyses.md, "Accuracy").
NONE_SCORE = -1.5
#: Confidence below which a recognised activity is an unsure answer: the result says so and
#: names the most likely domain (a movement outside the catalogue should land here).
LOW_CONFIDENCE = 0.5
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
    #: each activity's rule score before the softmax (0 = every cue fits)
    scores: dict[str, float] = field(default_factory=dict)

    def domain(self) -> tuple[str, float]:
        """The most likely domain and its share of the activities' probability mass."""
        mass: dict[str, float] = {}
        for a, p in self.probabilities.items():
            d = CANDIDATES[a].domain if a in CANDIDATES else "unknown"
            mass[d] = mass.get(d, 0.0) + p
        total = sum(mass.values())
        best = max(mass, key=lambda d: mass[d])
        return best, (mass[best] / total if total > 0 else 0.0)

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
    masks = seen_masks(track)
    out: dict[str, float] = {}
    for activity, joints in ((n, c.required) for n, c in CANDIDATES.items()):
        ok = np.ones(len(track), bool)
        for j in joints:
            ok &= masks[j]
        out[activity] = float(ok.mean()) if ok.size else 0.0
    return out


LEG_JOINTS = ("SHOULDER", "HIP", "KNEE", "ANKLE")


def _hands_still(track: PoseTrack, masks: dict[str, NDArray[np.bool_]], body_px: float) -> float:
    """How far the wrists move up and down in the image, over how far the shoulders do.

    The fixed point of the body against the surroundings: hanging from a bar, the hands stay put
    while the body rises to them (well under 1); standing or lying, the hands move and the
    shoulders stay (well over 1). A ratio of two motions seen by the same camera, so it does not
    depend on the view or the framing. NaN unless wrists and shoulders are seen together in
    enough frames.
    """
    both = masks["WRIST"] & masks["SHOULDER"]
    if both.mean() < MIN_SEEN_FOR_STAT:
        return float("nan")
    y = track.pixels()[:, :, 1]
    wrist = np.fmax(y[:, int(Joint.LEFT_WRIST)], y[:, int(Joint.RIGHT_WRIST)])
    shoulder = np.fmax(y[:, int(Joint.LEFT_SHOULDER)], y[:, int(Joint.RIGHT_SHOULDER)])
    floor = 0.05 * max(body_px, 1.0)  # a still body: noise, not a ratio
    return _rng(np.where(both, wrist, np.nan)) / max(_rng(np.where(both, shoulder, np.nan)), floor)


def _knee_at_hip_flex(f) -> float:
    """Knee angle (deg) while the hip is most flexed (within 10 deg of its 5th percentile; the
    upper quartile of the knee there), on the side that flexes it most.

    The phase that tells a knee lift from a kick: a kick straightens the knee with the thigh up
    (about 150 and more), a knee pulled to the chest, a squat or a lunge's front leg keep it
    bent (under about 110).
    """
    best = (float("inf"), float("nan"))
    for side in ("left", "right"):
        hip, knee = f[f"hip_{side}"], f[f"knee_{side}"]
        if np.isfinite(hip).sum() < 10:
            continue
        lo = _pct(hip, 5)
        at = _pct(np.where(hip <= lo + 10.0, knee, np.nan), 75)
        if lo < best[0] and np.isfinite(at):
            best = (lo, at)
    return best[1]


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
            for key in ("range", "lo", "med", "hi", "side_range", "side_lo", "alternation"):
                s[f"{name}_{key}"] = float("nan")
            continue
        s[f"{name}_range"] = _rng(f[name])
        s[f"{name}_lo"] = _pct(f[name], 5)
        s[f"{name}_med"] = _pct(f[name], 50)
        s[f"{name}_hi"] = _pct(f[name], 95)
        s[f"{name}_side_range"] = max(_rng(f[f"{name}_left"]), _rng(f[f"{name}_right"]))
        s[f"{name}_side_lo"] = min(_pct(f[f"{name}_left"], 5), _pct(f[f"{name}_right"], 5))
        diff = f[f"{name}_left"] - f[f"{name}_right"]
        s[f"{name}_alternation"] = _rng(diff) / max(s[f"{name}_side_range"], 10.0)
    # a bar racked on the shoulders stays at shoulder height; a bar lifted overhead does not
    nan = float("nan")
    # (interquartile: set-up motion, unracking, is a short part of the clip)
    s["wrist_sh_iqr"] = (_pct(f["wrist_above_shoulder"], 75) - _pct(f["wrist_above_shoulder"], 25)
                         if known("SHOULDER", "WRIST") else nan)
    s["wrist_sh_med"] = _pct(f["wrist_above_shoulder"], 50)
    s["wrist_along_med"] = (_pct(f["wrist_along_trunk"], 50) if known("SHOULDER", "HIP", "WRIST")
                            else nan)
    s["wrist_sh_lo"] = _pct(f["wrist_above_shoulder"], 10)
    s["wrist_sh_hi"] = _pct(f["wrist_above_shoulder"], 90)
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
    # how far the upper arm swings against gravity (needs no hips: close-ups keep it)
    s["upper_arm_side_range"] = (max(_rng(f["upper_arm_from_up_left"]),
                                     _rng(f["upper_arm_from_up_right"]))
                                 if known("SHOULDER", "ELBOW") else nan)
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
    s["hands_still"] = _hands_still(track, masks, bh)
    s["knee_at_hip_flex"] = _knee_at_hip_flex(f) if known(*LEG_JOINTS) else nan
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


def _sprint_rule(c: Cues) -> float:
    """Running: the knees flex in turn (their difference swings more than either knee alone).

    Upright running on the spot (treadmill, jogging in place) or across the ground; or an
    acceleration (a start from blocks, leaning forward, hips deeply flexed) that carries the
    body several body heights across the ground with the legs working in turn.
    """
    upright = (c.up + soft(c["knee_alternation"], lo=1.35, width=0.15)
               + soft(c["hip_side_lo"], lo=105, width=15)
               # treadmill and in-place running are common: travel is a hint, not a must
               + max(soft(c["travel"], lo=1.0, width=0.5), -0.5)
               # running strides take under a second (walking: 1.1 s and more)
               + soft(c["leg_alt_period"], hi=1.0, width=0.1, missing=0.0))
    # an acceleration leans into it (walking across the ground stays upright)
    driving = (c.travelling + soft(c["trunk_med"], lo=25, hi=75, width=8)
               + soft(c["knee_alternation"], lo=0.9, width=0.2))
    return (max(upright, driving) + soft(c["knee_side_range"], lo=30, width=10)
            + c.not_overhead)


@dataclass(frozen=True)
class Candidate:
    """One recognisable activity: its domain, defining joints and rule (Cues -> score)."""

    name: str
    domain: str
    required: tuple[str, ...]
    rule: Callable[[Cues], float]


#: Every recognisable activity: the exercise specs with a rule, then the sprint (analysed by
#: ``analysis/running``, so its rule lives here).
CANDIDATES: dict[str, Candidate] = {
    **{n: Candidate(n, s.domain, s.required, s.recognize) for n, s in SPECS.items()
       if s.recognize is not None},
    "sprint": Candidate("sprint", "running", _SPRINT_REQUIRED, _sprint_rule),
}


def _scores(s: dict[str, float], usable: dict[str, float] | None = None) -> dict[str, float]:
    """Each activity's score from the clip statistics ``s`` and the share of frames where its
    defining joints are seen (``usable``, from :func:`usable_fractions`; all seen when None)."""
    cues = Cues(s)
    sc = {name: float(cand.rule(cues)) for name, cand in CANDIDATES.items()}
    if usable is not None:
        # the clip cannot show an activity whose defining joints it hardly ever sees
        for activity in sc:
            sc[activity] += soft(usable.get(activity, 1.0), lo=MIN_USABLE_FOR_ACTIVITY,
                                 width=0.15)
    return sc


def recognize_activity(track: PoseTrack, *, features=None) -> Recognition:
    """Recognise the activity in ``track`` among the 17 Video API activities.

    ``features`` may pass precomputed :func:`~repstride.analysis.exercise.features.compute_features`.
    """
    names = list(CANDIDATES)
    if int(track.detected.sum()) < 3:  # nothing to go on: say so with a flat distribution
        flat = 1.0 / len(names)
        return Recognition(activity=names[0], confidence=flat,
                           probabilities={a: flat for a in names})
    feats = features if features is not None else compute_features(track)
    s = clip_stats(track, feats)
    usable = usable_fractions(track)
    sc = _scores(s, usable)
    v = np.array([sc[a] for a in names] + [NONE_SCORE]) / TEMPERATURE
    p = np.exp(v - v.max())
    p = p[:-1] / p.sum()  # the rest of the mass is "none of these"
    probs = {a: float(x) for a, x in zip(names, p)}
    best = names[int(np.argmax(p))]
    s.update({f"usable_{a}": u for a, u in usable.items()})
    return Recognition(activity=best, confidence=float(p.max()), probabilities=probs, stats=s,
                       scores=dict(sc))
