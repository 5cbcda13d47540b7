"""``repstride gc [--dry-run]``: the listing (key, size, reason, total), a dry run deleting
nothing, and two ``gc`` processes at once freeing each blob exactly once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from svc_helpers import FastPipeline, make_video
from test_retention import DAY_S, Clock, build_world, rkeys, vkeys

from repstride.cli import _register, cli
from repstride.service import Settings, build_services

SRC = Path(__file__).resolve().parents[2] / "src"
LINE = re.compile(r"^(\S+)\t(\d+)\t(.+)$")


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c.mp4", 20)


@pytest.fixture
def deployment(tmp_path: Path, clip: Path):  # noqa: ANN201
    """A data directory whose ``old`` items were uploaded 40 days ago (``new``: 20 days ago),
    and the environment of a ``repstride`` process using it."""
    env = {"REPSTRIDE_DATA_DIR": str(tmp_path / "data"), "REPSTRIDE_SECRET_KEY": "k" * 32,
           "REPSTRIDE_RETAIN_UPLOADS_DAYS": "30", "REPSTRIDE_RETAIN_OVERLAYS_DAYS": "30",
           "REPSTRIDE_RETAIN_TRACKS_DAYS": "0", "REPSTRIDE_RETAIN_RESULTS_DAYS": "0"}
    clock = Clock(time.time() - 40 * DAY_S)
    services = build_services(Settings(data_dir=tmp_path / "data", secret_key="k" * 32,
                                       workers=0, token_ttl_s=10**9),
                              pipeline=FastPipeline(), clock=clock)
    w = build_world(services, clock, clip, t0=clock.t)
    expected = vkeys(w, "old", "source", "overlay_skeleton.mp4", "overlay_all.mp4",
                     "thumbnail.jpg") | rkeys(w, "old", "source.mp4", "thumbnail.jpg",
                                              "annotated.mp4")
    yield w, env, expected
    w.http.close()
    services.close()


def _parse(out: str) -> tuple[dict[str, int], str]:
    lines = out.strip().splitlines()
    rows = {}
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, line
        rows[m.group(1)] = int(m.group(2))
        assert "kept 30 days" in m.group(3) and "40.0 days ago" in m.group(3)
    return rows, lines[-1]


def test_dry_run_lists_what_would_be_freed_and_deletes_nothing(deployment, monkeypatch) -> None:  # noqa: ANN001
    w, env, expected = deployment
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    _register()
    before = w.blobs()
    sizes = w.services.blobs.list_prefix("videos") | w.services.blobs.list_prefix("running")
    res = CliRunner().invoke(cli, ["gc", "--dry-run"])
    assert res.exit_code == 0, res.output
    rows, total = _parse(res.stdout)
    assert rows == {k: sizes[k] for k in expected}
    assert total.startswith(f"total: would free {len(expected)} file(s), "
                            f"{sum(rows.values())} bytes (")
    assert w.blobs() == before

    res = CliRunner().invoke(cli, ["gc"])
    assert res.exit_code == 0, res.output
    rows2, total = _parse(res.stdout)
    assert rows2 == rows and total.startswith(f"total: freed {len(expected)} file(s)")
    assert w.blobs() == before - expected
    res = CliRunner().invoke(cli, ["gc"])
    assert res.stdout.strip() == "total: freed 0 file(s), 0 bytes (0 B)"


def test_everything_kept_says_so(monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    for name in ("UPLOADS", "OVERLAYS", "TRACKS", "RESULTS"):
        monkeypatch.setenv(f"REPSTRIDE_RETAIN_{name}_DAYS", "0")
    monkeypatch.setenv("REPSTRIDE_DATA_DIR", str(tmp_path / "d"))
    _register()
    res = CliRunner().invoke(cli, ["gc", "--dry-run"])
    assert res.exit_code == 0 and "everything is kept" in res.output
    assert not (tmp_path / "d").exists()


def test_two_gc_processes_at_once_free_each_blob_once(deployment) -> None:  # noqa: ANN001
    w, env, expected = deployment
    before = w.blobs()
    penv = {**os.environ, **env, "PYTHONPATH": str(SRC), "REPSTRIDE_LOG_FORMAT": "json"}
    procs = [subprocess.Popen([sys.executable, "-m", "repstride.cli", "gc"], env=penv,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    freed = [k for out, _ in outs for k in _parse(out)[0]]
    assert sorted(freed) == sorted(expected)  # all of them, none twice
    assert w.blobs() == before - expected
    logged = [line for _, err in outs for line in err.splitlines() if "retention freed" in line]
    assert len(logged) == len(expected)
