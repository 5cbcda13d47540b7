"""Wire schemas of the Video API, separate from the ORM tables."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

StrictInt = Annotated[int, Field(strict=True)]


class VideoCreateIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    filename: str = Field(min_length=1, max_length=1024)
    size: StrictInt = Field(gt=0, description="Size of the file in bytes.")
    source: str | None = Field(None, max_length=1024)
    domain: str | None = Field(None, max_length=64)
    activity: str | None = Field(None, max_length=64)
    rep_count: StrictInt | None = Field(None, alias="repCount", ge=0, le=100_000)
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

    rep_count: StrictInt | None = Field(None, alias="repCount", ge=0, le=100_000)
    domain: str | None = Field(None, max_length=64)
    activity: str | None = Field(None, max_length=64)


class VideoIdOut(BaseModel):
    id: str
