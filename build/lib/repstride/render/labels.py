"""Human labels for analysis types and running metrics (ASCII only: the video font has no deg sign)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from repstride.analysis.results import RepAnalysis
from repstride.render import style
from repstride.render.style import Color

#: analysis-type suffix -> (suffix to strip from the label, unit shown after the number)
_UNITS: tuple[tuple[str, str, str], ...] = (
    ("_DEGREES", "_DEGREES", " deg"), ("_ANGLE", "", " deg"), ("_MS", "_MS", " ms"),
    ("_CM", "_CM", " cm"), ("_METERS", "_METERS", " m"), ("_M", "_M", " m"),
    ("_PERCENT", "_PERCENT", "%"), ("_SECONDS", "_SECONDS", " s"), ("_RATIO", "", ""),
)
#: analysis types not worth a line on the video (timestamps are already shown by the playhead).
HIDDEN_TYPES = ("_TIMESTAMP",)


def _ascii(s: str) -> str:
    return s.encode("ascii", "replace").decode("ascii")


def pretty_name(name: str) -> str:
    """``HIP_KNEE_ANGLE_DEGREES`` -> ``Hip knee angle``; ``cadence_spm`` -> ``Cadence spm``."""
    words = name.replace("-", "_").split("_")
    s = " ".join(w for w in words if w).lower()
    return _ascii(s[:1].upper() + s[1:])


def format_number(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def type_label(analysis_type: str) -> str:
    """``HIP_KNEE_ANGLE_DEGREES`` -> ``Hip knee angle (deg)`` (column headings)."""
    for suffix, strip, unit in _UNITS:
        if analysis_type.endswith(suffix):
            name = analysis_type[: -len(strip)] if strip else analysis_type
            return pretty_name(name) + (f" ({unit.strip()})" if unit.strip() else "")
    return pretty_name(analysis_type)


def analysis_line(a: RepAnalysis) -> tuple[str, Color] | None:
    """One rep analysis as ``("Hip knee angle 92.1 deg", colour)``; ``None`` for hidden types."""
    if any(a.type.endswith(h) for h in HIDDEN_TYPES):
        return None
    if a.type == "IS_LEFT_LEG":
        leg = "n/a" if a.scalar is None else ("left" if a.scalar >= 0.5 else "right")
        return f"Swing leg {leg}", style.NEUTRAL
    label, unit = a.type, ""
    for suffix, strip, u in _UNITS:
        if a.type.endswith(suffix):
            label, unit = (a.type[: -len(strip)] if strip else a.type), u
            break
    value = "n/a" if a.scalar is None else format_number(float(a.scalar)) + unit
    color = {"good": style.GOOD, "bad": style.BAD}.get(a.opinion or "", style.NEUTRAL)
    return f"{pretty_name(label)} {value}", color


def metric_lines(metrics: Mapping[str, Any] | None, *, limit: int = 10) -> list[str]:
    """A plain metrics dict as display lines. Values may be numbers, strings, ``None`` or
    ``{"value": ..., "unit": ...}``; nested dicts without ``value`` are skipped."""
    out: list[str] = []
    for key, v in (metrics or {}).items():
        unit = ""
        if isinstance(v, Mapping):
            if "value" not in v:
                continue
            unit = f" {v.get('unit')}" if v.get("unit") else ""
            v = v["value"]
        if v is None:
            shown = "n/a"
        elif isinstance(v, bool):
            shown = "yes" if v else "no"
        elif isinstance(v, (int, float)):
            shown = format_number(float(v)) + unit
        else:
            shown = _ascii(str(v)) + unit
        out.append(f"{pretty_name(str(key))}: {shown}")
        if len(out) >= limit:
            break
    return out
