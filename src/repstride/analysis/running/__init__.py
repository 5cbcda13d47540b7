"""Running analysis (pure numpy): gait events, sprint strides, side-view and back-view metrics.

Public entry points
-------------------
- :func:`detect_gait_events` (``gait.py``): touch-down / toe-off per foot with confidences.
- :func:`analyze_sprint` (``sprint.py``): the Video API's ``sprint`` activity (strides as reps,
  ``runnerProgress``, ``fieldMarkers``).
- :func:`analyze_side_view` (``side_view.py``) and :func:`analyze_back_view` (``back_view.py``):
  the Running Analysis API's calculated data (``repstride.wire`` gives the JSON bodies).
- :data:`MESSAGE_KEYS` (``messages.py``): every human-readable text key used, with English text.
"""

from repstride.analysis.running.back_view import BackViewResult, analyze_back_view
from repstride.analysis.running.field_markers import FieldMarker, FieldMarkers
from repstride.analysis.running.gait import (
    MIN_CONTACT_FPS, Contact, GaitEvent, GaitEvents, detect_gait_events,
)
from repstride.analysis.running.messages import MESSAGE_KEYS
from repstride.analysis.running.side_view import SideViewResult, analyze_side_view, parse_pace
from repstride.analysis.running.sprint import analyze_sprint

__all__ = [
    "MIN_CONTACT_FPS", "Contact", "GaitEvent", "GaitEvents", "detect_gait_events", "MESSAGE_KEYS",
    "BackViewResult", "analyze_back_view", "SideViewResult", "analyze_side_view", "parse_pace",
    "FieldMarker", "FieldMarkers", "analyze_sprint",
]
