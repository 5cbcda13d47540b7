"""The Video API's JSON: the converters from the analysis results and the pydantic models
that name every response body (declared on the routes in ``api/videos``).

The converters build the bodies the service stores (``videos.analysis``) and the CLI prints;
the models describe them for the OpenAPI document, field for field (``tests/wire`` validates
the converters' output against them, and the API's schemathesis run every live response).
Fields that a body may leave out are optional here; ``X | None`` without a default is a field
that is always there and may be null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from repstride.analysis.exercise.view import ViewEstimate
from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.running.block_start import BlockStart
from repstride.analysis.running.field_markers import FieldMarker, FieldMarkers
from repstride.analysis.running.sprint import NullAngle, ProgressPoint
from repstride.wire import gait as _gait  # noqa: F401  (registers the gait event converters)
from repstride.wire.tree import to_json

# --- converters ----------------------------------------------------------------------------


@to_json.register
def rep_analysis_json(a: RepAnalysis) -> dict[str, Any]:
    d: dict[str, Any] = {"analysisType": a.type, "analysisScalar": a.scalar}
    if a.opinion is not None:
        d["analysisOpinion"] = a.opinion
    if a.reason is not None:
        d["reason"] = a.reason
    return d


@to_json.register
def rep_json(r: Rep) -> dict[str, Any]:
    return {"startTimestampMs": r.start_ms, "midTimestampMs": r.mid_ms,
            "endTimestampMs": r.end_ms, "analyses": [rep_analysis_json(a) for a in r.analyses]}


@to_json.register
def analysis_json(result: ActivityResult) -> dict[str, Any]:
    """``GET /videos/{id}/analysis`` of a finished analysis (what the job stores)."""
    d: dict[str, Any] = {"status": result.status}
    if result.reason is not None:
        d["reason"] = result.reason
    d["domain"] = result.domain
    d["activity"] = result.activity
    d["reps"] = [rep_json(r) for r in result.reps]
    d.update(to_json(result.extra))
    if result.info:
        d["repstride"] = to_json(result.info)
    return d


@to_json.register
def view_estimate_json(v: ViewEstimate) -> dict[str, Any]:
    """``repstride.view`` of an exercise: the camera view the analysis assumed."""
    return {"view": v.view, "confidence": round(v.confidence, 3), "yawDegrees": round(v.yaw_deg, 1)}


@to_json.register
def progress_point_json(p: ProgressPoint) -> dict[str, Any]:
    return {"distanceFromStart": p.distance_m, "frameIndex": p.frame_index,
            "timestamp": p.timestamp_ms}


@to_json.register
def field_marker_json(m: FieldMarker) -> dict[str, Any]:
    return {"type": m.type,
            "position": {"x1": round(m.x1, 1), "y1": round(m.y1, 1),
                         "x2": round(m.x2, 1), "y2": round(m.y2, 1)},
            "frame_idx": m.frame_idx, "timestamp": m.timestamp_ms}


@to_json.register
def field_markers_json(fm: FieldMarkers) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if fm.start_line is not None:
        d["startLine"] = field_marker_json(fm.start_line)
    if fm.middle_line is not None:
        d["middleLine"] = field_marker_json(fm.middle_line)
    if fm.finish_line is not None:
        d["finishLine"] = field_marker_json(fm.finish_line)
    if fm.cones:
        d["cones"] = [field_marker_json(c) for c in fm.cones]
    return d


@to_json.register
def block_clearance_json(start: BlockStart) -> dict[str, Any]:
    """``repstride.blockClearance``: timestamps in video milliseconds, like the strides'."""
    k = start.slow_motion_factor

    def ms(t: float | None) -> int | None:
        return None if t is None else int(round(t * k * 1000.0))

    d: dict[str, Any] = {
        "setPositionStartMs": ms(start.set_start_s), "movementOnsetMs": ms(start.onset_s),
        "rearFoot": start.rear_side, "rearFootToeOffMs": ms(start.rear_toe_off_s),
        "frontFoot": start.front_side, "frontFootToeOffMs": ms(start.front_toe_off_s),
        "firstStepMs": ms(start.first_step_s),
    }
    if start.reasons:
        d["reasons"] = dict(start.reasons)
    return d


@to_json.register
def null_angle_json(n: NullAngle) -> dict[str, Any]:
    return {"stride": n.stride, "analysisType": n.analysis_type, "reason": n.reason,
            "measuredDeg": n.measured_deg}


# --- models --------------------------------------------------------------------------------

