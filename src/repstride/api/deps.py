"""Request dependencies: the services, the calling client, and the owned video (the ownership
check lives here and in ``VideoService.get`` only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from repstride.errors import MissingToken
from repstride.service import Services
from repstride.service.auth import ClientInfo
from repstride.service.videos.service import VideoRecord


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def base_url(request: Request) -> str:
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


def current_client(request: Request, services: ServicesDep,
                   authorization: Annotated[str | None, Header()] = None) -> ClientInfo:
    return remember_client(request, services.clients.authenticate(parse_authorization(authorization)))


CurrentClient = Annotated[ClientInfo, Depends(current_client)]


def owned_video(services: ServicesDep, client: CurrentClient,
                video_id: Annotated[str, Path(alias="id")]) -> VideoRecord:
    return services.videos.get(client.id, video_id)


OwnedVideo = Annotated[VideoRecord, Depends(owned_video)]
