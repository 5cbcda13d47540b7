"""docs/sdk.md's quick start, extracted and run verbatim against a live ``repstride serve``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from client_fakes import LiveServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"


def quickstart() -> str:
    text = DOC.read_text()
    m = re.search(r"<!-- quickstart -->\s*```python\n(.*?)```\s*<!-- /quickstart -->", text, re.S)
    assert m, "docs/sdk.md has no <!-- quickstart --> python block"
    return m.group(1)


def test_quickstart_is_five_lines_and_names_its_inputs() -> None:
    code = quickstart()
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) == 5, code
    compile(code, "quickstart", "exec")
    assert '"workout.mp4"' in code


@pytest.mark.slow
def test_quickstart_runs_against_a_live_server(live_server: LiveServer, demo_video: Path,
                                               tmp_path: Path) -> None:
    (tmp_path / "workout.mp4").symlink_to(demo_video)
    (tmp_path / "quickstart.py").write_text(quickstart())
    env = live_server.env(REPSTRIDE_TOKEN_CACHE=str(tmp_path / "tokens.json"),
                          REPSTRIDE_CONFIG=str(tmp_path / "no-config.toml"))
    proc = subprocess.run([sys.executable, "quickstart.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()
    assert rows, "the quick start printed no reps"
    for row in rows:  # "<start ms> {<analysisType>: <scalar>, ...}"
        start, _, analyses = row.partition(" ")
        float(start)
        assert analyses.startswith("{") and analyses.endswith("}")


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_every_python_block_compiles() -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 4
    for i, block in enumerate(blocks):
        compile(block, f"docs/sdk.md block {i}", "exec")


def test_mock_transport_example_runs() -> None:
    [block] = [b for b in _python_blocks() if "def handler" in b]
    namespace: dict[str, object] = {}
    exec(block, namespace)  # noqa: S102 - our own documentation
    client = namespace["client"]
    assert client.get_analysis("any").is_complete  # type: ignore[attr-defined]
    client.close()  # type: ignore[attr-defined]
