"""Every message key the running analysis can emit is declared in MESSAGE_KEYS."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from repstride.analysis.running import back_view, side_metrics, side_view
from repstride.analysis.running.messages import MESSAGE_KEYS

RUNNING = Path(side_view.__file__).parent
KEY_RE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_every_literal_key_used_in_the_modules_is_declared() -> None:
    prefixes = tuple({k.split(".")[0] + "." for k in MESSAGE_KEYS})
    used = set()
    for mod in (side_view, side_metrics, back_view):
        used |= {s for s in _string_constants(Path(mod.__file__))
                 if KEY_RE.match(s) and s.startswith(prefixes)}
    assert used, "the scan found no keys: the check itself is broken"
    assert sorted(used - set(MESSAGE_KEYS)) == []


def test_generated_keys_are_declared() -> None:
    for strike in ("rearfoot", "midfoot", "forefoot"):
        assert f"foot_landing.{strike}" in MESSAGE_KEYS
    for style in ("stick", "bounce", "push", "sit"):
        assert f"style.{style}.title" in MESSAGE_KEYS
        assert f"style.{style}.description" in MESSAGE_KEYS
    for joint in side_view.JOINTS:
        assert f"joint.{joint}" in MESSAGE_KEYS
    for m in back_view.MEASURES_FULL:
        assert f"back.{m}" in MESSAGE_KEYS


def test_english_defaults_are_sentences_or_titles() -> None:
    for key, text in MESSAGE_KEYS.items():
        assert KEY_RE.match(key), key
        assert text and text == text.strip() and text[0].isupper(), key
