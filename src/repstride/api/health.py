"""``GET /health`` (asks the database and the job table) and ``GET /health/live`` (asks
nothing: the process answers HTTP; a liveness probe, and the floor of a request's cost)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from repstride import __version__
from repstride.api.deps import ServicesDep
from repstride.api.schemas import HealthOut, LiveOut, documented

router = APIRouter(tags=["health"])


@router.get("/health", **documented(HealthOut))
def health(services: ServicesDep) -> dict[str, Any]:
    database = services.db.ping()
    return {"status": "ok", "version": __version__, "database": database,
            "jobs": services.jobs.counts()}


@router.get("/health/live", **documented(LiveOut))
async def live() -> dict[str, str]:
    """200 ``{"status": "alive"}`` while the server process answers; no database, no I/O
    (``/health/ready`` checks the dependencies)."""
    return {"status": "alive"}
