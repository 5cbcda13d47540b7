"""Fixtures of the Running API tests live in running_helpers (importable by a unique name)."""

from running_helpers import (  # noqa: F401
    api, api_any_db, db_url, live, pipeline, sqlite_url, videos,
)