AnalysisStatus = Literal["Pending", "Complete", "Failed"]
#: Pose data and rendered files also read ``Expired`` once the server's retention deleted them.
ArtifactStatus = Literal["Pending", "Complete", "Failed", "Expired"]


class RepAnalysisOut(BaseModel):
    analysisType: str
    analysisScalar: float | None
    analysisOpinion: Literal["good", "bad"] | None = None
    reason: str | None = Field(None, description="repstride: why analysisScalar is null.")


class RepOut(BaseModel):
    startTimestampMs: int
    midTimestampMs: int
    endTimestampMs: int
    analyses: list[RepAnalysisOut]


class RunnerProgressOut(BaseModel):
    distanceFromStart: float | None
    frameIndex: int
    timestamp: int


class MarkerPositionOut(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


class FieldMarkerOut(BaseModel):
    type: Literal["YARD_LINE", "CONE"]
    position: MarkerPositionOut
    frame_idx: int
    timestamp: int


class FieldMarkersOut(BaseModel):
    startLine: FieldMarkerOut | None = None
    middleLine: FieldMarkerOut | None = None
    finishLine: FieldMarkerOut | None = None
    cones: list[FieldMarkerOut] | None = None


class AnalysisOut(BaseModel):
    """``GET /videos/{id}/analysis`` (sprints add ``runnerProgress`` and ``fieldMarkers``)."""

    status: AnalysisStatus
    reason: str | None = None
    domain: str | None
    activity: str | None
    reps: list[RepOut]
    runnerProgress: list[RunnerProgressOut] | None = None
    fieldMarkers: FieldMarkersOut | None = None
    repstride: dict[str, Any] | None = Field(
        None, description="repstride extensions: recognition, quality flags, warnings.")


class JointPositionOut(BaseModel):
    x: float
    y: float


class JointFrameOut(BaseModel):
    frame_idx: int
    part: str
    position: JointPositionOut
    score: float
    timestamp: float


class J2POut(BaseModel):
    """``GET /videos/{id}/j2p``."""

    status: ArtifactStatus
    reason: str | None = None
    resolutionHeight: int | None
    resolutionWidth: int | None
    jointToPoints: dict[str, list[JointFrameOut]]
    analysis: AnalysisOut


class BoundingBoxOut(BaseModel):
    frame_idx: int
    timestamp: float
    x1: float
    y1: float
    x2: float
    y2: float
    score: float | None


class DetectedObjectOut(BaseModel):
    type: str
    id: int
    subject: bool
    boundingBoxes: list[BoundingBoxOut]


class ObjectsOut(BaseModel):
    """``GET /videos/{id}/objects``."""

    status: ArtifactStatus
    reason: str | None = None
    objects: list[DetectedObjectOut]


class ArtifactOut(BaseModel):
    """An overlay or the thumbnail: ``uri`` once ``Complete``, ``reason`` when ``Failed`` or
    ``Expired``."""

    status: ArtifactStatus
    uri: str | None = None
    reason: str | None = None


class VideoOut(BaseModel):
    """``GET /videos/{id}`` (``analysis``, ``j2p``, ``objects`` with ``?include=``)."""

    id: str
    status: Literal["Pending", "Success", "Failed"]
    filename: str
    size: int
    source: str | None
    domain: str | None
    activity: str | None
    repCount: int | None
    fps: float | None
    overlays: dict[str, ArtifactOut]
    thumbnail: ArtifactOut
    reason: str | None = None
    uri: str | None = None
    analysis: AnalysisOut | None = None
    j2p: J2POut | None = None
    objects: list[DetectedObjectOut] | None = None
    #: what the server's retention deleted (repstride extension; absent when nothing)
    expired: list[Literal["uploads", "tracks", "overlays"]] | None = None


class VideoListItemOut(BaseModel):
    """An entry of ``GET /videos``."""

    id: str
    filename: str
    status: Literal["Pending", "Success", "Failed"]
    analysisStatus: AnalysisStatus
    createdAt: float
    domain: str | None = None
    activity: str | None = None
    notifyViaWebhook: bool = False


__all__ = [
    "AnalysisOut", "ArtifactOut", "BoundingBoxOut", "DetectedObjectOut", "FieldMarkerOut",
    "FieldMarkersOut", "J2POut", "JointFrameOut", "ObjectsOut", "RepAnalysisOut", "RepOut",
    "RunnerProgressOut", "VideoListItemOut", "VideoOut", "analysis_json",
    "block_clearance_json", "field_marker_json", "field_markers_json", "null_angle_json",
    "progress_point_json", "rep_analysis_json", "rep_json",
]
