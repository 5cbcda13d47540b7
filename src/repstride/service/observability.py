"""Logs and metrics: one log line per request and per job state change, Prometheus metrics.

- **Request ids.** The HTTP edge gives every request an id (the client's ``X-Request-ID`` when it
  is a short token, else a new one), returns it as the ``X-Request-ID`` header and keeps it in
  :data:`request_id` for the request's duration; a job created meanwhile stores it
  (``jobs.request_id``), and the job's log lines carry it, so a request and the work it started
  are one ``grep`` apart.
- **Log lines** are ``logging`` records with their fields in ``extra={"fields": {...}}``;
  :func:`configure_logging` prints them as ``key=value`` text or one JSON object per line
  (``REPSTRIDE_LOG_FORMAT=text|json``). What is logged is chosen field by field (route template,
  never the raw path or query), so no token, secret, apiKey or signed URL reaches a log.
- **Metrics** live in one :class:`Metrics` per :class:`~repstride.service.container.Services`
  (its own registry: two apps in one process do not mix). Request counts and latency by route,
  job durations by kind and outcome are counted as they happen; jobs by state, the queue depth
  and webhook deliveries by outcome are read from the database when ``/metrics`` is scraped, so
  they hold across every API and worker process.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest

#: The id of the request being served (None outside a request, e.g. in a worker).
request_id: ContextVar[str | None] = ContextVar("repstride_request_id", default=None)

#: A client-sent ``X-Request-ID`` is kept only when it looks like an id (else a new one is made).
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

#: Latency buckets (seconds): API calls are milliseconds, uploads and long polls seconds.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: Job buckets (seconds): a pose pass on a long clip takes minutes.
_JOB_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


def accept_request_id(value: str | None, new: Callable[[], str]) -> str:
    """The client's request id if it is a plausible one, else ``new()``."""
    if value and _CLIENT_ID_RE.match(value):
        return value
    return new()


def log_event(logger: logging.Logger, message: str, level: int = logging.INFO,
              **fields: Any) -> None:
    """One structured log line: ``message`` plus ``fields`` (None values are left out)."""
    rid = request_id.get()
    if rid is not None and "request_id" not in fields:
        fields["request_id"] = rid
    logger.log(level, message, extra={"fields": {k: v for k, v in fields.items() if v is not None}})


def _text_value(v: Any) -> str:
    s = str(v)
    return json.dumps(s) if (not s or any(c in s for c in ' "=')) else s


class TextFormatter(logging.Formatter):
    """``2026-12-07T09:00:00+00:00 INFO repstride.http request method=GET route=/videos status=200``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="seconds")
        fields = getattr(record, "fields", None) or {}
        line = f"{stamp} {record.levelname} {record.name} {record.getMessage()}"
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message`` and the fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3), "level": record.levelname, "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return TextFormatter()
    raise ValueError(f"unknown log format {fmt!r}; expected 'text' or 'json'")


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Route every ``repstride`` (and uvicorn error) log record to stderr in ``fmt``.

    uvicorn's own access log is switched off by the server config: the request line here
    replaces it (it names the route template, never the query string)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    handler.repstride = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for h in list(root.handlers):  # a second call replaces ours, other handlers stay
        if getattr(h, "repstride", False):
            root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)


class Metrics:
    """The Prometheus metrics of one server (API process or worker)."""

    def __init__(self, *, jobs: Callable[[], Mapping[str, int]] | None = None,
                 deliveries: Callable[[], Mapping[str, int]] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "repstride_http_requests", "HTTP requests answered, by route template and status.",
            ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram(
            "repstride_http_request_duration_seconds", "Time to answer an HTTP request.",
            ("method", "route"), buckets=_HTTP_BUCKETS, registry=self.registry)
        self.job_duration = Histogram(
            "repstride_job_duration_seconds",
            "Time a worker of this process spent on a job, by stage (job kind) and outcome.",
            ("stage", "outcome"), buckets=_JOB_BUCKETS, registry=self.registry)
        self.registry.register(_TableCollector(jobs, deliveries))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_job(self, stage: str, outcome: str, seconds: float) -> None:
        self.job_duration.labels(stage, outcome).observe(seconds)

    def exposition(self) -> bytes:
        """The text exposition format (``text/plain; version=0.0.4``)."""
        return generate_latest(self.registry)


class _TableCollector:
    """Gauges read from the shared database at scrape time."""

    def __init__(self, jobs: Callable[[], Mapping[str, int]] | None,
                 deliveries: Callable[[], Mapping[str, int]] | None) -> None:
        self.jobs = jobs
        self.deliveries = deliveries

    def describe(self) -> list[Any]:
        return []  # read at scrape time only (no database access on registration)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.jobs is not None:
            counts = _safe(self.jobs)
            by_state = GaugeMetricFamily("repstride_jobs", "Jobs in the jobs table, by state.",
                                         labels=("state",))
            for state in ("queued", "running", "done", "failed"):
                by_state.add_metric((state,), float(counts.get(state, 0)))
            yield by_state
            yield GaugeMetricFamily("repstride_queue_depth",
                                    "Jobs waiting for a worker (queued).",
                                    value=float(counts.get("queued", 0)))
        if self.deliveries is not None:
            fam = GaugeMetricFamily("repstride_webhook_deliveries",
                                    "Webhook deliveries in the database, by outcome.",
                                    labels=("outcome",))
            for outcome, n in sorted(_safe(self.deliveries).items()):
                fam.add_metric((outcome,), float(n))
            yield fam


def _safe(read: Callable[[], Mapping[str, int]]) -> Mapping[str, int]:
    try:
        return read()
    except Exception:  # a scrape must answer even when the database does not
        logging.getLogger(__name__).warning("metrics: could not read the database", exc_info=True)
        return {}
