"""Pipelines the worker *subprocesses* of the scale tests load through ``REPSTRIDE_PIPELINE``
(tests only; ``PYTHONPATH`` includes this directory and ``tests/service``).

``HeldPipeline`` is the fast synthetic pipeline of ``svc_helpers.FastPipeline`` plus:
- every stage appends a JSON line to ``$REPSTRIDE_TEST_EVENTS`` (event, pid, frames) so a test
  can count how often each clip was posed and analysed, by which process;
- the pose stage waits while the file ``$REPSTRIDE_TEST_HOLD`` exists (a job "mid-flight" that a
  test can kill, then release by deleting the file).
"""

from __future__ import annotations

import json
import os
import time

from svc_helpers import FastPipeline


def _frames(path) -> int:  # noqa: ANN001
    from repstride.media import iter_frames

    return sum(1 for _ in iter_frames(path))


class HeldPipeline(FastPipeline):
    def __init__(self) -> None:
        super().__init__()
        self.events = os.environ.get("REPSTRIDE_TEST_EVENTS")
        self.hold = os.environ.get("REPSTRIDE_TEST_HOLD")

    def _log(self, event: str, frames: int) -> None:
        if not self.events:
            return
        line = json.dumps({"event": event, "pid": os.getpid(), "frames": frames}) + "\n"
        fd = os.open(self.events, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())  # one small O_APPEND write: lines never interleave
        finally:
            os.close(fd)

    def warm_up(self) -> None:
        self._log("warm-up", 0)

    def pose(self, path, *, progress=None):  # noqa: ANN001, ANN201
        n = _frames(path)
        self._log("pose-start", n)
        while self.hold and os.path.exists(self.hold):
            if progress is not None:
                progress(0, n)
            time.sleep(0.05)
        result = super().pose(path, progress=progress)
        self._log("pose-end", n)
        return result

    def analyze(self, track, *, domain, activity, rep_count, video_path=None):  # noqa: ANN001, ANN201
        self._log("analyze", len(track))
        return super().analyze(track, domain=domain, activity=activity, rep_count=rep_count)


def read_events(path) -> list[dict]:  # noqa: ANN001
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []
