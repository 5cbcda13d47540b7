"""The exercise engine: recognise (if needed) -> quality gate -> segment reps -> per-rep analyses."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from repstride.analysis.exercise.analyses import rep_analyses
from repstride.analysis.exercise.features import MIN_SCORE, SIDES, Features, compute_features
from repstride.analysis.exercise.segment import (
    RepWindow, SegmentParams, candidate_params, merge_sides, segment_reps,
)
from repstride.analysis.exercise.specs import SPECS, ActivitySpec
from repstride.analysis.exercise.view import estimate_view
from repstride.analysis.geometry import side_joint
# a module reference, not its names: recognition imports this package's specs and cues, so
# importing it first must not need this module's names to exist yet
import repstride.analysis.recognition as recognition
from repstride.analysis.results import ActivityResult, Rep
from repstride.analysis.track import PoseTrack
from repstride.errors import LowQualityPose, NotImplementedFeature, UnknownActivity

#: Share of frames in which every joint the activity needs must be seen confidently.
MIN_USABLE_FRACTION = 0.4
#: ... and at least this many seconds of such frames.
MIN_USABLE_S = 1.0
#: Recognition confidence above which a caller's activity is flagged as a likely mismatch.
MISMATCH_CONFIDENCE = 0.7


def analyze_exercise(track: PoseTrack, *, activity: str | None = None,
                     rep_count: int | None = None, domain: str | None = None) -> ActivityResult:
    """Count and judge the reps of ``activity`` in ``track`` (recognised when ``None``).

    Returns ``status="Failed"`` with ``reason="LOW_QUALITY_POSE_ESTIMATE"`` when the joints the
    activity needs are not seen confidently in enough frames. ``rep_count`` (the client's
    ``repCount``) only chooses between plausible segmentations; it never adds reps the motion
    does not show. ``info`` carries the recognition confidence and quality figures. A ``domain``
    without an activity restricts recognition to that domain's activities.
    """
    if activity is not None and activity not in SPECS and activity != "sprint":
        raise UnknownActivity(f"Unknown activity {activity!r}.",
                              details={"accepted_activities": sorted(SPECS) + ["sprint"]})
    if int(track.detected.sum()) < MIN_USABLE_S * track.fps:
        # not even a second of body: nothing to recognise or count
        return _failed(activity, {"usableFraction": round(float(track.detected.mean()), 3)
                                  if len(track) else 0.0})
    feats = compute_features(track)
    activity, info = _settle_activity(track, feats, activity, domain)
    if activity == "sprint":
        return _delegate_sprint(track, info)
    spec = SPECS[activity]
    usable = _usable_fraction(track, spec)
    info["usableFraction"] = round(usable, 3)
    if usable < MIN_USABLE_FRACTION or usable * len(track) < MIN_USABLE_S * track.fps:
        return _failed(activity, info)
    windows, chosen = _find_reps(spec, feats, rep_count)
    info.update(chosen)
    if not spec.per_side:
        info["repSignal"] = choose_signal(spec, feats)[0]
    view = estimate_view(track)
    info["view"] = view
    reps = tuple(
        Rep(start_ms=int(feats.times_ms[w.start]), mid_ms=int(feats.times_ms[w.mid]),
            end_ms=int(feats.times_ms[w.end]),
            analyses=rep_analyses(spec.analyses, feats, w, view))
        for w in windows)
    return ActivityResult(status="Complete", domain=spec.domain, activity=activity,
                          reps=reps, info=info)


def _settle_activity(track: PoseTrack, feats: Features, activity: str | None,
                     domain: str | None = None) -> tuple[str, dict]:
    """The activity to analyse and the recognition info: recognised when the caller gave none
    (among ``domain``'s activities when the caller named a domain), else the caller's, flagged
    when the motion clearly shows something else."""
    rec = recognition.recognize_activity(track, features=feats)
    if activity is None and domain is not None:
        probs = {a: rec.probabilities.get(a, 0.0) for a, c in recognition.CANDIDATES.items()
                 if c.domain == domain}
        total = sum(probs.values())
        best = max(probs, key=lambda a: probs[a])
        conf = probs[best] / total if total > 0 else 1.0 / len(probs)
        ranked = sorted(probs.items(), key=lambda kv: -kv[1])[:3]
        return best, {"activitySource": "recognised_in_domain",
                      "activityConfidence": round(conf, 3),
                      "activityCandidates": [{"activity": a, "probability": round(p / total, 3)
                                              if total > 0 else round(1.0 / len(probs), 3)}
                                             for a, p in ranked]}
    if activity is None:
        return rec.activity, {"activitySource": "recognised",
                              "activityConfidence": round(rec.confidence, 3),
                              "activityCandidates": rec.top(3)}
    info: dict = {"activitySource": "caller"}
    if rec.activity != activity and rec.confidence >= MISMATCH_CONFIDENCE and \
            rec.probabilities.get(activity, 0.0) < 0.1:
        info["activityMismatch"] = {"recognised": rec.activity,
                                    "confidence": round(rec.confidence, 3)}
    return activity, info


def _failed(activity: str | None, info: dict) -> ActivityResult:
    domain = SPECS[activity].domain if activity in SPECS else None
    return ActivityResult(status="Failed", domain=domain,
                          activity=activity, reason=LowQualityPose.code, info=info)


def _delegate_sprint(track: PoseTrack, info: dict) -> ActivityResult:
    try:
        from repstride.analysis.running.sprint import analyze_sprint
    except ImportError as exc:  # the running module is another package's; say so plainly
        raise NotImplementedFeature("Sprint analysis is not available in this build.") from exc
    result = analyze_sprint(track)
    return replace(result, info={**result.info, **info})


def _usable_fraction(track: PoseTrack, spec: ActivitySpec) -> float:
    """Share of frames where every required joint is seen (on at least one side)."""
    ok = np.ones(len(track), bool)
    for name in spec.required:
        best = np.max([track.score[:, int(side_joint(s, name))] for s in SIDES], axis=0)
        ok &= best >= MIN_SCORE
    return float(ok.mean()) if ok.size else 0.0


def _roughness(x: np.ndarray, min_rom: float) -> float:
    """Total variation over range: lowest for the signal that shows the reps most cleanly."""
    v = x[np.isfinite(x)]
    if v.size < 4:
        return float("inf")
    rng = float(np.percentile(v, 95) - np.percentile(v, 5))
    if rng < min_rom:
        return float("inf")
    return float(np.sum(np.abs(np.diff(v))) / rng)


def choose_signal(spec: ActivitySpec, feats: Features) -> tuple[str, str, float]:
    """The spec's rep signal ``(name, direction, min_rom)`` that is smoothest in this clip."""
    options = ((spec.signal, spec.direction, spec.min_rom),) + spec.alternates
    rough = [_roughness(feats[name], rom) for name, _, rom in options]
    best = int(np.argmin(rough)) if np.isfinite(rough).any() else 0
    return options[best]


def _posture_ok(spec: ActivitySpec, feats: Features) -> np.ndarray | None:
    """(T,) frames whose posture fits the activity (NaN posture counts as fitting)."""
    if not spec.posture:
        return None
    ok = np.ones(len(feats), bool)
    for name, lo, hi in spec.posture:
        x = feats[name]
        with np.errstate(invalid="ignore"):
            bad = (x < lo if lo is not None else False) | (x > hi if hi is not None else False)
        ok &= ~np.asarray(bad, bool)
    return ok


def _segment(spec: ActivitySpec, feats: Features, params: SegmentParams) -> list[RepWindow]:
    allowed = _posture_ok(spec, feats)
    if not spec.per_side:
        name, direction, min_rom = choose_signal(spec, feats)
        params = replace(params, min_rom=params.min_rom / spec.min_rom * min_rom)
        return segment_reps(feats[name], fps=feats.fps, direction=direction, params=params,
                            allowed=allowed)
    per = []
    for side in SIDES:
        reps = segment_reps(feats[f"{spec.signal}_{side}"], fps=feats.fps,
                            direction=spec.direction, params=params, allowed=allowed)
        per.append([replace(r, side=side) for r in reps])
    return merge_sides(*per)


def _find_reps(spec: ActivitySpec, feats: Features, rep_count: int | None
               ) -> tuple[list[RepWindow], dict]:
    base = SegmentParams(min_rom=spec.min_rom, rel_rom=spec.rel_rom, min_rep_s=spec.min_rep_s,
                         max_rep_s=spec.max_rep_s)
    reps = _segment(spec, feats, base)
    info: dict = {}
    if rep_count is not None and rep_count >= 0 and len(reps) != rep_count:
        # the hint only picks among segmentations the motion supports, nearest thresholds first
        for params in candidate_params(base)[1:]:
            alt = _segment(spec, feats, params)
            if len(alt) == rep_count:
                info["repCountHintUsed"] = True
                return alt, info
        info["repCountHintUsed"] = False
        info["repCountHintDisagrees"] = True
    return reps, info
