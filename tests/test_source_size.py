"""Big files split along their lines: no module under ``src/`` over ~400 lines unless its
docstring says why (the sentence names the size: "... 400 lines ...")."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "repstride"
LIMIT = 400


def oversized(root: Path, limit: int = LIMIT) -> list[str]:
    """Modules longer than ``limit`` lines whose docstring does not mention the limit."""
    out = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") <= limit:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if f"{limit} lines" not in " ".join(doc.split()):
            out.append(f"{path.relative_to(root)}: {text.count(chr(10))} lines")
    return out


def test_no_module_over_the_limit_without_a_reason() -> None:
    assert oversized(SRC) == []


def test_the_size_check_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text('"""A module."""\n' + "x = 1\n" * 500)
    (tmp_path / "reasoned.py").write_text('"""Over 400\n   lines on purpose."""\n' + "x = 1\n" * 500)
    (tmp_path / "short.py").write_text("x = 1\n" * 10)
    assert oversized(tmp_path) == ["long.py: 501 lines"]
