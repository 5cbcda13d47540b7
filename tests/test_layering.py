"""DESIGN.md: ``analysis/`` is pure numpy and never imports I/O or framework packages."""

import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[1] / "src" / "repstride" / "analysis"
FORBIDDEN = {"av", "mediapipe", "sqlalchemy", "fastapi", "boto3", "httpx", "cv2", "celery",
             "pydantic", "starlette", "click"}
FORBIDDEN_INTERNAL = ("repstride.media", "repstride.pose", "repstride.render", "repstride.service",
                      "repstride.api", "repstride.client", "repstride.cli", "repstride.pipeline")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(ANALYSIS.rglob("*.py")), ids=lambda p: p.name)
def test_analysis_imports_only_numpy_and_scipy(path: Path) -> None:
    for name in _imports(path):
        assert name.split(".")[0] not in FORBIDDEN, f"{path} imports {name}"
        assert not name.startswith(FORBIDDEN_INTERNAL), f"{path} imports {name}"


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom av import open\n")
    assert "av" in _imports(bad)
