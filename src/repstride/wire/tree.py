"""``to_json``: one analysis value -> its JSON tree (dicts, lists, str, numbers, bool, None).

A :func:`functools.singledispatch` function: each wire module registers the converter of the
analysis dataclasses whose JSON it names; dicts, lists and tuples are walked, so a result's
``info`` may hold dataclasses (a ``ViewCheck``, gait events) beside plain values. A dataclass
nobody registered is a programming error, not something to guess at.
"""

from __future__ import annotations

import dataclasses
import math
from functools import singledispatch
from typing import Any


@singledispatch
def to_json(obj: Any) -> Any:
    """The JSON form of ``obj`` (plain values are returned as they are)."""
    if dataclasses.is_dataclass(obj):
        raise TypeError(f"no wire form is registered for {type(obj).__qualname__}")
    return obj


@to_json.register(dict)
def _dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    return {k: to_json(v) for k, v in obj.items()}


@to_json.register(list)
@to_json.register(tuple)
def _seq(obj: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [to_json(v) for v in obj]


def rounded(v: float | None, nd: int) -> float | None:
    """``v`` rounded to ``nd`` decimals; None for None, NaN and infinities."""
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


__all__ = ["rounded", "to_json"]
