"""What browsers need: offline ``/docs`` and ``/redoc``, the OpenAPI additions (security schemes,
multipart bodies, the 202 of running results) and CORS.

Swagger UI and ReDoc are served from the assets of the ``fastapi-offline`` package (no CDN, no
web font). CORS: ``REPSTRIDE_CORS_ORIGINS`` (comma-separated origins, ``*`` for any); empty, the
default, sends no CORS headers, so browsers only call the API from the server's own pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS = "/docs-assets"
REDOC_JS = "/redoc-assets/redoc.standalone.js"
#: ReDoc's bundle shows the "powered by" logo from a CDN; the served copy points at a local image.
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

#: ``components.securitySchemes`` of the spec.
SECURITY_SCHEMES: dict[str, Any] = {
    "oauth2": {"type": "oauth2", "description": "OAuth 2 client credentials: POST client_id and "
               "client_secret to /oauth2/token; send the token as `Authorization: Bearer <token>`"
               " (or the bare token).",
               "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {}}}},
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "The access_token of /oauth2/token."},
    "apiKey": {"type": "apiKey", "in": "query", "name": "apiKey",
               "description": "Running Analysis API: the client's API key (with the token)."},
}
_TOKEN = [{"oauth2": []}, {"bearer": []}]
_TOKEN_AND_KEY = [{"oauth2": [], "apiKey": []}, {"bearer": [], "apiKey": []}]
_PUBLIC = {"/oauth2/token", "/uploads", "/health", "/healthz", "/readyz", "/"}

_STR = {"type": "string"}
_FILE = {"type": "string", "format": "binary"}

UPLOAD_BODY: dict[str, Any] = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "description": "Every entry of `fields` from POST /videos first (the signed policy), then "
                   "`file` last, like an S3 presigned POST.",
    "properties": {"key": _STR, "policy": _STR, "signature": _STR, "file": _FILE},
    "additionalProperties": _STR}}}}


def start_body() -> dict[str, Any]:
    from repstride.service.running.params import ANALYSIS_TYPES, LANGUAGES

    props = {
        "video": {**_FILE, "description": "MP4, MOV or AVI; max size and duration per server."},
        "analysis_type": {"type": "string", "enum": list(ANALYSIS_TYPES), "default": "side_view"},
        "height": {"type": "number", "default": 170, "description": "cm (a value < 3 is metres)"},
        "weight": {"type": "number", "default": 70, "description": "kg"},
        "pace": {"type": "string", "pattern": r"^\d{1,2}:[0-5]\d$",
                 "description": "MM:SS per km; required on a treadmill."},
        "treadmill": {"type": "boolean", "default": False},
        "full_body": {"type": "boolean", "default": True},
        "language": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
        "slow_motion_factor": {"type": "number", "default": 1, "minimum": 1, "maximum": 32},
    }
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["video"], "properties": props}}}}


def token_body() -> dict[str, Any]:
    """``POST /oauth2/token`` reads its body itself (form or JSON, as the seed's clients send it)."""
    props = {"grant_type": {"type": "string", "enum": ["client_credentials"]},
             "client_id": _STR, "client_secret": _STR, "scope": _STR}
    schema = {"type": "object", "required": ["grant_type"], "properties": props,
              "description": "client_id and client_secret here or as HTTP Basic credentials."}
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema},
                                          "application/json": {"schema": schema}}}


def include_parameter() -> dict[str, Any]:
    """``?include=j2p,analysis``: a comma-separated list of the server's include values."""
    from repstride.api.videos.routes import INCLUDES

    return {"name": "include", "in": "query", "required": False, "style": "form",
            "explode": False, "description": "Extra parts of the answer, comma-separated.",
            "schema": {"type": "array", "uniqueItems": True,
                       "items": {"type": "string", "enum": list(INCLUDES)}}}


def _augment(spec: dict[str, Any], *, filename_max: int | None = None) -> dict[str, Any]:
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    create = spec["components"].get("schemas", {}).get("VideoCreateIn")
    if create is not None and filename_max is not None:  # the configured limit, not the default
        create["properties"]["filename"]["maxLength"] = filename_max
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            op["parameters"] = [p for p in params
                                if not (p.get("in") == "header" and p["name"].lower()
                                        == "authorization")]
            if not op["parameters"]:
                op.pop("parameters")
            if path in _PUBLIC or path.startswith("/blobs/"):
                continue
            keyed = any(p.get("name") == "apiKey" for p in params) or path == "/analysis/start"
            op["security"] = _TOKEN_AND_KEY if keyed else _TOKEN
    paths = spec.get("paths", {})
    if "post" in paths.get("/oauth2/token", {}):
        paths["/oauth2/token"]["post"]["requestBody"] = token_body()
    video = paths.get("/videos/{id}", {}).get("get")
    if video is not None:
        video["parameters"] = [include_parameter() if p.get("name") == "include" else p
                               for p in video.get("parameters", [])]
    if "post" in paths.get("/uploads", {}):
        paths["/uploads"]["post"]["requestBody"] = UPLOAD_BODY
    if "post" in paths.get("/analysis/start", {}):
        op = paths["/analysis/start"]["post"]
        op["requestBody"] = start_body()
        if not any(p.get("name") == "apiKey" for p in op.get("parameters", [])):
            op.setdefault("parameters", []).append(
                {"name": "apiKey", "in": "query", "required": True, "schema": _STR})
        op["responses"]["200"] = {"description": "Accepted: the analysis id.", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "analysis_id": _STR, "id": _STR, "status": _STR}}}}}
    results = paths.get("/analysis/{id}/results", {}).get("get")
    if results is not None:  # the bodies are the route's (ResultsOut; or an error on 400)
        for code, text in (("200", "pending or success (with media URLs and "
                                   "biomechanical_analysis)."),
                           ("202", "analyzing (with percentage)."),
                           ("400", "failed (code, translated reason) or a bad request.")):
            results["responses"].setdefault(code, {})["description"] = text
    return spec


def install_web(app: FastAPI, cors_origins: str = "") -> None:
    """Mount the offline docs, extend the OpenAPI document and add CORS (when configured)."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            services = getattr(app.state, "services", None)
            app.openapi_schema = _augment(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes), filename_max=getattr(
                    getattr(services, "settings", None), "max_filename_length", None))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    redoc_js: list[bytes] = []

    @app.get(REDOC_JS, include_in_schema=False)
    def redoc_bundle() -> Response:
        if not redoc_js:
            text = (assets / "redoc.standalone.js").read_text(encoding="utf-8")
            redoc_js.append(text.replace(REDOC_CDN_LOGO, f"{DOCS_ASSETS}/favicon.png").encode())
        return Response(redoc_js[0], media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json", title=f"{app.title} - API docs",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}/openapi.json", title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{root}{REDOC_JS}",
                              redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                              with_google_fonts=False)

    origins = [o.strip().rstrip("/") for o in cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"], allow_credentials=False,
            expose_headers=["Content-Disposition", "Retry-After", "Link", "X-Next-Cursor"],
            max_age=600)


__all__ = ["SECURITY_SCHEMES", "install_web"]
