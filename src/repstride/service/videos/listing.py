"""``GET /videos`` (a repstride extension): the caller's videos, newest first, one page at a time.

Order: ``created_at`` then ``id``, both descending (stable, also for videos created in the same
instant). Paging is by keyset: the cursor is an opaque token naming the last video of the page
(base64url of its ``created_at`` and ``id``), so pages stay consistent while videos are created
or deleted, and a page costs the same at any depth. The cursor only positions the listing: the
filters are re-sent with every page (the ``Link`` header of a page carries them).

Filters: ``status`` (the video's: Pending / Success / Failed), ``analysis_status`` (Pending /
Complete / Failed), ``activity`` (one of the Video API's activities) and ``created_after`` /
``created_before`` (exclusive bounds, UNIX seconds or ISO 8601).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, or_, select

from repstride.analysis.activities import ACTIVITY_DOMAIN
from repstride.errors import ValidationFailed
from repstride.service.models import Video

#: Page size of ``GET /videos`` when ``limit`` is left out (the whole listing before paging
#: existed was these 100 newest videos), and the largest ``limit`` accepted.
DEFAULT_VIDEO_PAGE, MAX_VIDEO_PAGE = 100, 500
#: Accepted values of the ``status`` and ``analysisStatus`` filters.
VIDEO_STATUSES = ("Pending", "Success", "Failed")
ANALYSIS_STATUSES = ("Pending", "Complete", "Failed")


def _invalid(field: str, message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, details={"field": field, **details})


def parse_time(value: str | None, field: str) -> float | None:
    """UNIX seconds (``1796000000.5``) or ISO 8601 (``2026-12-07T10:00:00Z``; without a zone,
    UTC) -> UNIX seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        t = float(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise _invalid(field, f"{field} must be UNIX seconds or an ISO 8601 time, "
                                  f"not {text[:40]!r}.") from None
        t = (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()
    if not math.isfinite(t):
        raise _invalid(field, f"{field} must be a finite time.")
    return t


def encode_cursor(v: Any) -> str:
    """The cursor after video ``v`` (anything with ``created_at`` and ``id``)."""
    raw = json.dumps([v.created_at, v.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        t, vid = json.loads(raw)
        if isinstance(t, (int, float)) and not isinstance(t, bool) and isinstance(vid, str) \
                and math.isfinite(t) and len(vid) <= 64:
            return float(t), vid
    except (binascii.Error, ValueError, TypeError):
        pass
    raise _invalid("cursor", "cursor is not one this server issued (use the X-Next-Cursor of "
                             "the previous page).")


@dataclass(frozen=True)
class VideoQuery:
    """One page request of ``GET /videos``, checked on construction."""

    limit: int = DEFAULT_VIDEO_PAGE
    cursor: str | None = None
    status: str | None = None
    analysis_status: str | None = None
    activity: str | None = None
    created_after: float | None = None
    created_before: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_VIDEO_PAGE:
            raise _invalid("limit", f"limit must be between 1 and {MAX_VIDEO_PAGE}.",
                           max=MAX_VIDEO_PAGE)
        for field, value, accepted in (("status", self.status, VIDEO_STATUSES),
                                       ("analysisStatus", self.analysis_status,
                                        ANALYSIS_STATUSES),
                                       ("activity", self.activity, tuple(ACTIVITY_DOMAIN))):
            if value is not None and value not in accepted:
                raise _invalid(field, f"Unknown {field} {value[:64]!r}.",
                               accepted=sorted(accepted))
        if self.cursor is not None:
            decode_cursor(self.cursor)

    def where(self, client_id: str) -> list[Any]:
        cond: list[Any] = [Video.client_id == client_id]
        for column, value in ((Video.status, self.status),
                              (Video.analysis_status, self.analysis_status),
                              (Video.activity, self.activity)):
            if value is not None:
                cond.append(column == value)
        if self.created_after is not None:
            cond.append(Video.created_at > self.created_after)
        if self.created_before is not None:
            cond.append(Video.created_at < self.created_before)
        if self.cursor is not None:
            t, vid = decode_cursor(self.cursor)
            cond.append(or_(Video.created_at < t, and_(Video.created_at == t, Video.id < vid)))
        return cond


def page_rows(session: Any, client_id: str, q: VideoQuery) -> tuple[list[Video], str | None]:
    """One page of rows and the cursor of the next page (None on the last one)."""
    rows = list(session.scalars(select(Video).where(*q.where(client_id))
                                .order_by(Video.created_at.desc(), Video.id.desc())
                                .limit(q.limit + 1)))
    more = len(rows) > q.limit
    rows = rows[:q.limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


__all__ = ["ANALYSIS_STATUSES", "DEFAULT_VIDEO_PAGE", "MAX_VIDEO_PAGE", "VIDEO_STATUSES",
           "VideoQuery", "decode_cursor", "encode_cursor", "page_rows", "parse_time"]
