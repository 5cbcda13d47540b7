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


def test_migrations_match_the_models(db_url: str) -> None:
    """The Alembic scripts create exactly what ``service.models`` declares (no forgotten column)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import repstride.service.running.models  # noqa: F401  (their tables join the metadata)
    import repstride.service.webhooks.models  # noqa: F401
    from repstride.service.models import Base

    upgrade(db_url)
    mine = {"clients", "tokens", "credit_ledger", "videos", "jobs", "running_api_keys",
            "running_analyses", "running_subjects", "webhook_configs", "webhook_deliveries"}
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()

    def table_of(diff) -> str | None:  # noqa: ANN001
        from sqlalchemy import Table

        d = diff[0] if isinstance(diff, list) else diff  # modify_* diffs come as lists
        for part in d[1:]:
            if isinstance(part, Table):
                return part.name
            if isinstance(getattr(part, "table", None), Table):
                return part.table.name
            if isinstance(part, str) and part in mine:
                return part
        return None

    assert [d for d in diffs if table_of(d) in mine] == []
