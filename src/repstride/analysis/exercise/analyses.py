"""Per-rep analyses: reduce a feature signal over one rep window to a scalar and an opinion."""

from __future__ import annotations

import numpy as np

from repstride.analysis.exercise.features import Features
from repstride.analysis.exercise.segment import RepWindow
from repstride.analysis.exercise.specs import AnalysisSpec
from repstride.analysis.exercise.view import ViewEstimate
from repstride.analysis.results import Opinion, RepAnalysis

#: ``RepAnalysis.reason`` of a null value: the camera view cannot show the analysis's plane ...
NOT_OBSERVABLE = "not_observable_from_view"
#: ... the landmarks it is computed from were not seen during the rep ...
NOT_SEEN = "landmarks_not_seen"
#: ... or the motion does not define it (a bar that barely moves, a missing phase).
NOT_MEASURABLE = "not_measurable"


#: Landmarks each signal stem is computed from (side-free names).
SIGNAL_JOINTS: dict[str, tuple[str, ...]] = {
    "knee": ("HIP", "KNEE", "ANKLE"), "hip": ("SHOULDER", "HIP", "KNEE"),
    "elbow": ("SHOULDER", "ELBOW", "WRIST"), "shoulder": ("HIP", "SHOULDER", "ELBOW"),
    "trunk": ("SHOULDER", "HIP"), "thigh_pitch": ("HIP", "KNEE"),
    "forearm_vertical": ("ELBOW", "WRIST"), "body_line": ("SHOULDER", "HIP", "ANKLE"),
    "wrist_above_shoulder": ("WRIST", "SHOULDER"), "nose_above_wrist": ("NOSE", "WRIST"),
    "arm_extension": ("SHOULDER", "ELBOW", "WRIST"), "upper_arm_from_up": ("SHOULDER", "ELBOW"),
    "wrist_spread": ("WRIST", "SHOULDER"), "knee_valgus": ("HIP", "KNEE", "ANKLE"),
    "leg_fold": ("SHOULDER", "HIP", "KNEE", "ANKLE"), "": (),
}
#: Median confidence over the rep below which a landmark's number is not reported.
MIN_SEEN = 0.5


def _stem(signal: str) -> str:
    for suffix in ("_left", "_right", "_min", "_max", "_{a}", "_{p}"):
        if signal.endswith(suffix):
            return signal[: -len(suffix)]
    return signal


def _supported(spec: AnalysisSpec, feats: Features, rep: RepWindow) -> bool:
    """Were the landmarks this analysis needs seen during the rep? (hallucinated = no number)"""
    joints = SIGNAL_JOINTS.get(_stem(spec.signal), ())
    if spec.reduce == "sinuosity":
        joints = ("WRIST",)
    for j in joints:
        v = feats.seen.get(j)
        if v is not None and float(np.median(v[rep.start:rep.end + 1])) < MIN_SEEN:
            return False
    return True


def _finite(v: np.ndarray) -> np.ndarray:
    return v[np.isfinite(v)]


def _signal_name(spec: AnalysisSpec, rep: RepWindow) -> str:
    active = rep.side or "left"
    passive = "right" if active == "left" else "left"
    return spec.signal.replace("{a}", active).replace("{p}", passive)


def _value(spec: AnalysisSpec, feats: Features, rep: RepWindow) -> float | None:
    t = feats.times_ms
    if spec.reduce == "duration":
        return float(t[rep.end] - t[rep.start])
    if spec.reduce == "ecc_con":
        down, up = t[rep.mid] - t[rep.start], t[rep.end] - t[rep.mid]
        return float(down / up) if up > 0 and down > 0 else None
    if spec.reduce == "sinuosity":
        return _sinuosity(feats, rep)
    x = feats[_signal_name(spec, rep)]
    win = x[rep.start:rep.end + 1]
    if spec.reduce == "at_mid":
        v = _finite(x[max(0, rep.mid - 2):rep.mid + 3])
        return float(np.median(v)) if v.size else None
    if spec.reduce in ("min", "max", "ends_max"):
        frame = analysis_frame(spec, feats, rep)
        return None if frame is None else float(x[frame])
    if spec.reduce == "hold":
        v = win
        if not np.isfinite(v).any():
            return None
        lo, hi = np.nanmin(v), np.nanmax(v)
        ext = x[rep.mid]
        near = np.abs(v - ext) <= 0.1 * max(hi - lo, 1e-9)
        return float(near.sum() * 1000.0 / feats.fps)
    raise ValueError(f"unknown reduce {spec.reduce!r}")


