"""Engine and sessions. The same code runs on SQLite (WAL, embedded default) and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from repstride.errors import ServiceUnavailable

#: Milliseconds SQLite waits for another writer before giving up (workers + uploads share it).
SQLITE_BUSY_TIMEOUT_MS = 30_000


R = TypeVar("R")


#: No id this service issues is longer (uuid4 hex is 32); longer ones are never looked up.
MAX_ID_LENGTH = 64


def snapshot(record: type[R], row: Any, **overrides: Any) -> R:
    """A record dataclass detached from its session: each field of ``record`` read from the
    ORM row's attribute of the same name, except those given in ``overrides``."""
    return record(**{f.name: overrides[f.name] if f.name in overrides else getattr(row, f.name)
                     for f in dataclasses.fields(record)})  # type: ignore[arg-type]


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20,
                pool_recycle: int = 1800) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=10, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # PostgreSQL: a pool per process, stale connections (server restart, idle timeout) detected
    # before use and recycled (Settings.db_pool_size / db_max_overflow / db_pool_recycle_s).
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                         pool_recycle=pool_recycle)


class Database:
    """An engine plus a session factory; ``with db.session() as s:`` commits on success."""

    def __init__(self, url: str, **pool: int) -> None:
        self.url = url
        self.engine = make_engine(url, **pool)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self._factory()
        try:
            yield s
            s.commit()
        except (OperationalError, SATimeoutError) as exc:
            # Unreachable database, pool exhausted, lock wait exceeded: transient, say so
            # (503 + Retry-After) instead of an internal error.
            s.rollback()
            raise ServiceUnavailable(details={"retry_after_s": 5}) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def first(self, statement: Any) -> Any:
        """The first row of a Core ``statement`` (or None), read on a plain connection: a hot
        read (a poll) skips the ORM session's bookkeeping, about half its cost. Columns are
        attributes of the row (:func:`snapshot` takes it)."""
        try:
            with self.engine.connect() as c:
                return c.execute(statement).first()
        except (OperationalError, SATimeoutError) as exc:
            raise ServiceUnavailable(details={"retry_after_s": 5}) from exc

    def owned(self, model: Any, row_id: str, client_id: str) -> Any:
        """The row of ``model`` with this id when it belongs to ``client_id``, else None: the
        owner check of both APIs (another client's id reads exactly like a missing one; an id
        longer than any we issue is not looked up). One Core read (:meth:`first`)."""
        if len(row_id) > MAX_ID_LENGTH:
            return None
        row = self.first(select(model.__table__).where(model.id == row_id))
        return row if row is not None and row.client_id == client_id else None

    def ping(self) -> str:
        """One ``SELECT 1`` (ServiceUnavailable when the database is away); the dialect name."""
        with self.session() as s:
            s.execute(text("SELECT 1"))
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def count_by(db: Database, column: Any) -> dict[str, int]:
    """Rows of ``column``'s table counted by its value (``{value: n}``)."""
    with db.session() as s:
        return {str(v): int(n) for v, n in s.execute(select(column, func.count()).group_by(column))}


def update_where(session: Session, model: Any, *where: Any, **values: Any) -> bool:
    """One conditional UPDATE of ``model`` rows matching ``where``; True when exactly one row
    changed (the idempotent, race-free write both APIs' jobs use: a state transition that
    another worker or request already made simply does not match)."""
    res = session.execute(update(model).where(*where).values(**values)
                          .execution_options(synchronize_session=False))
    return res.rowcount == 1
