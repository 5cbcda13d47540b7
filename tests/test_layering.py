"""DESIGN.md's layering, checked on the source: imports point down only.

One table, one checker: each layer lists the repstride packages it may import and the
third-party packages it must not (or, for the SDK, the only ones it may).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "repstride"
FRAMEWORKS = {"sqlalchemy", "fastapi", "starlette", "boto3", "httpx", "celery", "alembic"}


@dataclass(frozen=True)
class Layer:
    path: str
    internal: tuple[str, ...]  # repstride packages it may import (besides itself)
    forbidden: frozenset[str] = frozenset()  # third-party top-level packages it must not import
    only_third_party: frozenset[str] | None = None  # if set: the only third-party it may import
    sealed: tuple[str, ...] = ()  # repstride packages it may use by their top-level names only


BASE = ("repstride.errors",)
LAYERS = {
    # a whitelist: numpy, scipy, the standard library, itself and repstride.errors
    "analysis": Layer("analysis", BASE, only_third_party=frozenset({"numpy", "scipy"})),
    "media": Layer("media", BASE, frozenset(FRAMEWORKS | {"mediapipe", "ai_edge_litert"})),
    "pose": Layer("pose", BASE + ("repstride.media", "repstride.analysis"), frozenset(FRAMEWORKS)),
    "vision": Layer("vision", BASE + ("repstride.media", "repstride.analysis"),
                    frozenset(FRAMEWORKS | {"mediapipe", "ai_edge_litert"})),
    "render": Layer("render", BASE + ("repstride.media", "repstride.analysis"),
                    frozenset(FRAMEWORKS | {"av", "mediapipe", "ai_edge_litert"})),
    "client": Layer("client", (), only_third_party=frozenset({"httpx", "pydantic", "anyio"})),
    # the wire format of both dialects: analysis results -> JSON, and the pydantic models
    "wire": Layer("wire", BASE + ("repstride.analysis",), frozenset(FRAMEWORKS)),
    # the HTTP edge reaches the database through the service layer only
    "api": Layer("api", ("repstride",), frozenset({"sqlalchemy", "alembic"})),
    # the CLI uses the SDK like any user: its public names (repstride.client), no private module
    "cli": Layer("cli", ("repstride",), sealed=("repstride.client",)),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(layer: Layer, names: set[str]) -> list[str]:
    own = f"repstride.{layer.path}"
    bad = []
    for name in names:
        top = name.split(".")[0]
        if top == "repstride":
            ok = name == "repstride" or any(name == p or name.startswith(p + ".")
                                            for p in (own, *layer.internal))
            ok = ok and not any(name.startswith(p + ".") for p in layer.sealed)
        elif layer.only_third_party is not None:
            ok = top in sys.stdlib_module_names or top in layer.only_third_party
        else:
            ok = top not in layer.forbidden
        if not ok:
            bad.append(name)
    return sorted(bad)


CASES = [(name, p) for name, layer in LAYERS.items()
         for p in sorted((SRC / layer.path).rglob("*.py"))]


@pytest.mark.parametrize("layer,path", CASES, ids=[f"{n}/{p.relative_to(SRC / n)}" for n, p in CASES])
def test_imports_point_down(layer: str, path: Path) -> None:
    assert _violations(LAYERS[layer], _imports(path)) == [], f"{path} breaks the layering"


@pytest.mark.parametrize("layer,source,expected", [
    ("analysis", "import numpy\nfrom av import open\n", ["av"]),
    ("analysis", "from repstride.pose import extract_pose\n", ["repstride.pose"]),
    ("render", "from repstride.service.videos.jobs import ARTIFACT_STEPS\n", ["repstride.service.videos.jobs"]),
    ("client", "from repstride.service import videos\nimport numpy\nimport json\n",
     ["numpy", "repstride.service"]),
    ("pose", "from repstride.media import probe\nimport mediapipe\n", []),
    ("analysis", "import numpy\nimport scipy.signal\nimport math\nimport pandas\n", ["pandas"]),
    ("api", "from sqlalchemy import text\nfrom repstride.service import Services\n",
     ["sqlalchemy"]),
    ("cli", "from repstride.client import Client\nfrom repstride.client._base import X\n",
     ["repstride.client._base"]),
])
def test_checker_sees_a_forbidden_import(tmp_path: Path, layer: str, source: str,
                                         expected: list[str]) -> None:
    f = tmp_path / "mod.py"
    f.write_text(source)
    assert _violations(LAYERS[layer], _imports(f)) == expected
