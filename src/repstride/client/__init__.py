"""repstride SDK: ``Client`` / ``AsyncClient`` for the Video API and the Running Analysis API.

It talks HTTP only (httpx + pydantic), so it works against a repstride server and, by changing
``base_url``/``token_url``, against the commercial APIs that server mirrors::

    from repstride.client import Client

    with Client(base_url="http://127.0.0.1:8000") as client:
        analysis = client.analyze("squat.mp4", activity="squat")
        print(analysis.activity, analysis.rep_count)

See ``docs/sdk.md``.
"""

from repstride.client._async import AsyncClient
from repstride.client._base import (
    ACTIVITY_DOMAIN, DEFAULT_TIMEOUT, RUNNING_LANGUAGES, PollPolicy, Progress, ProgressCallback,
)
from repstride.client._sync import Client
from repstride.client.auth import (
    ClientCredentialsAuth, FileTokenCache, MemoryTokenCache, Token, TokenCache,
)
from repstride.client.config import DEFAULT_BASE_URL, resolve_settings
from repstride.client.errors import (
    AnalysisFailed, AuthError, Conflict, InsufficientCredits, InvalidInput, NotFound, RateLimited,
    RepstrideError, ServerError, Timeout, TransportError,
)
from repstride.client.records import (
    AnalysisItem, AnalysisPage, Subject, SubjectPage, VideoItem, VideoPage, WebhookConfig,
    WebhookDelivery, WebhookTest,
)
from repstride.client.models import (
    J2P, Analysis, CalculatedData, CreatedVideo, DetectedObject, JointFrame, Overlay, RawData, Rep,
    RepAnalysisItem, RunningResults, Video,
)

__all__ = [
    "ACTIVITY_DOMAIN", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "J2P", "RUNNING_LANGUAGES",
    "Analysis", "AnalysisFailed", "AsyncClient", "AuthError", "CalculatedData", "Client",
    "ClientCredentialsAuth", "Conflict", "CreatedVideo", "DetectedObject", "FileTokenCache",
    "InsufficientCredits", "InvalidInput", "JointFrame", "MemoryTokenCache", "NotFound", "Overlay",
    "PollPolicy", "Progress", "ProgressCallback", "RateLimited", "RawData", "Rep",
    "RepAnalysisItem", "RepstrideError", "RunningResults", "ServerError", "Timeout", "Token",
    "TokenCache", "TransportError", "Video", "resolve_settings",
    "AnalysisItem", "AnalysisPage", "Subject", "SubjectPage", "VideoItem", "VideoPage",
    "WebhookConfig", "WebhookDelivery", "WebhookTest",
]
