"""Running Analysis API: the listing of analyses, credits, and subjects (runners).

``GET /analysis`` and ``GET /subjects`` / ``GET /subjects/{id}/analysis`` are newest first with
``limit`` (1..100, default 20) / ``offset`` pagination; each page says ``total`` and
``next_offset`` (null on the last page). Another client's subject is 404 like a missing one;
``POST /subjects/{id}/delete`` is a soft delete (the subject's analyses stay).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path as PathParam, Query
from pydantic import BaseModel, ConfigDict, Field

from repstride.api.running.routes import RequestLanguage, RunningClient, RunningDep
from repstride.api.running.schemas import (
    RUNNING_ERRORS, AnalysisPageOut, CreditsOut, SubjectCreatedOut, SubjectDeletedOut, SubjectOut,
    SubjectPageOut,
)
from repstride.api.schemas import documented
from repstride.service.running.subjects import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, SubjectFields

router = APIRouter(tags=["running analysis"], responses=RUNNING_ERRORS)

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                             description=f"Page size, at most {MAX_PAGE_SIZE}.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip (the previous page's "
                                                "`next_offset`).")]
SubjectId = Annotated[str, PathParam(alias="id", max_length=500)]


class SubjectIn(BaseModel):
    """``height`` in metres, ``weight`` in kilograms."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(None, max_length=1000)
    email: str | None = Field(None, max_length=1000)
    height: float | None = Field(None, description="metres (0.5-2.5)")
    weight: float | None = Field(None, description="kilograms (20-250)")

    def fields(self) -> SubjectFields:
        return SubjectFields(name=self.name, email=self.email, height=self.height,
                             weight=self.weight)


@router.get("/analysis", **documented(AnalysisPageOut))
def list_analyses(client: RunningClient, running: RunningDep,
                  limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    """The caller's analyses, newest first: ``{analyses: [{video_id, status, percentage,
    analysis_type, subject_id, created_at}], total, limit, offset, next_offset}``."""
    return running.subjects.analyses(client.id, Page(limit, offset))


@router.get("/credits", **documented(CreditsOut))
def get_credits(client: RunningClient, running: RunningDep) -> dict[str, Any]:
    """``{credits, credits_per_analysis}``: the caller's remaining credits."""
    return running.credits_body(client.id)


@router.post("/subjects", status_code=201, **documented(SubjectCreatedOut, 201))
def create_subject(body: SubjectIn, client: RunningClient, running: RunningDep) -> dict[str, Any]:
    """``{name, email?, height? (m), weight? (kg)}`` -> 201 ``{subject_id, created_at}``."""
    return running.subjects.create(client.id, body.fields())


@router.get("/subjects", **documented(SubjectPageOut))
def list_subjects(client: RunningClient, running: RunningDep,
                  limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0) -> dict[str, Any]:
    """The caller's subjects, newest first (``{subjects: [...], total, limit, offset,
    next_offset}``)."""
    return running.subjects.list(client.id, Page(limit, offset))


@router.get("/subjects/{id}", **documented(SubjectOut))
def get_subject(subject_id: SubjectId, client: RunningClient, running: RunningDep,
                lang: RequestLanguage) -> dict[str, Any]:
    return running.subjects.get(client.id, subject_id, lang=lang)


@router.put("/subjects/{id}", **documented(SubjectOut))
def update_subject(subject_id: SubjectId, body: SubjectIn, client: RunningClient,
                   running: RunningDep, lang: RequestLanguage) -> dict[str, Any]:
    """Fields sent replace the stored ones; fields left out keep their value."""
    return running.subjects.update(client.id, subject_id, body.fields(), lang=lang)


@router.post("/subjects/{id}/delete", **documented(SubjectDeletedOut))
def delete_subject(subject_id: SubjectId, client: RunningClient, running: RunningDep,
                   lang: RequestLanguage) -> dict[str, Any]:
    """Soft delete: ``{subject_id, deleted: true}``; the subject is 404 afterwards."""
    return running.subjects.delete(client.id, subject_id, lang=lang)


@router.get("/subjects/{id}/analysis", **documented(AnalysisPageOut))
def list_subject_analyses(subject_id: SubjectId, client: RunningClient, running: RunningDep,
                          lang: RequestLanguage, limit: Limit = DEFAULT_PAGE_SIZE,
                          offset: Offset = 0) -> dict[str, Any]:
    """That subject's analyses, newest first (same shape as ``GET /analysis``)."""
    return running.subjects.analyses(client.id, Page(limit, offset), subject_id=subject_id,
                                     lang=lang)


__all__ = ["router"]
