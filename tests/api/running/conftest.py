"""Fixtures of the Running API tests live in running_helpers (importable by a unique name)."""

from running_helpers import api, api_any_db, db_url, pipeline, sqlite_url, videos  # noqa: F401
