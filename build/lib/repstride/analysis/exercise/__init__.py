"""Exercise analysis for the 16 non-sprint activities: one engine, declarative specs.

``analyze_exercise(track, *, activity=None, rep_count=None) -> ActivityResult`` is called by
:func:`repstride.analysis.dispatch.analyze_activity`.
"""

from repstride.analysis.exercise.engine import analyze_exercise
from repstride.analysis.exercise.specs import SPECS, ActivitySpec, AnalysisSpec

__all__ = ["analyze_exercise", "SPECS", "ActivitySpec", "AnalysisSpec"]
