"""Wire schemas of the Video API, separate from the ORM tables: the request bodies here, the
response bodies from :mod:`repstride.wire.videos`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from repstride.analysis.activities import ALL_ACTIVITIES, DOMAINS

from repstride.wire.videos import (  # noqa: F401  (the dialect's response bodies)
    AnalysisOut, ArtifactOut, J2POut, ObjectsOut, VideoListItemOut, VideoOut,
)



def _integral(v: Any) -> Any:
    """An integral JSON number (``20055891.0``) is an integer, as JSON Schema counts it; a bool,
    a string or a fraction is not (left to the strict check, which refuses it)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


#: An integer field: ``12`` or ``12.0``, never ``"12"``, ``true`` or ``12.5``.
StrictInt = Annotated[int, Field(strict=True), BeforeValidator(_integral)]

#: ``repCount``: 0 to 100000 reps.
RepCount = Annotated[int, Field(strict=True, ge=0, le=100_000), BeforeValidator(_integral)]

#: Server-side limit of ``filename`` by default (``REPSTRIDE_MAX_FILENAME_LENGTH``; the OpenAPI
#: document states the configured value).
FILENAME_MAX = 255


def _one_of(values: Any) -> dict[str, Any]:
    """An optional field's closed set in the OpenAPI document (the server checks it itself, with
    its own error code and the accepted values)."""
    return {"enum": [*values, None]}


class VideoCreateIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    filename: str = Field(min_length=1, max_length=1024,
                          json_schema_extra={"maxLength": FILENAME_MAX})
    size: StrictInt = Field(gt=0, description="Size of the file in bytes.")
    source: str | None = Field(None, max_length=1024)
    domain: str | None = Field(None, max_length=64, json_schema_extra=_one_of(DOMAINS))
    activity: str | None = Field(None, max_length=64, json_schema_extra=_one_of(ALL_ACTIVITIES))
    rep_count: RepCount | None = Field(None, alias="repCount")
    schema_id: str | None = Field(None, alias="schemaId", max_length=200)
    notify_via_webhook: bool = Field(
        False, alias="notifyViaWebhook", strict=True,
        description="repstride extension: send this video's webhook events (video.analysis.*, "
                    "video.overlays.completed) to the client's PUT /webhook receiver. Frozen "
                    "at creation.")


class VideoCreateOut(BaseModel):
    id: str
    url: str
    fields: dict[str, str]


class VideoUpdateIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    rep_count: RepCount | None = Field(None, alias="repCount")
    domain: str | None = Field(None, max_length=64, json_schema_extra=_one_of(DOMAINS))
    activity: str | None = Field(None, max_length=64, json_schema_extra=_one_of(ALL_ACTIVITIES))


class VideoIdOut(BaseModel):
    id: str
