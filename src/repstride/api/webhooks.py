"""Webhook configuration routes (Running Analysis API; the same configuration serves the Video
API's video events): ``GET/PUT /webhook``, ``GET /webhook/deliveries``, ``POST /webhook/test``.

Authenticated like every Running API route (``?apiKey=``, optional same-client token); a Video
API client may instead send its token alone (``Authorization``, no ``apiKey``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from repstride.api.deps import ServicesDep, current_client
from repstride.api.running.routes import RequestLanguage, RunningDep, running_client
from repstride.api.running.schemas import (
    RUNNING_ERRORS, DeliveriesOut, WebhookConfigOut, WebhookTestOut,
)
from repstride.api.schemas import documented
from repstride.service.auth import ClientInfo
from repstride.service.webhooks.service import DEFAULT_DELIVERIES, MAX_DELIVERIES

router = APIRouter(tags=["webhooks"], responses=RUNNING_ERRORS)


async def webhook_client(request: Request, services: ServicesDep, running: RunningDep,
                         lang: RequestLanguage,
                         api_key: Annotated[str | None, Query(alias="apiKey",
                                                              max_length=500)] = None,
                         authorization: Annotated[str | None, Header()] = None) -> ClientInfo:
    """The Running API's caller (``apiKey``, optional same-client token), or a Video API client
    by its token alone: one configuration per client serves both APIs."""
    if api_key is None and authorization is not None and authorization.strip():
        return await current_client(request, services, authorization)
    return await running_client(request, services, running, lang, api_key, authorization)


WebhookClient = Annotated[ClientInfo, Depends(webhook_client)]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str = Field(max_length=2048, description="http:// or https:// receiver")
    enabled: bool = True
    rotate_secret: bool = Field(False, description="Issue a new signing secret (shown once).")


@router.get("/webhook", **documented(WebhookConfigOut))
def get_webhook(client: WebhookClient, services: ServicesDep) -> dict[str, Any]:
    """``{url, enabled, created_at, updated_at}``, or ``{}`` when none is set (no secret)."""
    return services.webhooks.get_config(client.id)


@router.put("/webhook", **documented(WebhookConfigOut))
def put_webhook(body: WebhookIn, client: WebhookClient, services: ServicesDep) -> dict[str, Any]:
    """Set the receiver. The answer has ``secret`` (``whsec_...``) when the configuration is
    first created or ``rotate_secret`` is true — only then: keep it."""
    return services.webhooks.put_config(client.id, body.url, enabled=body.enabled,
                                                rotate_secret=body.rotate_secret)


@router.get("/webhook/deliveries", **documented(DeliveriesOut))
def list_deliveries(client: WebhookClient, services: ServicesDep,
                    limit: Annotated[int, Query(ge=1, le=MAX_DELIVERIES)] = DEFAULT_DELIVERIES,
                    ) -> dict[str, Any]:
    """The last ``limit`` deliveries (newest first) with state, attempts, status code, latency."""
    return services.webhooks.deliveries(client.id, limit)


@router.post("/webhook/test", **documented(WebhookTestOut))
async def test_webhook(client: WebhookClient, services: ServicesDep) -> dict[str, Any]:
    """Send a signed ``webhook.test`` event now: ``{delivery_id, success, status_code,
    latency_ms, error}`` (the receiver's answer; never retried)."""
    return await run_in_threadpool(services.webhooks.send_test, client.id)


__all__ = ["router"]
