"""Per-client quotas on new analyses: Video API videos created plus Running analyses started.

Counted from the ``videos`` and ``running_analyses`` tables themselves (both indexed by client),
so a limit holds across every API process sharing the database, with no
counter to keep in step. Two requests racing for the last unit may both pass (the count is read,
then the row written): a limit can be exceeded by the number of concurrent requests of one client,
never more. Over a limit: 429 ``quota_exceeded`` with ``Retry-After`` and the ``RateLimit-Limit``
/ ``RateLimit-Remaining`` / ``RateLimit-Reset`` headers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from repstride.errors import QuotaExceeded
from repstride.service.db import Database
from repstride.service.models import Video
from repstride.service.running.models import ANALYZING, PENDING, RunningAnalysis
from repstride.service.settings import QuotaSettings

MINUTE, DAY = 60.0, 86400.0


class Quotas:
    def __init__(self, db: Database, settings: QuotaSettings, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def check(self, client_id: str) -> None:
        """Raise :class:`QuotaExceeded` when one more analysis would pass a limit."""
        now = self.clock()
        s = self.settings
        for limit, window, name in ((s.per_minute, MINUTE, "per_minute"),
                                    (s.per_day, DAY, "per_day")):
            if limit <= 0:
                continue
            used, oldest = self._created_since(client_id, now - window)
            if used >= limit:
                reset = max(1, int((oldest or now) + window - now + 0.999))
                raise QuotaExceeded(
                    f"At most {limit} new analyses {name.replace('_', ' ')} per client; "
                    f"retry in {reset} s.",
                    details={"quota": name, "limit": limit, "remaining": 0,
                             "retry_after_s": reset})
        if s.concurrent > 0:
            running = self._in_progress(client_id)
            if running >= s.concurrent:
                raise QuotaExceeded(
                    f"At most {s.concurrent} analyses in progress at once per client; retry "
                    "when one finishes.",
                    details={"quota": "concurrent", "limit": s.concurrent, "remaining": 0,
                             "retry_after_s": s.concurrent_retry_s})

    def _created_since(self, client_id: str, since: float) -> tuple[int, float | None]:
        """How many analyses the client created after ``since``, and the oldest of them."""
        with self.db.session() as sess:
            total, oldest = 0, None
            for model in (Video, RunningAnalysis):
                n, first = sess.execute(select(func.count(), func.min(model.created_at)).where(
                    model.client_id == client_id, model.created_at > since)).one()
                total += int(n or 0)
                if first is not None:
                    oldest = first if oldest is None else min(oldest, first)
            return total, oldest

    def _in_progress(self, client_id: str) -> int:
        """Uploaded videos whose analysis is still pending, and running analyses not finished."""
        with self.db.session() as sess:
            videos = sess.scalar(select(func.count()).select_from(Video).where(
                Video.client_id == client_id, Video.uploaded_at.is_not(None),
                Video.status != "Failed", Video.analysis_status == "Pending")) or 0
            running = sess.scalar(select(func.count()).select_from(RunningAnalysis).where(
                RunningAnalysis.client_id == client_id,
                RunningAnalysis.status.in_((PENDING, ANALYZING)))) or 0
            return int(videos) + int(running)
