"""The one place the golden test turns analysis results into wire JSON (so only this file
follows the converters when they move)."""

from __future__ import annotations

from typing import Any

from repstride.wire import analysis_json, block_clearance_json, running_json


def activity(result: Any) -> dict[str, Any]:
    return analysis_json(result)


def block(start: Any, slow_motion_factor: float) -> dict[str, Any]:
    from dataclasses import replace

    return block_clearance_json(replace(start, slow_motion_factor=slow_motion_factor))


def running(result: Any) -> dict[str, Any]:
    return running_json(result)
