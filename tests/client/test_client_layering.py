"""DESIGN.md: the SDK talks HTTP only — it imports no server, pipeline or model code."""

import ast
import sys
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "src" / "repstride" / "client"
ALLOWED_THIRD_PARTY = {"httpx", "pydantic", "anyio"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CLIENT.rglob("*.py")), ids=lambda p: p.name)
def test_client_imports_only_http_and_itself(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "repstride":
            assert name == "repstride" or name.startswith("repstride.client"), f"{path} imports {name}"
        elif top not in sys.stdlib_module_names:
            assert top in ALLOWED_THIRD_PARTY, f"{path} imports {name}"


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from repstride.service import videos\nimport numpy\n")
    assert {"repstride.service", "numpy"} <= _imports(bad)
