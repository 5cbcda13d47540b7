"""Message catalogs: every text a person reads, in the nine languages of the Running Analysis API.

Texts are referred to by stable dotted keys (``running_api.error.file_too_large``,
``running.overstride.title``, ...). Catalogs are JSON files in ``catalogs/<lang>.json``, one per
language, each mapping every key to its text; ``{name}`` placeholders are filled by
:func:`translate`. A test checks that every language has every key with the same placeholders.

Analysis code (``analysis/``) never translates: it emits keys, and the API turns a wire body into
one language with :func:`translate_tree` at the edge.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

#: Languages of seed 002 (``language`` parameter), the default first.
LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "zh", "ko", "pt", "es", "it", "ja")

#: Language used when none is given, and the fallback for a key a catalog lacks.
DEFAULT_LANGUAGE = "en"


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The catalog of one language (read once from the package). Unknown language -> ``KeyError``."""
    if lang not in LANGUAGES:
        raise KeyError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    text = resources.files(__package__).joinpath("catalogs", f"{lang}.json").read_text("utf-8")
    return dict(json.loads(text))


def is_key(key: object) -> bool:
    """Whether ``key`` is a message key of the (English) reference catalog."""
    return isinstance(key, str) and key in catalog(DEFAULT_LANGUAGE)


def placeholders(text: str) -> frozenset[str]:
    """Names of the ``{name}`` placeholders in a catalog text."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


class _KeepMissing(dict):
    # A placeholder the caller did not supply stays visible rather than raising mid-response.
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def translate(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``params``.

    A key missing from ``lang`` falls back to English (the completeness test keeps that from
    happening in a release); a key unknown even in English is returned unchanged so that a new
    analysis text is never lost, only untranslated. ``lang`` must be one of :data:`LANGUAGES`.
    """
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return key
    return text.format_map(_KeepMissing(params))


def translate_tree(obj: Any, lang: str) -> Any:
    """A copy of a JSON-like tree with its message keys rendered in ``lang``.

    The analysis wire format names texts by key; this keeps every key (machine-readable, stable)
    and adds the text beside it:

    - ``"<name>_key": key``  ->  kept, plus ``"<name>": text`` (``"<name>_label"`` when the tree
      already has a ``"<name>"``, e.g. ``type: "rearfoot"`` beside ``type_key``);
    - ``"<name>": key``      ->  ``"<name>": text``, plus ``"<name>_key": key``;
    - a message object ``{"key": key, "params": {...}}`` -> its text; a key inside a list -> its text.

    Everything else (numbers, codes, enum values such as ``"rearfoot"``) is copied unchanged.
    """
    if isinstance(obj, str):
        return translate(obj, lang) if is_key(obj) else obj
    if isinstance(obj, Mapping):
        if set(obj) <= {"key", "params"} and is_key(obj.get("key")):
            params = obj.get("params") or {}
            return translate(obj["key"], lang, **{str(k): v for k, v in params.items()})
        out: dict[str, Any] = {}
        for name, value in obj.items():
            if isinstance(value, str) and is_key(value):
                text = translate(value, lang)
                if name.endswith("_key"):
                    out[name] = value
                    base = name[: -len("_key")] or "text"
                    # ``type_key`` beside an existing ``type`` (an enum value) -> ``type_label``.
                    out[base if base not in obj else f"{base}_label"] = text
                else:
                    out[name] = text
                    if f"{name}_key" not in obj:
                        out[f"{name}_key"] = value
            else:
                out[name] = translate_tree(value, lang)
        return out
    if isinstance(obj, (list, tuple)):
        return [translate_tree(v, lang) for v in obj]
    return obj


__all__ = [
    "LANGUAGES", "DEFAULT_LANGUAGE", "catalog", "is_key", "placeholders", "translate",
    "translate_tree",
]
