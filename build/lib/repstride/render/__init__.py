"""Overlay videos, thumbnails and the offline HTML report (drawing with OpenCV, encoding via media/)."""

from repstride.render.angles import main_joint, main_joint_angle
from repstride.render.events import GaitEvent, events_from_strides, parse_events
from repstride.render.overlay import (
    OVERLAY_KINDS,
    render_overlay,
    render_overlays,
    render_running_video,
)
from repstride.render.report import report_html, write_report
from repstride.render.thumbnail import pick_thumbnail_row, write_thumbnail

__all__ = [
    "OVERLAY_KINDS", "GaitEvent", "events_from_strides", "main_joint", "main_joint_angle",
    "parse_events", "pick_thumbnail_row", "render_overlay", "render_overlays",
    "render_running_video", "report_html", "write_report", "write_thumbnail",
]
