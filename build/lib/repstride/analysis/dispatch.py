"""One entry point for every Video API activity: ``analyze_activity(track, ...)``."""

from __future__ import annotations

from repstride.analysis.activities import DOMAINS, resolve_activity
from repstride.analysis.running.field_markers import FieldMarkers
from repstride.analysis.results import ActivityResult
from repstride.analysis.track import PoseTrack


def analyze_activity(
    track: PoseTrack,
    *,
    domain: str | None = None,
    activity: str | None = None,
    rep_count: int | None = None,
    markers: FieldMarkers | None = None,
) -> ActivityResult:
    """Analyse ``track`` as ``activity`` (recognised from the motion when ``None``).

    Returns an :class:`ActivityResult` with ``status="Failed"`` and a ``reason`` when the pose is
    not good enough; raises :class:`~repstride.errors.UnknownActivity` for bad names.
    ``markers`` are field markers already found in the video (sprints only; see
    :func:`repstride.vision.field_markers.detect_field_markers_in_video`).
    """
    domain, activity = resolve_activity(domain, activity)
    if activity is None and domain is not None and len(DOMAINS[domain]) == 1:
        activity = DOMAINS[domain][0]  # running -> sprint, mobility -> knee_to_chest, ...
    if activity == "sprint":
        from repstride.analysis.running.sprint import analyze_sprint

        return analyze_sprint(track, markers=markers)
    from repstride.analysis.exercise import analyze_exercise

    return analyze_exercise(track, activity=activity, rep_count=rep_count, domain=domain)
