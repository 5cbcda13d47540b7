"""The web dashboard: pages at ``/`` and ``/ui/...`` (Jinja2 shells filled in by the vendored,
hand-written ``app.js``) and the few JSON reads the pages need beyond the public API
(``/dashboard/...``, authenticated with the same OAuth token, not part of the OpenAPI spec).

Sign-in exchanges ``client_id`` / ``client_secret`` at ``POST /oauth2/token`` from the browser;
the token lives in ``sessionStorage`` (gone when the tab closes). The Running Analysis API also
wants an ``apiKey``: signing in issues one for this browser session
(``POST /dashboard/api-key``), signing out revokes that key only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from repstride import __version__
from repstride.analysis.activities import ALL_ACTIVITIES
from repstride.api.dashboard import data
from repstride.api.deps import CurrentClient, OwnedVideo, ServicesDep
from repstride.api.running.routes import RunningDep
from repstride.i18n import LANGUAGES

HERE = Path(__file__).parent
ASSETS = "/dashboard-assets"
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "zh": "中文",
                  "ko": "한국어", "pt": "Português", "es": "Español", "it": "Italiano",
                  "ja": "日本語"}


def mount_assets(app: Any) -> None:
    app.mount(ASSETS, StaticFiles(directory=HERE / "static"), name="dashboard-assets")


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    resp = templates.TemplateResponse(request, name, {
        "assets": ASSETS, "version": __version__, "activities": ALL_ACTIVITIES,
        "languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in LANGUAGES], **context})
    # Pages hold no data (the browser fetches it with its token): no caching of stale shells.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
    return resp


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return _page(request, "index.html", page="index")


@router.get("/ui/videos/{item_id}", response_class=HTMLResponse)
def video_page(request: Request, item_id: str) -> HTMLResponse:
    return _page(request, "video.html", page="video", item_id=item_id)


@router.get("/ui/running/{item_id}", response_class=HTMLResponse)
def running_page(request: Request, item_id: str) -> HTMLResponse:
    return _page(request, "running.html", page="running", item_id=item_id)


@router.get("/dashboard/items")
def items(client: CurrentClient, services: ServicesDep,
          kind: Annotated[str, Query(pattern="^(all|video|running)$")] = "all",
          status: Annotated[str, Query(pattern="^(|pending|analyzing|complete|failed)$")] = "",
          q: Annotated[str, Query(max_length=100)] = "",
          page: Annotated[int, Query(ge=1, le=10_000)] = 1,
          per_page: Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)] = 20) -> dict[str, Any]:
    """The client's videos and running analyses, newest first."""
    p = data.list_items(services, client.id, kind=kind, status=status, q=q, page=page,
                        per_page=per_page)
    return {"items": p.items, "total": p.total, "page": p.page, "perPage": p.per_page}


@router.get("/dashboard/videos/{id}")
async def video_detail(video: OwnedVideo, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(data.video_detail, services, video)


@router.get("/dashboard/running/{item_id}/chart")
async def running_chart(item_id: str, client: CurrentClient, services: ServicesDep,
                        running: RunningDep) -> dict[str, Any]:
    rec = await run_in_threadpool(running.get, client.id, item_id)
    return {"chart": await run_in_threadpool(data.running_chart, services, running, rec)}


class ApiKeyIn(BaseModel):
    apiKey: str = Field(min_length=1, max_length=200)  # noqa: N815 (wire name)


@router.post("/dashboard/api-key")
def issue_key(client: CurrentClient, running: RunningDep) -> dict[str, str]:
    """A Running Analysis API key for this browser session."""
    return {"apiKey": running.issue_api_key(client.id)}


@router.post("/dashboard/api-key/revoke", status_code=204)
def revoke_key(body: ApiKeyIn, client: CurrentClient, running: RunningDep) -> Response:
    """Sign-out: revoke the session's key (only a key of this client; others are untouched)."""
    running.revoke_api_key(client.id, body.apiKey)
    return Response(status_code=204)


__all__ = ["mount_assets", "router"]
