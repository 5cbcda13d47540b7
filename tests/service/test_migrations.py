from __future__ import annotations

from sqlalchemy import create_engine, inspect

from repstride.service.migrate import current, upgrade


def test_upgrade_creates_every_table_and_is_idempotent(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)  # second run: nothing to do, no error
    assert current(db_url) is not None
    engine = create_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"clients", "tokens", "credit_ledger", "videos", "jobs", "alembic_version"} <= tables


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # noqa: ANN001
    from sqlalchemy import text

    from repstride.service.db import Database

    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with db.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    db.dispose()
