"""DESIGN.md: ``render/`` may import media, analysis and numpy (and cv2), never pose/service/api."""

import ast
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[2] / "src" / "repstride" / "render"
FORBIDDEN_INTERNAL = ("repstride.pose", "repstride.service", "repstride.api", "repstride.client",
                      "repstride.cli", "repstride.pipeline")
FORBIDDEN = {"av", "mediapipe", "sqlalchemy", "fastapi", "boto3", "httpx", "celery"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(RENDER.rglob("*.py")), ids=lambda p: p.name)
def test_render_imports_only_lower_layers(path: Path) -> None:
    for name in _imports(path):
        assert name.split(".")[0] not in FORBIDDEN, f"{path} imports {name}"
        assert not name.startswith(FORBIDDEN_INTERNAL), f"{path} imports {name}"


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from repstride.service.worker import ARTIFACT_STEPS\nimport av\n")
    assert {"repstride.service.worker", "av"} <= _imports(bad)
