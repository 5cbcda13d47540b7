"""PostgreSQL as the production database: ``repstride db upgrade``, the pool settings, recovery
from dropped connections (pre-ping), and no SQLite-only SQL in the service code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from repstride.cli import _register, cli
from repstride.service.db import Database
from repstride.service.migrate import current

SRC = Path(__file__).resolve().parents[2] / "src" / "repstride"


def test_db_upgrade_cli_on_postgres(pg_url: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    _register()
    monkeypatch.setenv("REPSTRIDE_DATABASE_URL", pg_url)
    monkeypatch.setenv("REPSTRIDE_DATA_DIR", str(tmp_path / "data"))
    for _ in range(2):  # idempotent
        res = CliRunner().invoke(cli, ["db", "upgrade"])
        assert res.exit_code == 0, res.output
    assert current(pg_url) is not None and current(pg_url) in res.output


def test_pool_settings_and_pre_ping_survive_dropped_connections(pg_url: str) -> None:
    from repstride.service.migrate import upgrade

    upgrade(pg_url)
    db = Database(pg_url, pool_size=3, max_overflow=1, pool_recycle=60)
    try:
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (3, 1)
        with db.session() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
        # The server drops the pooled connection (restart, idle timeout, failover) ...
        admin = Database(pg_url)
        with admin.session() as s:
            assert s.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        admin.dispose()
        # ... and the next session still works: pre-ping replaced it.
        with db.session() as s:
            assert s.execute(text("SELECT count(*) FROM jobs")).scalar() == 0
            assert s.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        db.dispose()


SQLITE_ONLY = re.compile(r"PRAGMA|INSERT OR (REPLACE|IGNORE)|AUTOINCREMENT\b|julianday\(|"
                         r"strftime\(|datetime\('now'\)|last_insert_rowid", re.IGNORECASE)


@pytest.mark.parametrize("package", ["service", "api"])
def test_no_sqlite_only_sql(package: str) -> None:
    hits = []
    for path in sorted((SRC / package).rglob("*.py")):
        if path.name == "db.py":  # the SQLite connection pragmas, applied to SQLite only
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if SQLITE_ONLY.search(line) and "autoincrement=True" not in line:
                hits.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert hits == []
