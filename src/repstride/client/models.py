"""Typed views of the wire JSON (seeds 001 and 002), field for field.

Attributes are snake_case; the wire names (``startTimestampMs``, ``jointToPoints``, ...) are their
aliases and are accepted on input. Every model keeps fields it does not know (``extra="allow"``),
so a newer server never breaks an older SDK, and ``to_wire()`` gives back the JSON as it came.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = [
    "Analysis", "BoundingBox", "CalculatedData", "CreatedVideo", "DetectedObject", "J2P",
    "JointFrame", "JointPosition", "Overlay", "RawData", "Rep", "RepAnalysisItem",
    "RunnerProgressPoint", "RunningResults", "Video",
]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object with wire names, as the server sent it (unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


# --- Video API (seed 001) ----------------------------------------------------------------------


class CreatedVideo(WireModel):
    """``POST /videos`` answer: where and how to upload the file."""

    id: str
    url: str
    fields: dict[str, Any] = Field(default_factory=dict)


class RepAnalysisItem(WireModel):
    """One insight on a rep, e.g. ``HIP_KNEE_ANGLE_DEGREES = 12.34`` (``opinion`` good/bad)."""

    analysis_type: str = Field(alias="analysisType")
    # The seed's sprint table spells it "anaylsisScalar" once; accept both.
    analysis_scalar: float | str | None = Field(
        None, alias="analysisScalar",
        validation_alias=AliasChoices("analysisScalar", "anaylsisScalar", "analysis_scalar"))
    analysis_opinion: str | None = Field(None, alias="analysisOpinion")


class Rep(WireModel):
    """A repetition (or, for sprints, a stride). Timestamps are milliseconds into the video."""

    start_timestamp_ms: float | None = Field(None, alias="startTimestampMs")
    mid_timestamp_ms: float | None = Field(None, alias="midTimestampMs")
    end_timestamp_ms: float | None = Field(None, alias="endTimestampMs")
    analyses: list[RepAnalysisItem] = Field(default_factory=list)

    def value(self, analysis_type: str) -> float | str | None:
        """The scalar of one analysis type (``None`` when absent or null)."""
        for item in self.analyses:
            if item.analysis_type == analysis_type:
                return item.analysis_scalar
        return None


class RunnerProgressPoint(WireModel):
    """Sprint: metres travelled (negative before the start line) at a frame / millisecond."""

    distance_from_start: float | None = Field(None, alias="distanceFromStart")
    frame_index: int | None = Field(None, alias="frameIndex")
    timestamp: float | None = None


class Analysis(WireModel):
    """``GET /videos/{id}/analysis``: ``status`` is ``Pending``, ``Complete`` or ``Failed``."""

    status: str | None = None
    reason: str | None = None
    domain: str | None = None
    activity: str | None = None
    reps: list[Rep] = Field(default_factory=list)
    field_markers: dict[str, Any] | None = Field(None, alias="fieldMarkers")
    runner_progress: list[RunnerProgressPoint] | None = Field(None, alias="runnerProgress")
    #: Set by the SDK (not on the wire): the video this analysis belongs to.
    video_id: str | None = Field(None, exclude=True)

    @property
    def is_pending(self) -> bool:
        return self.status == "Pending"

    @property
    def is_complete(self) -> bool:
        return self.status == "Complete"

    @property
    def is_failed(self) -> bool:
        return self.status == "Failed"

    @property
    def rep_count(self) -> int:
        return len(self.reps)


class JointPosition(WireModel):
    """Normalised to the displayed frame: 0 ≤ x, y ≤ 1."""

    x: float | None = None
    y: float | None = None


class JointFrame(WireModel):
    frame_idx: int
    part: str | None = None
    position: JointPosition | None = None
    score: float | None = None
    #: Seconds into the video.
    timestamp: float | None = None


class J2P(WireModel):
    """``GET /videos/{id}/j2p``: per-joint position series plus the rep analysis."""

    status: str | None = None
    reason: str | None = None
    resolution_height: int | None = Field(None, alias="resolutionHeight")
    resolution_width: int | None = Field(None, alias="resolutionWidth")
    joint_to_points: dict[str, list[JointFrame]] = Field(default_factory=dict, alias="jointToPoints")
    analysis: Analysis | None = None


class Overlay(WireModel):
    status: str | None = None
    uri: str | None = None


class BoundingBox(WireModel):
    frame_idx: int | None = None
    timestamp: float | None = None
    x1: float | None = None
    y1: float | None = None
    x2: float | None = None
    y2: float | None = None
    score: float | None = None


class DetectedObject(WireModel):
    type: str | None = None
    bounding_boxes: list[BoundingBox] = Field(default_factory=list, alias="boundingBoxes")


class Video(WireModel):
    """``GET /videos/{id}``: upload ``status`` (Pending/Success/Failed), overlays, included blocks."""

    id: str | None = None
    status: str | None = None
    reason: str | None = None
    uri: str | None = None
    overlays: dict[str, Overlay] = Field(default_factory=dict)
    fps: float | None = None
    analysis: Analysis | None = None
    j2p: J2P | None = None
    objects: list[DetectedObject] | None = None


# --- Running Analysis API (seed 002) -----------------------------------------------------------


class RunningResults(WireModel):
    """``GET /analysis/{id}/results``: ``status`` pending → analyzing (``percentage``) → success.

    A ``failed`` analysis is answered 400 and raised as ``AnalysisFailed``, so a returned object is
    never ``failed``. The results come first: on ``success`` the annotated video may still be
    rendering (``media_status`` ``pending``, ``output_video`` / ``thumbnail`` None), then
    ``ready`` (signed URLs) or ``failed`` (``media_reason``).
    """

    id: str | None = Field(None, validation_alias=AliasChoices("id", "analysis_id"))
    status: str
    percentage: float | None = None
    biomechanical_analysis: dict[str, Any] | None = None
    media_status: str | None = None
    output_video: str | None = None
    thumbnail: str | None = None
    media_reason: str | None = None

    @property
    def is_done(self) -> bool:
        return self.status == "success"


class CalculatedData(WireModel):
    """``/results/calculated_data``. Side view: ``metrics``, ``overstride``, ``foot_landing``,
    ``joint_angles``, ``running_styles``, ``total_score``. Back view: ``gait_cycle``."""

    metrics: Any = None
    overstride: Any = None
    foot_landing: Any = None
    joint_angles: Any = None
    running_styles: Any = None
    total_score: float | None = None
    gait_cycle: Any = None


class RawData(WireModel):
    """``/results/raw_data``: video information and landmarks keyed by frame number."""

    video_input_information: dict[str, Any] | None = None
    frames: dict[str, Any] = Field(default_factory=dict)
