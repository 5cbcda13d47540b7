"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from repstride import __version__
from repstride.api.errors import install_error_handlers
from repstride.api import exports, health, oauth, observability, webhooks
from repstride.api.dashboard import routes as dashboard
from repstride.api.limits import BodyLimitMiddleware
from repstride.api.running import routes as running
from repstride.api.running import subjects
from repstride.api.videos import routes as videos
from repstride.api.videos import uploads
from repstride.api.web import install_web
from repstride.service import Services, Settings, build_services, load_settings


def create_app(services: Services | None = None, *, settings: Settings | None = None,
               start_workers: bool = True) -> FastAPI:
    """Build the API on ``services`` (built from ``settings`` / the environment when omitted).

    With ``start_workers`` the in-process job workers run for the lifetime of the app.
    """
    owned = services is None
    if services is None:
        services = build_services(settings or load_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_workers:
            services.start_workers()
        try:
            yield
        finally:
            services.stop_workers()
            if owned:
                services.db.dispose()

    app = FastAPI(title="repstride", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="The Video API and the Running Analysis API on a self-hosted server. "
                              "See docs/api.md and docs/running_api.md.")
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, services=services)
    # outermost of ours: even a 413 from the size guard gets its request id and log line
    app.add_middleware(observability.RequestLogMiddleware, services=services)
    # One line per API dialect / resource.
    for router in (health.router, observability.router, oauth.router, videos.router, uploads.router, running.router,
                   subjects.router, webhooks.router, exports.router, dashboard.router):
        app.include_router(router)
    install_web(app, services.settings.cors_origins)  # offline /docs, /redoc; OpenAPI; CORS
    dashboard.mount_assets(app)
    return app
