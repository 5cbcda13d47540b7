"""No import cycle in ``src/repstride``: every import counts, including the ones inside functions
(lazy) and under ``if TYPE_CHECKING:``, so a cycle cannot hide behind either.

The graph is built from the source with ``ast``. Nodes are modules (a package is its
``__init__``). ``import a.b`` is an edge to ``a.b``; ``from a.b import c`` is an edge to the
submodule ``a.b.c`` when ``c`` is one, and to ``a.b`` itself for any other name -- so a name a
package ``__init__`` re-exports is an edge to the ``__init__`` and, through it, to the module
defining it. The parent packages of an imported module are not edges (Python runs them first,
but importing ``a.b`` does not depend on what ``a/__init__`` re-exports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "repstride"


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str | None, level: int, importer: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_graph(src: Path = SRC, root: str = ROOT) -> dict[str, set[str]]:
    """``{module: {modules of ``root`` it imports}}`` for every module under ``src/root``."""
    files = {_module_name(p, src): p for p in sorted((src / root).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node.module, node.level, name, is_package)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                           for a in node.names]
            for t in targets:
                # ``import a.b.c`` of a name that is not a module: its nearest module
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != name and (t == root or t.startswith(root + ".")):
                    edges.add(t)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), each as one
    cycle through it, shortest-first from its smallest module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[set[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, comp) for comp in comps]


def _cycle_in(graph: dict[str, set[str]], comp: set[str]) -> list[str]:
    """A shortest cycle through the smallest module of ``comp`` (breadth-first)."""
    start = min(comp)
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & comp):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [*reversed(path), start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError("a strongly connected component without a cycle")


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100  # the walk found the package
    cycles = find_cycles(graph)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / "pkg" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


@pytest.mark.parametrize("files,expected", [
    # a lazy import inside a function closes the cycle
    ({"__init__.py": "", "a.py": "import pkg.b\n",
      "b.py": "def f():\n    from pkg import a\n"}, [["pkg.a", "pkg.b", "pkg.a"]]),
    # an `if TYPE_CHECKING:` import closes it too (relative import resolved)
    ({"__init__.py": "", "a.py": "from .b import x\n",
      "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n"},
     [["pkg.a", "pkg.b", "pkg.a"]]),
    # a package __init__ re-exporting its submodule passes the edge on
    ({"__init__.py": "", "s/__init__.py": "from pkg.s.c import C\n", "s/c.py": "import pkg.d\n",
      "d.py": "from pkg.s import C\n"}, [["pkg.d", "pkg.s", "pkg.s.c", "pkg.d"]]),
    # a submodule imported through its package is no edge to the package's __init__
    ({"__init__.py": "from pkg.a import x\n", "a.py": "from pkg import b\nx = 1\n",
      "b.py": "import json\n"}, []),
    # ... but a name the __init__ defines is
    ({"__init__.py": "def main():\n    from pkg import a\n", "a.py": "from pkg import main\n"},
     [["pkg", "pkg.a", "pkg"]]),
])
def test_the_checker_sees_cycles(tmp_path: Path, files: dict[str, str],
                                 expected: list[list[str]]) -> None:
    graph = import_graph(_write(tmp_path, files), "pkg")
    assert find_cycles(graph) == expected
