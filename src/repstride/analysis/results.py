"""Frozen result types of the analysis layer. ``api/`` turns them into the seeds' wire JSON."""

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

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {"analysisType": self.type, "analysisScalar": self.scalar}
        if self.opinion is not None:
            d["analysisOpinion"] = self.opinion
        if self.reason is not None:
            d["reason"] = self.reason
        return d


@dataclass(frozen=True)
class Rep:
    """One repetition (or, for sprints, one stride), times in ms from the start of the video."""

    start_ms: int
    mid_ms: int
    end_ms: int
    analyses: tuple[RepAnalysis, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "startTimestampMs": self.start_ms,
            "midTimestampMs": self.mid_ms,
            "endTimestampMs": self.end_ms,
            "analyses": [a.to_wire() for a in self.analyses],
        }


@dataclass(frozen=True)
class ActivityResult:
    """The outcome of analysing one PoseTrack for one activity.

    ``status`` is ``"Complete"`` or ``"Failed"`` (then ``reason`` is set, e.g.
    ``LOW_QUALITY_POSE_ESTIMATE``). ``extra`` holds activity-specific top-level wire fields
    (sprints: ``runnerProgress``, ``fieldMarkers``) already in wire form. ``info`` holds
    repstride extensions (recognition confidence, quality flags, warnings).
    """

    status: Literal["Complete", "Failed"]
    domain: str | None
    activity: str | None
    reps: tuple[Rep, ...] = ()
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status}
        if self.reason is not None:
            d["reason"] = self.reason
        d["domain"] = self.domain
        d["activity"] = self.activity
        d["reps"] = [r.to_wire() for r in self.reps]
        d.update(self.extra)
        if self.info:
            d["repstride"] = self.info
        return d
