"""Request dependencies: the services, the calling client, and the owned video (the ownership
check lives here and in ``VideoService.get`` only).

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, a hop that costs
more than the work of the cheap ones (a credential found in memory, the base URL). What asks the
database does it in one hop (:func:`without_hop` when memory may answer first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Path, Request
from starlette.concurrency import run_in_threadpool

from repstride.errors import MissingToken
from repstride.service import Services
from repstride.service.auth import ClientInfo
from repstride.service.videos.service import VideoRecord


T = TypeVar("T")


async def without_hop(cached: Callable[..., T | None], slow: Callable[..., T], *args: Any,
                      **kwargs: Any) -> T:
    """``cached(...)`` on the event loop (memory only); when it has no answer (None),
    ``slow(...)`` in the thread pool (it may wait for the database)."""
    value = cached(*args, **kwargs)
    return value if value is not None else await run_in_threadpool(slow, *args, **kwargs)


async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def resolve_base_url(request: Request) -> str:
    """Where clients reach this server (for signed URLs): settings.public_url or the request."""
    configured = request.app.state.services.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def base_url(request: Request) -> str:
    return resolve_base_url(request)


BaseUrl = Annotated[str, Depends(base_url)]


def parse_authorization(value: str | None) -> str:
    """``Authorization: <token>`` (the official example) or ``Authorization: Bearer <token>``."""
    if value is None or not value.strip():
        raise MissingToken()
    value = value.strip()
    if value.lower() == "bearer":
        raise MissingToken()
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() == "bearer":
        return rest.strip()
    return value


def remember_client(request: Request, client: ClientInfo) -> ClientInfo:
    """Name the authenticated client in this request's log line (``api.observability``)."""
    request.state.client_id = client.id
    return client


async def current_client(request: Request, services: ServicesDep,
                         authorization: Annotated[str | None, Header()] = None) -> ClientInfo:
    clients = services.clients
    client = await without_hop(clients.authenticate_cached, clients.authenticate,
                               parse_authorization(authorization))
    return remember_client(request, client)


CurrentClient = Annotated[ClientInfo, Depends(current_client)]


async def owned_video(services: ServicesDep, client: CurrentClient,
                      video_id: Annotated[str, Path(alias="id")]) -> VideoRecord:
    """One query, in the thread pool (with a direct-upload store a Pending video may also ask
    the store whether its upload arrived)."""
    return await run_in_threadpool(services.videos.get, client.id, video_id)


OwnedVideo = Annotated[VideoRecord, Depends(owned_video)]


@dataclass(frozen=True)
class Polled:
    """What a poll route needs, from one dependency: FastAPI's cost grows with each dependency
    it solves (~0.1 ms apiece here), a poll should pay for one."""

    services: Services
    video: VideoRecord
    base_url: str


async def polled_video(request: Request, video_id: Annotated[str, Path(alias="id")],
                       authorization: Annotated[str | None, Header()] = None) -> Polled:
    """:data:`OwnedVideo` (same checks, one query in one hop) plus the services and base URL."""
    services: Services = request.app.state.services
    client = await current_client(request, services, authorization)
    video = await run_in_threadpool(services.videos.get, client.id, video_id)
    return Polled(services, video, resolve_base_url(request))


PolledVideo = Annotated[Polled, Depends(polled_video)]
