"""Gait events: touch-down (TD) and toe-off (TO) of each foot from 2-D pose.

:func:`detect_gait_events` (``events.py``, where the method is described) is the entry point;
the package is split along its stages:

- ``labels.py``: blanking unseen joints, undoing left/right leg swaps, alternating feet;
- ``feet.py``: per-foot height above ground, pelvis-relative velocity, stride period;
- ``contacts.py``: the contacts of one foot and their sub-frame TD / TO instants;
- ``model.py``: :class:`GaitEvent`, :class:`Contact`, :class:`GaitEvents`;
- ``params.py``: thresholds and flags.
"""

from repstride.analysis.running.gait.events import detect_gait_events
from repstride.analysis.running.gait.model import (
    Contact, EventKind, GaitEvent, GaitEvents, Side, View,
)
from repstride.analysis.running.gait.params import (
    FLAG_FEW_CONTACTS, FLAG_LOW_RESOLUTION, FLAG_NO_FLIGHT, FLAG_ONE_FOOT,
    FLAG_SLOW_MOTION_SUSPECTED, MIN_CONTACT_FPS, REASON_SLOW_MOTION,
)

__all__ = [
    "detect_gait_events", "Contact", "EventKind", "GaitEvent", "GaitEvents", "Side", "View",
    "FLAG_FEW_CONTACTS", "FLAG_LOW_RESOLUTION", "FLAG_NO_FLIGHT", "FLAG_ONE_FOOT",
    "FLAG_SLOW_MOTION_SUSPECTED", "MIN_CONTACT_FPS", "REASON_SLOW_MOTION",
]
