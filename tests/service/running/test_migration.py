"""The running tables join the Video API's Alembic chain (one head) and upgrade/downgrade."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from repstride.service.migrate import alembic_config, current, upgrade


def test_single_head_including_running_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, f"migration chain forked: heads {heads}"
    chain = [rev.revision for rev in script.walk_revisions()]
    assert "r0001_running" in chain


def test_upgrade_creates_running_tables(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current(db_url) is not None
    engine = create_engine(db_url)
    try:
        insp = inspect(engine)
        tables = set(insp.get_table_names())
        assert {"running_analyses", "running_api_keys"} <= tables
        cols = {c["name"] for c in insp.get_columns("running_analyses")}
        assert {"status", "percentage", "params", "result", "reason_code", "credits",
                "refunded"} <= cols
    finally:
        engine.dispose()
