"""``GET /health``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from repstride import __version__
from repstride.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(services: ServicesDep) -> dict[str, Any]:
    database = services.db.ping()
    return {"status": "ok", "version": __version__, "database": database,
            "jobs": services.jobs.counts()}
