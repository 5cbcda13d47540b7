"""The parameters of ``POST /analysis/start`` (seed 002), parsed and checked once.

Form values arrive as strings; :func:`parse_running_params` turns them into a frozen
:class:`RunningParams` or raises an :class:`~repstride.errors.InvalidParameter` whose message is
in the requested language (English when the language itself is the bad value).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from repstride.analysis.running.side_view import parse_pace as parse_pace_text
from repstride.errors import InvalidInput, InvalidParameter, UnsupportedLanguage
from repstride.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

AnalysisType = Literal["side_view", "back_view"]
ANALYSIS_TYPES: tuple[str, ...] = ("side_view", "back_view")

#: Seed defaults.
DEFAULT_HEIGHT_CM = 170.0
DEFAULT_WEIGHT_KG = 70.0
#: A height below this is taken as metres (seed: "a value < 3 is taken as metres").
HEIGHT_METRES_BELOW = 3.0
#: Plausible human ranges; outside them the number is a typo, not a runner.
HEIGHT_RANGE_CM = (50.0, 250.0)
WEIGHT_RANGE_KG = (20.0, 250.0)
#: Slow-motion factors a phone records (repstride extension): 1 (real time) to 32 (960 fps
#: played at 30).
SLOW_MOTION_RANGE = (1.0, 32.0)
#: Paces a runner can hold on a treadmill: 2:00 to 20:00 per km.
PACE_RANGE_S_PER_KM = (120.0, 1200.0)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class RunningParams:
    """One analysis request. ``pace_s_per_km`` is None overground (speed then comes from video)."""

    analysis_type: AnalysisType
    height_cm: float = DEFAULT_HEIGHT_CM
    weight_kg: float = DEFAULT_WEIGHT_KG
    pace_s_per_km: float | None = None
    language: str = DEFAULT_LANGUAGE
    treadmill: bool = False
    full_body: bool = True
    #: How many times slower than real time the video plays (repstride extension, default 1).
    slow_motion_factor: float = 1.0
    #: The caller's subject (runner) the analysis is grouped under (checked at start).
    subject_id: str | None = None
    #: Webhook events are sent for this analysis (frozen at start).
    notify_via_webhook: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunningParams:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _error(key: str, lang: str, name: str, **params: Any) -> InvalidParameter:
    return InvalidParameter(translate(key, lang, **params), details={"field": name})


def parse_language(value: str | None) -> str:
    lang = (value or DEFAULT_LANGUAGE).strip().lower()
    if lang not in LANGUAGES:
        raise UnsupportedLanguage(
            translate("running_api.error.unsupported_language", DEFAULT_LANGUAGE,
                      languages=", ".join(LANGUAGES)),
            details={"field": "language", "accepted": list(LANGUAGES)},
        )
    return lang


def parse_pace(value: str, *, lang: str = DEFAULT_LANGUAGE) -> float:
    """``"MM:SS"`` (minutes per kilometre) -> seconds per kilometre."""
    try:
        seconds = parse_pace_text(value)
    except InvalidInput:
        raise _error("running_api.error.invalid_pace", lang, "pace") from None
    lo, hi = PACE_RANGE_S_PER_KM
    if not lo <= seconds <= hi:
        raise _error("running_api.error.invalid_pace", lang, "pace")
    return float(seconds)


def _number(value: str | None, default: float, *, field: str, key: str, lang: str,
            lo: float, hi: float, convert: Callable[[float], float] | None = None) -> float:
    """A form number within ``[lo, hi]`` (after ``convert``), the default when left out, else
    an :class:`InvalidParameter` with message ``key`` in ``lang``."""
    if value is None or not value.strip():
        return default
    try:
        x = float(value.strip().replace(",", "."))
    except ValueError:
        raise _error(key, lang, field, min=f"{lo:g}", max=f"{hi:g}") from None
    if convert is not None and math.isfinite(x):
        x = convert(x)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise _error(key, lang, field, min=f"{lo:g}", max=f"{hi:g}")
    return x


def _boolean(value: str | None, default: bool, *, field: str, lang: str) -> bool:
    if value is None or not value.strip():
        return default
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise _error("running_api.error.invalid_boolean", lang, field, field=field)


#: The form fields of ``POST /analysis/start`` besides the ``video`` file.
FORM_FIELDS = ("analysis_type", "height", "weight", "pace", "treadmill", "full_body",
               "slow_motion_factor", "language")


def with_query_fields(form: Mapping[str, str], query: Mapping[str, str]) -> dict[str, str]:
    """The form fields, completed by the same fields sent in the query string
    (``?analysis_type=back_view&height=190``); a field given in both places keeps its form
    value. Other query parameters (``apiKey``) are not form fields and are left out."""
    out = {k: str(query[k]) for k in FORM_FIELDS if k in query}
    out.update(form)
    return out


def parse_running_params(form: Mapping[str, str]) -> RunningParams:
    """Check the form fields of seed 002 (everything but the ``video`` file)."""
    lang = parse_language(form.get("language"))

    # The seed's table marks analysis_type required *and* gives it the default side_view: a
    # client that leaves the field out gets side_view; a value that is there must be valid.
    raw_type = form.get("analysis_type")
    analysis_type = "side_view" if raw_type is None else raw_type.strip().lower()
    if analysis_type not in ANALYSIS_TYPES:
        raise InvalidParameter(translate("running_api.error.invalid_analysis_type", lang),
                               details={"field": "analysis_type", "accepted": list(ANALYSIS_TYPES)})

    height = _number(form.get("height"), DEFAULT_HEIGHT_CM, field="height",
                     key="running_api.error.invalid_height", lang=lang, lo=HEIGHT_RANGE_CM[0],
                     hi=HEIGHT_RANGE_CM[1],
                     convert=lambda x: x * 100.0 if 0 < x < HEIGHT_METRES_BELOW else x)
    weight = _number(form.get("weight"), DEFAULT_WEIGHT_KG, field="weight",
                     key="running_api.error.invalid_weight", lang=lang, lo=WEIGHT_RANGE_KG[0],
                     hi=WEIGHT_RANGE_KG[1])
    slow = _number(form.get("slow_motion_factor"), 1.0, field="slow_motion_factor",
                   key="running_api.error.invalid_slow_motion_factor", lang=lang,
                   lo=SLOW_MOTION_RANGE[0], hi=SLOW_MOTION_RANGE[1])

    treadmill = _boolean(form.get("treadmill"), False, field="treadmill", lang=lang)
    full_body = _boolean(form.get("full_body"), True, field="full_body", lang=lang)
    notify = _boolean(form.get("notify_via_webhook"), False, field="notify_via_webhook", lang=lang)
    subject_id = (form.get("subject_id") or "").strip() or None

    raw_pace = (form.get("pace") or "").strip()
    if treadmill and not raw_pace:
        raise _error("running_api.error.pace_required", lang, "pace")
    # Overground the seed says the pace is "auto-calculated"; a pace sent anyway is still checked
    # (a typo should not pass silently) but only used on a treadmill.
    pace = parse_pace(raw_pace, lang=lang) if raw_pace else None

    return RunningParams(
        analysis_type=analysis_type,  # type: ignore[arg-type]
        height_cm=round(height, 2), weight_kg=round(weight, 2),
        pace_s_per_km=pace if treadmill else None, language=lang,
        treadmill=treadmill, full_body=full_body, slow_motion_factor=slow,
        subject_id=subject_id, notify_via_webhook=notify,
    )
