"""The one place the golden test turns analysis results into wire JSON (so only this file
follows the converters when they move)."""

from __future__ import annotations

from typing import Any


def activity(result: Any) -> dict[str, Any]:
    return result.to_wire()


def block(start: Any, slow_motion_factor: float) -> dict[str, Any]:
    return start.to_wire(slow_motion_factor)


def running(result: Any) -> dict[str, Any]:
    return result.to_wire()
