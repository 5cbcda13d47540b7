"""``GET /health``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from repstride import __version__
from repstride.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(services: ServicesDep) -> dict[str, Any]:
    with services.db.session() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": services.db.engine.dialect.name,
            "jobs": services.jobs.counts()}
