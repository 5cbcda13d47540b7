"""The Running Analysis API's response bodies as pydantic models (Ochy's field names),
declared on the routes in ``api/running`` for the OpenAPI document.

The calculated data is the translated form of :mod:`repstride.wire.running`'s JSON: every
message key (``title_key``, ``advice``, ...) keeps its key and gets its text beside it, so the
models name the keys and leave room for the texts (additional properties are allowed).
Fields that a body may leave out are optional; ``X | None`` without a default may be null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from repstride.wire.gait import GaitEventsOut

RunningStatus = Literal["pending", "analyzing", "success", "failed"]
AnalysisType = Literal["side_view", "back_view"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StartedOut(_Open):
    """``POST /analysis/start`` (202): Ochy's ``message`` + ``video_id``; repstride's ids."""

    message: str
    video_id: str
    analysis_id: str
    id: str
    status: RunningStatus


# --- calculated data ---------------------------------------------------------------------------


class MetricOut(_Open):
    value: float | None
    unit: str
    title_key: str
    reason: str | None = None
    low_resolution: bool | None = None


class OverstrideOut(_Open):
    angle: float | None
    unit: str
    score: float | None
    title_key: str
    advice: str | None
    per_step: list[float | None]


class FootLandingStepOut(_Open):
    step: int
    side: str
    timestamp_ms: int
    type: Literal["rearfoot", "midfoot", "forefoot"] | None
    type_key: str | None
    foot_angle: float | None
    confidence: float | None


class FootLandingOut(_Open):
    steps: list[FootLandingStepOut]
    counts: dict[str, int]
    dominant: str | None


class JointAnglesOut(_Open):
    touch_down: float | None
    mid_stance: float | None
    toe_off: float | None
    range: float | None
    unit: str
    title_key: str


class RunningStyleOut(_Open):
    style: str
    confidence: float
    title_key: str
    description_key: str


class LegMeasureOut(_Open):
    value: float | None
    unit: str
    title_key: str
    advice: str | None
    reason: str | None = None


class LegSummaryOut(_Open):
    """Stance means of one leg; one :class:`LegMeasureOut` per measure (``pronation``, and
    with ``full_body`` ``hip_adduction``, ``knee_adduction``, ``pelvic_drop``)."""

    n_steps: int
    title_key: str
    pronation: LegMeasureOut | None = None
    hip_adduction: LegMeasureOut | None = None
    knee_adduction: LegMeasureOut | None = None
    pelvic_drop: LegMeasureOut | None = None


class BackStepOut(_Open):
    step: int
    side: str
    touch_down_ms: int
    toe_off_ms: int
    contact_ms: float | None
    peaks: dict[str, float | None]
    confidence: float
    pronation: float | None = None
    hip_adduction: float | None = None
    knee_adduction: float | None = None
    pelvic_drop: float | None = None


class GaitCycleOut(_Open):
    title_key: str
    full_body: bool
    stance_means: dict[str, LegSummaryOut]
    steps: list[BackStepOut]


class CalculatedDataOut(_Open):
    """``GET /analysis/{id}/results/calculated_data``: the side view's ``metrics``,
    ``overstride``, ``foot_landing``, ``joint_angles``, ``running_styles`` and ``total_score``,
    or the back view's ``gait_cycle``; both with their ``gait_events``."""

    analysis_id: str
    id: str
    status: RunningStatus
    analysis_type: AnalysisType
    language: str
    total_score: float | None = None
    total_score_key: str | None = None
    metrics: dict[str, MetricOut] | None = None
    overstride: OverstrideOut | None = None
    foot_landing: FootLandingOut | None = None
    joint_angles: dict[str, JointAnglesOut] | None = None
    running_styles: list[RunningStyleOut] | None = None
    gait_cycle: GaitCycleOut | None = None
    gait_events: GaitEventsOut
    flags: list[str]
    info: dict[str, Any]
    titles: dict[str, Any]


# --- raw data ----------------------------------------------------------------------------------


class ResolutionOut(_Open):
    width: int | None
    height: int | None


class VideoInputInformationOut(_Open):
    resolution: ResolutionOut
    fps: float | None
    duration: float | None
    frames: int | None
    format: str | None


class LandmarkOut(_Open):
    name: str
    x: float
    y: float
    z: float | None
    visibility: float


class RawFrameOut(_Open):
    timestamp: float
    detected: bool
    landmarks: list[LandmarkOut]


class RawDataOut(_Open):
    """``GET /analysis/{id}/results/raw_data``: every landmark of every frame, keyed by frame."""

    analysis_id: str
    id: str
    status: RunningStatus
    video_input_information: VideoInputInformationOut
    landmark_names: list[str]
    frames: dict[str, RawFrameOut]


# --- results -----------------------------------------------------------------------------------


class ContentTextsOut(_Open):
    """A block's texts in the request's language (``exercice``: Ochy's spelling)."""

    title: str
    position: str | None = None
    recap: list[str]
    exercice: list[str]
    exercice_keys: list[str]


class ContentBlockOut(_Open):
    """One ``analysis_content`` block (back-view blocks come as ``{"left": ..., "right": ...}``).
    ``score_number`` is null, with ``reason``, when the metric was not measured."""

    score_number: float | None
    range_good: list[float | None]
    range_okay: list[float | None]
    range_bad: list[float | None] | None = None
    value: float | None
    unit: str
    metric: str
    verdict: str | None
    reason: str | None = None
    reason_key: str | None = None
    texts: ContentTextsOut


class BiomechanicalOut(_Open):
    """The translated analysis; ``analysis_content`` maps block names to a block (side view) or
    to ``{"left": block, "right": block}`` (back view)."""

    analysis_content: dict[str, ContentBlockOut | dict[str, ContentBlockOut]]


class ParametersOut(_Open):
    analysis_type: AnalysisType
    height: float | None
    weight: float | None
    pace: str | None
    language: str
    treadmill: bool
    full_body: bool


class ResultsOut(_Open):
    """``GET /analysis/{id}/results``: the status (``code``, ``reason`` when ``failed``), and on
    ``success`` the signed media URLs and the translated ``biomechanical_analysis``."""

    analysis_id: str
    id: str
    status: RunningStatus
    analysis_type: AnalysisType
    language: str
    percentage: int
    message: str
    code: str | None = None
    reason: str | None = None
    reason_detail: str | None = None
    credit_refunded: bool | None = None
    thumbnail: str | None = None
    output_video: str | None = None
    urls_expire_at: int | None = None
    parameters: ParametersOut | None = None
    video_input_information: VideoInputInformationOut | None = None
    biomechanical_analysis: BiomechanicalOut | None = None
    media_reason: str | None = None


__all__ = [
    "BackStepOut", "BiomechanicalOut", "CalculatedDataOut", "ContentBlockOut", "ContentTextsOut",
    "FootLandingOut", "GaitCycleOut", "JointAnglesOut", "LegSummaryOut", "MetricOut",
    "OverstrideOut", "ParametersOut", "RawDataOut", "RawFrameOut", "ResultsOut",
    "RunningStyleOut", "StartedOut", "VideoInputInformationOut",
]
