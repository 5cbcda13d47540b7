"""A daemon thread that runs one step every ``period_s`` until stopped: the Celery job sweeper
and the retention scheduler. A failing step is logged and tried again next period (the database
may be briefly away)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Periodic:
    """Subclasses set ``period_s`` and implement :meth:`step`. ``run_at_start``: the first step
    runs at once (else one period after :meth:`start`)."""

    thread_name = "repstride-periodic"
    run_at_start = True
    period_s: float

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _loop(self) -> None:
        if not self.run_at_start and self._stop.wait(self.period_s):
            return
        while True:
            try:
                self.step()
            except Exception:  # database briefly away: try again next period
                log.exception("%s: step failed", self.thread_name)
            if self._stop.wait(self.period_s):
                return


__all__ = ["Periodic"]
