"""Request dependencies: the services, the calling client, and the owned video (the ownership
check lives here and in ``VideoService.get`` only).

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, a hop that costs
more than the work of the cheap ones (a credential found in memory, the base URL). What asks the
database does it in one hop (:func:`without_hop` when memory may answer first).
"""

from __future__ import annotations

from collections.abc import Callable
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


async def base_url(request: Request) -> str:
    """Where clients reach this server (for signed URLs): settings.public_url or the request."""
    configured = request.app.state.services.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


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