def analysis_frame(spec: AnalysisSpec, feats: Features, rep: RepWindow) -> int | None:
    """The frame whose signal value an extreme analysis (``min``, ``max``, ``ends_max``)
    reports for ``rep``; ``None`` for other reductions or when the signal is not seen there.

    The annotated video's gauge shows the same signal frame by frame, so at this frame it
    reads the number of the JSON and the report table (the lockout at the rest position).
    """
    if spec.reduce not in ("min", "max", "ends_max"):
        return None
    x = feats[_signal_name(spec, rep)]
    if spec.reduce == "ends_max":
        # the rest position around the rep's start and end: the window itself begins only
        # once the signal has left the rest zone
        k = max(1, int(round(0.15 * (rep.end - rep.start + 1))))
        pad = max(1, int(round(0.5 * feats.fps)))
        frames = np.r_[max(0, rep.start - pad):rep.start + k,
                       max(rep.start, rep.end - k):min(len(x), rep.end + pad + 1)]
    else:
        frames = np.arange(rep.start, rep.end + 1)
    frames = frames[np.isfinite(x[frames])]
    if not frames.size:
        return None
    pick = np.argmin if spec.reduce == "min" else np.argmax
    return int(frames[pick(x[frames])])


def _sinuosity(feats: Features, rep: RepWindow) -> float | None:
    """Wrists' midpoint path length over the straight down-and-up path, minus 1, in percent."""
    x = feats["wrist_px_x"][rep.start:rep.end + 1]
    y = feats["wrist_px_y"][rep.start:rep.end + 1]
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.mean() < 0.8 or ok.sum() < 4:
        return None
    pts = np.stack([x[ok], y[ok]], axis=1)
    path = float(np.sum(np.linalg.norm(np.diff(pts, axis=0), axis=1)))
    m = min(max(rep.mid - rep.start, 0), len(pts) - 1)
    chord = float(np.linalg.norm(pts[m] - pts[0]) + np.linalg.norm(pts[-1] - pts[m]))
    height = np.nanmedian(feats["body_px_height"][rep.start:rep.end + 1])
    # a bar that barely moves (< 5 % of the body's height) has no meaningful path shape
    if not np.isfinite(height) or chord < 0.05 * height:
        return None
    return float(max(0.0, path / chord - 1.0) * 100.0)


def _opinion(spec: AnalysisSpec, value: float | None) -> Opinion | None:
    if value is None or (spec.good_min is None and spec.good_max is None):
        return None
    ok = (spec.good_min is None or value >= spec.good_min) and (
        spec.good_max is None or value <= spec.good_max)
    return "good" if ok else "bad"


def analysis_value(spec: AnalysisSpec, feats: Features, rep: RepWindow) -> float | None:
    """The number one analysis reports for one rep, rounded as on the wire (``None``: none).

    The one function behind the JSON, the report table and (via the same feature signal) the
    annotated video's gauge.
    """
    v = _value(spec, feats, rep)
    if v is None or not np.isfinite(v):
        return None
    return round(v, 3 if spec.type.endswith("_RATIO") else 1)


def rep_analyses(specs: tuple[AnalysisSpec, ...], feats: Features, rep: RepWindow,
                 view: ViewEstimate | None = None) -> tuple[RepAnalysis, ...]:
    """Every analysis of one rep; a value the data cannot support is ``None`` with no opinion
    and a ``reason``. With a ``view``, an analysis whose plane it cannot observe is ``None``
    with reason :data:`NOT_OBSERVABLE`."""
    out = []
    for spec in specs:
        if view is not None and not view.observes(spec.plane):
            out.append(RepAnalysis(type=spec.type, scalar=None, reason=NOT_OBSERVABLE))
            continue
        if not _supported(spec, feats, rep):
            out.append(RepAnalysis(type=spec.type, scalar=None, reason=NOT_SEEN))
            continue
        v = analysis_value(spec, feats, rep)
        out.append(RepAnalysis(type=spec.type, scalar=v, opinion=_opinion(spec, v),
                               reason=None if v is not None else NOT_MEASURABLE))
    return tuple(out)
