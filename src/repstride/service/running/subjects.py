"""Subjects (runners) of the Running Analysis API and the listings of analyses.

A subject belongs to one client; another client's subject is 404 exactly like a missing one.
Deleting is soft: the subject is gone from the API (404, not listed, refused at start) while its
analyses keep their ``subject_id``.

Listings are newest first (``created_at`` then ``id`` descending, a stable order) with
``limit``/``offset`` pagination: ``limit`` 1..:data:`MAX_PAGE_SIZE` (default
:data:`DEFAULT_PAGE_SIZE`).
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, update

from repstride.errors import NotFound, ValidationFailed
from repstride.i18n import translate
from repstride.service.db import MAX_ID_LENGTH
from repstride.service.running.models import RunningAnalysis, RunningSubject

#: Page size of the listings when ``limit`` is left out, and the largest one accepted.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Plausible subject ranges (the start form's, in the subject's units).
SUBJECT_HEIGHT_RANGE_M = (0.5, 2.5)
SUBJECT_WEIGHT_RANGE_KG = (20.0, 250.0)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def iso(t: float | None) -> str | None:
    """UNIX seconds -> ISO 8601 UTC (``2026-12-06T19:20:00Z``)."""
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


@dataclass(frozen=True)
class Page:
    """``limit`` / ``offset`` checked against :data:`MAX_PAGE_SIZE`."""

    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE_SIZE}.",
                                   details={"field": "limit", "max": MAX_PAGE_SIZE})
        if self.offset < 0:
            raise ValidationFailed("offset must be 0 or more.", details={"field": "offset"})

    def wrap(self, key: str, items: list[dict[str, Any]], total: int) -> dict[str, Any]:
        nxt = self.offset + len(items)
        return {key: items, "total": total, "limit": self.limit, "offset": self.offset,
                "next_offset": nxt if nxt < total else None}


@dataclass(frozen=True)
class SubjectFields:
    """The writable fields; ``None`` = not given (PUT keeps the stored value)."""

    name: str | None = None
    email: str | None = None
    height: float | None = None
    weight: float | None = None

    def checked(self, *, creating: bool) -> SubjectFields:
        problems: list[dict[str, str]] = []
        name = self.name.strip() if isinstance(self.name, str) else None
        if (creating or self.name is not None) and not (name and len(name) <= 200):
            problems.append({"field": "name", "problem": "1 to 200 characters"})
        email = self.email.strip() if isinstance(self.email, str) else None
        if email is not None and email != "" and not (len(email) <= 320 and _EMAIL.match(email)):
            problems.append({"field": "email", "problem": "not an e-mail address"})
        for field, value, (lo, hi), unit in (("height", self.height, SUBJECT_HEIGHT_RANGE_M, "m"),
                                             ("weight", self.weight, SUBJECT_WEIGHT_RANGE_KG, "kg")):
            if value is not None and not (math.isfinite(value) and lo <= value <= hi):
                problems.append({"field": field, "problem": f"between {lo:g} and {hi:g} {unit}"})
        if problems:
            summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
            raise ValidationFailed(f"Invalid subject: {summary}.", details={"errors": problems})
        return SubjectFields(name=name, email=email, height=self.height, weight=self.weight)


def subject_wire(row: RunningSubject) -> dict[str, Any]:
    return {"subject_id": row.id, "name": row.name, "email": row.email, "height": row.height_m,
            "weight": row.weight_kg, "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at)}


def analysis_item(row: RunningAnalysis) -> dict[str, Any]:
    """One analysis in a listing."""
    return {"video_id": row.id, "status": row.status, "percentage": row.percentage,
            "analysis_type": row.analysis_type, "subject_id": row.subject_id,
            "created_at": iso(row.created_at)}


class Subjects:
    """Subjects and listings of one :class:`RunningService`."""

    def __init__(self, running: Any) -> None:
        """``running``: the :class:`~repstride.service.running.service.RunningService` (not
        imported: it imports this module)."""
        self.running = running

    @property
    def db(self):  # noqa: ANN201
        return self.running.db

    def _now(self) -> float:
        return self.running.clock()

    def _not_found(self, subject_id: str, lang: str) -> NotFound:
        return NotFound(translate("running_api.error.subject_not_found", lang),
                        details={"subject_id": subject_id})

    def _row(self, s: Any, client_id: str, subject_id: str, lang: str) -> RunningSubject:
        row = s.get(RunningSubject, subject_id) if len(subject_id) <= MAX_ID_LENGTH else None
        if row is None or row.client_id != client_id or row.deleted_at is not None:
            raise self._not_found(subject_id, lang)
        return row

    # -- subjects ---------------------------------------------------------------------------

    def create(self, client_id: str, fields: SubjectFields) -> dict[str, Any]:
        f = fields.checked(creating=True)
        now = self._now()
        row = RunningSubject(id=uuid.uuid4().hex, client_id=client_id, name=f.name,
                             email=f.email or None, height_m=f.height, weight_kg=f.weight,
                             created_at=now, updated_at=now)
        with self.db.session() as s:
            s.add(row)
            s.flush()
            return {"subject_id": row.id, "created_at": iso(row.created_at)}

    def get(self, client_id: str, subject_id: str, *, lang: str = "en") -> dict[str, Any]:
        with self.db.session() as s:
            return subject_wire(self._row(s, client_id, subject_id, lang))

    def require(self, client_id: str, subject_id: str, *, lang: str = "en") -> dict[str, Any]:
        """The caller's live subject (start uses it), else 404."""
        return self.get(client_id, subject_id, lang=lang)

    def update(self, client_id: str, subject_id: str, fields: SubjectFields, *,
               lang: str = "en") -> dict[str, Any]:
        f = fields.checked(creating=False)
        with self.db.session() as s:
            row = self._row(s, client_id, subject_id, lang)
            if f.name is not None:
                row.name = f.name
            if f.email is not None:
                row.email = f.email or None
            if f.height is not None:
                row.height_m = f.height
            if f.weight is not None:
                row.weight_kg = f.weight
            row.updated_at = self._now()
            s.flush()
            return subject_wire(row)

    def delete(self, client_id: str, subject_id: str, *, lang: str = "en") -> dict[str, Any]:
        with self.db.session() as s:
            row = self._row(s, client_id, subject_id, lang)
            now = self._now()
            s.execute(update(RunningSubject).where(RunningSubject.id == row.id)
                      .values(deleted_at=now, updated_at=now))
        return {"subject_id": subject_id, "deleted": True}

    def list(self, client_id: str, page: Page) -> dict[str, Any]:
        where = (RunningSubject.client_id == client_id, RunningSubject.deleted_at.is_(None))
        with self.db.session() as s:
            total = s.scalar(select(func.count()).select_from(RunningSubject).where(*where)) or 0
            rows = s.scalars(select(RunningSubject).where(*where)
                             .order_by(RunningSubject.created_at.desc(), RunningSubject.id.desc())
                             .limit(page.limit).offset(page.offset)).all()
            return page.wrap("subjects", [subject_wire(r) for r in rows], int(total))

    # -- analyses ----------------------------------------------------------------------------

    def analyses(self, client_id: str, page: Page, *, subject_id: str | None = None,
                 lang: str = "en") -> dict[str, Any]:
        """The caller's analyses (of one subject when ``subject_id``), newest first."""
        where: list[Any] = [RunningAnalysis.client_id == client_id]
        with self.db.session() as s:
            if subject_id is not None:
                self._row(s, client_id, subject_id, lang)
                where.append(RunningAnalysis.subject_id == subject_id)
            total = s.scalar(select(func.count()).select_from(RunningAnalysis).where(*where)) or 0
            rows = s.scalars(select(RunningAnalysis).where(*where)
                             .order_by(RunningAnalysis.created_at.desc(),
                                       RunningAnalysis.id.desc())
                             .limit(page.limit).offset(page.offset)).all()
            return page.wrap("analyses", [analysis_item(r) for r in rows], int(total))


__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "Page", "SubjectFields", "Subjects",
           "analysis_item", "iso", "subject_wire"]
