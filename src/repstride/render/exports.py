"""Biomechanics exports of a pose track: OpenSim TRC markers, MOT joint angles, per-frame CSV.

Pure functions (numpy + stdlib): they take a :class:`~repstride.analysis.track.PoseTrack` and
return text; writing it somewhere is the caller's business (API route, CLI, dashboard).

Coordinates of the TRC file (said in its first header line):

``image`` (default)
    The 2D image plane in metres: pixels (aspect-correct) times ``height_m / stature_px``, where
    ``stature_px`` is the subject's standing height in pixels estimated from the median lengths of
    shank, thigh and trunk (ankle to shoulder is 0.779 of stature, Winter's anthropometric table).
    X to the right, Y up (from the bottom edge of the frame), Z = 0. Without a known height
    :data:`DEFAULT_HEIGHT_M` is assumed and the header says so.
``world``
    The pose model's world coordinates in metres, origin at the hip centre, turned into
    OpenSim's Y-up convention: X = right, Y = up, Z = towards the camera (right-handed).

The MOT file holds the joint angles of docs/analyses.md: interior angles ``A-B-C`` at ``B`` in
degrees (180 = straight, smaller = more bent) measured in world coordinates, aspect-correct image
pixels where world coordinates are missing; ``trunk_inclination`` is the hip-centre to
shoulder-centre line from vertical up (0 = upright, 90 = horizontal). Missing values are ``NaN``
in all three formats.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.geometry import SIDE_ANGLES, joint_angle, side_joint
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput

FORMATS: tuple[str, ...] = ("trc", "mot", "csv")
COORDINATES: tuple[str, ...] = ("image", "world")
MEDIA_TYPES: dict[str, str] = {"trc": "text/plain", "mot": "text/plain", "csv": "text/csv"}
#: Stature assumed for ``image`` coordinates when the subject's height is unknown, metres.
DEFAULT_HEIGHT_M = 1.70
#: Ankle to shoulder height over stature (Winter, Biomechanics and Motor Control of Human
#: Movement: ankle 0.039 H, shoulder 0.818 H).
ANKLE_TO_SHOULDER_OF_STATURE = 0.818 - 0.039
#: Landmarks below this confidence are exported as missing.
MIN_SCORE = 0.0


def marker_names() -> tuple[str, ...]:
    """TRC marker names: the BlazePose landmarks in CamelCase (``LeftKnee``)."""
    return tuple("".join(w.capitalize() for w in j.name.split("_")) for j in Joint)


def angle_names() -> tuple[str, ...]:
    """MOT / CSV angle columns: ``left_knee`` ... ``right_ankle`` then ``trunk_inclination``."""
    return tuple(f"{side}_{name}" for side in ("left", "right") for name in SIDE_ANGLES) + (
        "trunk_inclination",)


@dataclass(frozen=True)
class Markers:
    """Marker positions ``xyz (T, J, 3)`` in metres, and what they are (a header sentence)."""

    xyz: NDArray[np.float64]
    description: str


def _fmt(v: float) -> str:
    return "NaN" if not np.isfinite(v) else f"{v:.6f}"


def stature_px(track: PoseTrack) -> float | None:
    """Standing height of the subject in image pixels (median segment lengths), or None."""
    px = track.pixels()
    total = 0.0
    for prox, dist in (("ANKLE", "KNEE"), ("KNEE", "HIP"), ("HIP", "SHOULDER")):
        sides = [np.linalg.norm(px[:, int(side_joint(s, prox))] - px[:, int(side_joint(s, dist))],
                                axis=1) for s in ("left", "right")]
        lengths = np.concatenate(sides)
        lengths = lengths[np.isfinite(lengths)]
        if lengths.size == 0:
            return None
        total += float(np.median(lengths))
    return total / ANKLE_TO_SHOULDER_OF_STATURE if total > 0 else None


def markers(track: PoseTrack, *, coordinates: str = "image",
            height_m: float | None = None) -> Markers:
    """The marker positions of :func:`trc_text` (see the module docstring for the frames)."""
    if coordinates == "world":
        w = np.asarray(track.world, float)
        xyz = np.stack([w[..., 0], -w[..., 1], -w[..., 2]], axis=-1)
        desc = ("model world coordinates in metres, origin at the hip centre; "
                "X right, Y up, Z towards the camera")
    elif coordinates == "image":
        stature = stature_px(track)
        h = float(height_m) if height_m else DEFAULT_HEIGHT_M
        given = "given" if height_m else "assumed (height unknown)"
        if stature is None:
            scale = np.nan
        else:
            scale = h / stature
        px = track.pixels()
        xyz = np.stack([px[..., 0] * scale, (track.height - px[..., 1]) * scale,
                        np.where(np.isfinite(px[..., 0]), 0.0, np.nan)], axis=-1)
        desc = (f"2D image plane in metres scaled by subject height {h:.2f} m {given}; "
                f"X right, Y up from the bottom of the frame, Z = 0")
    else:
        raise InvalidInput(f"coordinates must be one of {', '.join(COORDINATES)}.",
                           details={"accepted": list(COORDINATES)})
    low = np.asarray(track.score, float) < MIN_SCORE
    xyz = np.where(low[..., None], np.nan, xyz)
    return Markers(xyz=xyz, description=desc)


def trc_text(track: PoseTrack, *, name: str = "markers.trc", coordinates: str = "image",
             height_m: float | None = None) -> str:
    """OpenSim TRC (``PathFileType 4``): frame number, time in seconds, X/Y/Z per marker (m)."""
    m = markers(track, coordinates=coordinates, height_m=height_m)
    names = marker_names()
    n, rate = len(track), float(track.fps)
    clean = name.replace("\t", " ").replace("\n", " ")
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{clean} (repstride: {m.description})",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
        "OrigDataStartFrame\tOrigNumFrames",
        f"{rate:.6g}\t{rate:.6g}\t{n}\t{len(names)}\tm\t{rate:.6g}\t1\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{nm}\t\t" for nm in names).rstrip("\t"),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
        "",
    ]
    ts = np.asarray(track.timestamps_s, float)
    for t in range(n):
        vals = "\t".join(_fmt(v) for v in m.xyz[t].ravel())
        lines.append(f"{t + 1}\t{ts[t]:.6f}\t{vals}")
    return "\n".join(lines) + "\n"


def joint_angles(track: PoseTrack) -> dict[str, NDArray[np.float64]]:
    """``{angle name: (T,) degrees}`` in :func:`angle_names` order (conventions above)."""
    world = np.asarray(track.world, float)
    px = track.pixels()
    px3 = np.concatenate([px, np.zeros(px.shape[:2] + (1,))], axis=-1)
    out: dict[str, NDArray[np.float64]] = {}
    for side in ("left", "right"):
        for name, (a, b, c) in SIDE_ANGLES.items():
            cols = [int(side_joint(side, j)) for j in (a, b, c)]
            in_world = np.isfinite(world[:, cols]).all(axis=(1, 2))
            pts = np.where(in_world[:, None, None], world[:, cols], px3[:, cols])
            out[f"{side}_{name}"] = joint_angle(pts[:, 0], pts[:, 1], pts[:, 2])
    hips = (Joint.LEFT_HIP, Joint.RIGHT_HIP)
    shoulders = (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER)
    in_world = np.isfinite(world[:, [int(j) for j in hips + shoulders]]).all(axis=(1, 2))
    pts = np.where(in_world[:, None, None], world, px3)
    hip = pts[:, [int(j) for j in hips]].mean(axis=1)
    sho = pts[:, [int(j) for j in shoulders]].mean(axis=1)
    v = sho - hip
    up = np.array([0.0, -1.0, 0.0])  # image and world y point down
    norm = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip((v @ up) / norm, -1.0, 1.0)
    out["trunk_inclination"] = np.degrees(np.arccos(cos))
    return out


def mot_text(track: PoseTrack, *, name: str = "angles") -> str:
    """OpenSim motion file (Storage ``version=1``, ``inDegrees=yes``): time + joint angles."""
    angles = joint_angles(track)
    ts = np.asarray(track.timestamps_s, float)
    cols = list(angles)
    header = [
        name.replace("\n", " "),
        "version=1",
        f"nRows={len(track)}",
        f"nColumns={len(cols) + 1}",
        "inDegrees=yes",
        "",
        "Joint angles of repstride (docs/analyses.md): interior angle A-B-C at B, 180 = straight,",
        "smaller = more bent; trunk_inclination = hip centre to shoulder centre from vertical up,",
        "0 = upright. World coordinates, image pixels where those are missing. NaN = not seen.",
        "endheader",
        "time\t" + "\t".join(cols),
    ]
    rows = [f"{ts[t]:.6f}\t" + "\t".join(_fmt(angles[c][t]) for c in cols)
            for t in range(len(track))]
    return "\n".join(header + rows) + "\n"


def csv_text(track: PoseTrack) -> str:
    """One row per frame: time, detection, every landmark (pixels, visibility, world metres),
    then the joint angles of :func:`mot_text`."""
    names = [j.name.lower() for j in Joint]
    angles = joint_angles(track)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = ["frame", "time_s", "detected"]
    for nm in names:
        head += [f"{nm}_x_px", f"{nm}_y_px", f"{nm}_visibility",
                 f"{nm}_world_x_m", f"{nm}_world_y_m", f"{nm}_world_z_m"]
    w.writerow(head + [f"{a}_deg" for a in angles])
    px, world = track.pixels(), np.asarray(track.world, float)
    score, det = np.asarray(track.score, float), track.detected
    ts, fi = np.asarray(track.timestamps_s, float), np.asarray(track.frame_index)
    for t in range(len(track)):
        row = [str(int(fi[t])), f"{ts[t]:.6f}", "1" if det[t] else "0"]
        for j in range(len(names)):
            row += [_fmt(px[t, j, 0]), _fmt(px[t, j, 1]), _fmt(score[t, j]),
                    _fmt(world[t, j, 0]), _fmt(world[t, j, 1]), _fmt(world[t, j, 2])]
        w.writerow(row + [_fmt(angles[a][t]) for a in angles])
    return buf.getvalue()


def export_text(track: PoseTrack, fmt: str, *, name: str = "export",
                coordinates: str = "image", height_m: float | None = None) -> str:
    """Dispatch on ``fmt`` (``trc``, ``mot`` or ``csv``); an unknown format is ``invalid_input``."""
    if fmt == "trc":
        return trc_text(track, name=f"{name}.trc", coordinates=coordinates, height_m=height_m)
    if fmt == "mot":
        return mot_text(track, name=name)
    if fmt == "csv":
        return csv_text(track)
    raise InvalidInput(f"format must be one of {', '.join(FORMATS)}.",
                       details={"accepted": list(FORMATS)})


__all__ = ["COORDINATES", "FORMATS", "MEDIA_TYPES", "Markers", "angle_names", "csv_text",
           "export_text", "joint_angles", "marker_names", "markers", "mot_text", "stature_px",
           "trc_text"]
