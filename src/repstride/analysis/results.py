"""Frozen result types of the analysis layer. ``repstride.wire`` turns them into the seeds' JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Opinion = Literal["good", "bad"]


@dataclass(frozen=True)
class RepAnalysis:
    """One insight on one rep: ``{analysisType, analysisScalar, analysisOpinion?}`` on the wire.

    ``scalar`` is ``None`` when the video cannot support the number (the wire value is null);
    ``reason`` then says why (``not_observable_from_view``, ``landmarks_not_seen``,
    ``not_measurable``; a repstride extension on the wire).
    """

    type: str
    scalar: float | None
    opinion: Opinion | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Rep:
    """One repetition (or, for sprints, one stride), times in ms from the start of the video."""

    start_ms: int
    mid_ms: int
    end_ms: int
    analyses: tuple[RepAnalysis, ...] = ()


@dataclass(frozen=True)
class ActivityResult:
    """The outcome of analysing one PoseTrack for one activity.

    ``status`` is ``"Complete"`` or ``"Failed"`` (then ``reason`` is set, e.g.
    ``LOW_QUALITY_POSE_ESTIMATE``). ``extra`` holds activity-specific top-level fields by their
    wire names (sprints: ``runnerProgress``, a tuple of ``sprint.ProgressPoint``, and
    ``fieldMarkers``, a :class:`~repstride.analysis.running.field_markers.FieldMarkers`).
    ``info`` holds repstride extensions (recognition confidence, quality flags, warnings): plain
    values or frozen dataclasses, made JSON by ``repstride.wire``.
    """

    status: Literal["Complete", "Failed"]
    domain: str | None
    activity: str | None
    reps: tuple[Rep, ...] = ()
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
