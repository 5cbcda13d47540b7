"""The HTTP edge of :mod:`repstride.service.observability`: the request id and the request log
line (a middleware), ``/metrics`` and ``/health/ready``."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from repstride.api.deps import ServicesDep
from repstride.api.schemas import ReadyOut, documented
from repstride.service import Services
from repstride.service.observability import accept_request_id, log_event, request_id

log = logging.getLogger("repstride.http")

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode()


class RequestLogMiddleware:
    """Gives each HTTP request an id (returned as ``X-Request-ID``), then logs one line and
    counts it in the metrics: method, route template (never the raw path or its query, which
    may hold an apiKey or a URL signature), status, latency, client id, request id."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == _HEADER_KEY), None)
        rid = accept_request_id(sent, lambda: uuid.uuid4().hex)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), (_HEADER_KEY, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            state: Any = scope.get("state") or {}
            log_event(log, "request", method=scope["method"], route=route, status=status,
                      latency_ms=round(seconds * 1000, 1), client_id=state.get("client_id"))
            self.services.metrics.observe_request(scope["method"], route, status, seconds)
            request_id.reset(token)


router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}},
                             "description": "Prometheus text exposition format"}})
def metrics(services: ServicesDep) -> Response:
    """Request counts and latencies by route, job durations by stage, jobs by state, queue
    depth and webhook deliveries by outcome, in the Prometheus text format."""
    return Response(services.metrics.exposition(),
                    media_type="text/plain; version=0.0.4; charset=utf-8")


def _check(fn: Any) -> dict[str, Any]:
    try:
        return {"ok": True, "detail": fn()}
    except Exception as exc:  # a readiness probe reports, it does not fail
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _blobs_reachable(services: Services) -> str:
    services.blobs.head_size("health/ready-probe")  # one HEAD: raises when the store is away
    return "reachable"


@router.get("/health/ready", **documented(ReadyOut, **{"503": ReadyOut}))
def ready(services: ServicesDep) -> JSONResponse:
    """200 when the database, the job queue (workers or broker) and the blob store answer,
    else 503; each check's result is in the body."""
    checks = {
        "database": _check(services.db.ping),
        "queue": _check(services.queue.ready),
        "blobs": _check(lambda: _blobs_reachable(services)),
    }
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks},
                        status_code=200 if ok else 503)
