"""Overlay videos, thumbnails and the offline HTML report (drawing with OpenCV, encoding via media/).

The names below are loaded on first use (PEP 562): importing one submodule, e.g.
``repstride.render.exports`` for the ``--export`` choices of ``repstride pose``, does not pay for
the overlay renderer and, through the main-joint angles, the exercise engine (~0.9 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "main_joint": "angles", "main_joint_angle": "angles",
    "GaitEvent": "events", "events_from_strides": "events", "parse_events": "events",
    "OVERLAY_KINDS": "overlay", "render_overlay": "overlay", "render_overlays": "overlay",
    "render_running_video": "overlay",
    "report_html": "report", "write_report": "report",
    "pick_thumbnail_row": "thumbnail", "write_thumbnail": "thumbnail",
}

__all__ = list(_EXPORTS)

if TYPE_CHECKING:
    from repstride.render.angles import main_joint, main_joint_angle
    from repstride.render.events import GaitEvent, events_from_strides, parse_events
    from repstride.render.overlay import (
        OVERLAY_KINDS, render_overlay, render_overlays, render_running_video,
    )
    from repstride.render.report import report_html, write_report
    from repstride.render.thumbnail import pick_thumbnail_row, write_thumbnail


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
