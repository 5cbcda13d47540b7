"""Deleting a video or analysis while its job runs: the delete always succeeds at once (the
row and the blobs go), and the job notices at its next check and ends cleanly.

A job holds a :class:`DeletionWatch` over its resource. :meth:`DeletionWatch.check` is called
from the job's progress callback (throttled to one database read per ``interval_s``) and, with
``now=True``, after every blob the job writes and at its end. When the row is gone, the watch
removes the resource's blobs again -- whatever the job wrote after the delete's own cleanup --
and raises :class:`repstride.errors.Deleted`: the runner records the job as failed with reason
``deleted`` (never retried) and the give-up handler finds nothing left to mark.

Every write is followed by a check, so no blob outlives the delete: a write before the delete
is removed by the delete, a write after it by the check that follows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from repstride.errors import Deleted

#: Seconds between two existence checks from a progress callback.
CHECK_INTERVAL_S = 1.0


class DeletionWatch:
    """``exists()``: whether the resource's row is still there; ``cleanup()``: remove its
    blobs; ``what``: named in the error message."""

    def __init__(self, exists: Callable[[], bool], cleanup: Callable[[], object], *, what: str,
                 interval_s: float = CHECK_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.exists = exists
        self.cleanup = cleanup
        self.what = what
        self.interval_s = interval_s
        self.clock = clock
        self._last = -math.inf

    def check(self, *, now: bool = False) -> None:
        """Raise :class:`Deleted` (after the cleanup) when the resource is gone; without
        ``now`` at most one look per ``interval_s``."""
        t = self.clock()
        if not now and t - self._last < self.interval_s:
            return
        self._last = t
        if not self.exists():
            raise self.deleted()

    def deleted(self) -> Deleted:
        """For a job that saw the row gone itself: clean up and return the error to raise."""
        self.cleanup()
        return Deleted(f"{self.what} was deleted while it was being processed.")

    def progress(self, done: int, total: int) -> None:
        """A ``progress(done, total)`` callback that only checks (throttled)."""
        self.check()


__all__ = ["CHECK_INTERVAL_S", "DeletionWatch"]
