"""``repstride remote analyze|run-analysis``: analyze a file on a repstride server (or the
commercial APIs it mirrors) through the SDK; ``repstride remote webhook set|test|deliveries``:
the client's webhook receiver.

Server and credentials: ``--server`` / ``REPSTRIDE_SERVER``, ``REPSTRIDE_CLIENT_ID`` and
``REPSTRIDE_CLIENT_SECRET``, or ``~/.config/repstride/config.toml`` (see docs/sdk.md). Progress
bars go to stderr, so ``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from repstride.cli.group import cli
from repstride.client import (
    ACTIVITY_DOMAIN, RUNNING_LANGUAGES, AnalysisFailed, AuthError, Client, InsufficientCredits,
    InvalidInput, NotFound, Progress, RepstrideError, Timeout, TransportError,
)

#: SDK error -> exit code (first match wins; 1 otherwise). Same numbers as the local CLI's
#: ``EXIT_CODES`` for the same family of failure.
EXIT_CODES: tuple[tuple[type[RepstrideError], int], ...] = (
    (InvalidInput, 2),
    (AnalysisFailed, 4),
    (AuthError, 5),
    (NotFound, 6),
    (InsufficientCredits, 7),
    (Timeout, 8),
    (TransportError, 9),
)


class RemoteError(click.ClickException):
    """An SDK error shown as ``error [code]: message`` with its exit code."""

    def __init__(self, exc: RepstrideError) -> None:
        super().__init__(f"[{exc.code}] {exc.message}")
        self.exit_code = (  # type: ignore[misc]  # click's per-instance exit code
            3 if exc.code == "file_too_large"
            else next((c for t, c in EXIT_CODES if isinstance(exc, t)), 1))

    def show(self, file: Any = None) -> None:
        click.echo(f"error {self.format_message()}", err=True)


@contextmanager
def _sdk_errors() -> Iterator[None]:
    try:
        yield
    except RepstrideError as exc:
        raise RemoteError(exc) from exc


def _make_client(**kwargs: Any) -> Client:
    """Indirection so tests can inject a transport."""
    return Client(**kwargs)


class PaceType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    name = "MM:SS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not re.fullmatch(r"\d{1,2}:[0-5]\d", str(value)):
            self.fail(f"{value!r} is not a pace like 5:30 (minutes:seconds per km)", param, ctx)
        return str(value)


class ProgressUI:
    """Turns SDK :class:`Progress` events into click progress bars on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stage: str | None = None
        self._started = time.monotonic()

    def _open(self, stage: str, length: int, label: str) -> None:
        self.close()
        self._stage = stage
        self._started = time.monotonic()
        self._bar = click.progressbar(length=max(length, 1), label=label, file=sys.stderr,
                                      show_percent=True, show_eta=False,
                                      item_show_func=lambda s: s)
        self._bar.__enter__()

    def __call__(self, event: Progress) -> None:
        if not self.enabled:
            return
        if event.stage != self._stage:
            if event.stage == "upload":
                self._open("upload", int(event.total or 1), "upload    ")
            else:
                self._open(event.stage, 100 if event.stage == "processing" else int(event.total or 1),
                           "processing" if event.stage == "processing" else "download  ")
        bar = self._bar
        if event.stage == "processing":
            target = int(event.done) if event.done is not None else bar.pos
            elapsed = time.monotonic() - self._started
            bar.update(max(target - bar.pos, 0), f"{event.status or ''} {elapsed:.0f}s")
        else:
            bar.update(max(int(event.done or 0) - bar.pos, 0))

    def finish(self) -> None:
        if self._bar is not None and self._stage == "processing":
            self._bar.update(self._bar.length - self._bar.pos, "done")
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._stage = None


def _connection_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Where the server is and how to authenticate, and ``--json``."""
    f = click.option("--auth-header", type=click.Choice(["raw", "bearer"]), default=None,
                     help="Send the token raw (seed style, default) or as 'Bearer <token>'.")(f)
    f = click.option("--token-url", default=None, envvar="REPSTRIDE_TOKEN_URL",
                     help="OAuth token endpoint (default: SERVER/oauth2/token).")(f)
    f = click.option("--server", default=None, envvar="REPSTRIDE_SERVER",
                     help="API base URL (default: REPSTRIDE_SERVER, the config file, or "
                          "http://127.0.0.1:8000).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")(f)
    return f


def _server_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`_connection_options` and the waiting options of the analysis commands."""
    f = _connection_options(f)
    f = click.option("--timeout", type=click.FloatRange(min=1), default=900.0, show_default=True,
                     help="Give up waiting for the result after this many seconds.")(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(f)
    return f


@cli.group("remote")
def remote_group() -> None:
    """Analyze videos on a repstride server (or a compatible API) through the SDK."""


@remote_group.command("analyze")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--activity", type=click.Choice(sorted(ACTIVITY_DOMAIN)), default=None,
              help="The movement (default: recognised by the server).")
@click.option("--rep-count", type=click.IntRange(min=0), default=None,
              help="Reps expected, if known.")
@click.option("--overlay", "overlay_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also download the annotated ('all') overlay video here.")
@_server_options
def analyze_command(video: Path, activity: str | None, rep_count: int | None,
                    overlay_path: Path | None, server: str | None, token_url: str | None,
                    auth_header: str | None, timeout: float, as_json: bool, quiet: bool) -> None:
    """Upload VIDEO to the Video API and print reps and per-rep analyses."""
    ui = ProgressUI(enabled=not quiet)
    with _sdk_errors(), _make_client(base_url=server, token_url=token_url,
                                     auth_header_style=auth_header) as client:
        try:
            analysis = client.analyze(video, activity=activity, rep_count=rep_count, progress=ui,
                                      timeout=timeout)
            ui.finish()
            if overlay_path is not None:
                assert analysis.video_id is not None
                client.download_overlay(analysis.video_id, overlay_path, kind="all", progress=ui,
                                        timeout=timeout)
        finally:
            ui.close()
    if as_json:
        click.echo(json.dumps({"video_id": analysis.video_id, "analysis": analysis.to_wire()}))
        return
    click.echo(f"video {analysis.video_id}: {analysis.activity or 'unknown activity'} "
               f"({analysis.domain or '-'}), {analysis.rep_count} reps")
    for i, rep in enumerate(analysis.reps, 1):
        span = "-".join(f"{t / 1000:.2f}" if t is not None else "?"
                        for t in (rep.start_timestamp_ms, rep.end_timestamp_ms))
        metrics = ", ".join(
            f"{a.analysis_type}={a.analysis_scalar:.4g}" if isinstance(a.analysis_scalar, float)
            else f"{a.analysis_type}={a.analysis_scalar}" for a in rep.analyses)
        click.echo(f"  rep {i:>2}  {span} s  {metrics}")
    if overlay_path is not None:
        click.echo(f"overlay -> {overlay_path}")


@remote_group.command("run-analysis")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--view", type=click.Choice(["side", "back"]), required=True,
              help="Camera position: beside the runner or behind.")
@click.option("--treadmill", is_flag=True, help="The runner is on a treadmill (needs --pace).")
@click.option("--pace", type=PaceType(), default=None, help="Running pace MM:SS per km.")
@click.option("--height", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Runner height in cm (server default 170).")
@click.option("--weight", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Runner weight in kg (server default 70).")
@click.option("--language", type=click.Choice(RUNNING_LANGUAGES), default=None,
              help="Language of texts in the results (server default en).")
@click.option("--pronation-only", is_flag=True, help="Back view: pronation only (full_body=false).")
@click.option("--slow-motion", "slow_motion", type=click.FloatRange(min=1.0), default=None,
              help="The video plays K times slower than real time (slow_motion_factor).")
@_server_options
def run_analysis_command(video: Path, view: str, treadmill: bool, pace: str | None,
                         height: float | None, weight: float | None, language: str | None,
                         pronation_only: bool, slow_motion: float | None, server: str | None,
                         token_url: str | None, auth_header: str | None, timeout: float,
                         as_json: bool, quiet: bool) -> None:
    """Upload VIDEO to the Running Analysis API and print its metrics."""
    if treadmill and pace is None:
        raise click.UsageError("--treadmill needs --pace MM:SS")
    ui = ProgressUI(enabled=not quiet)
    with _sdk_errors(), _make_client(base_url=server, token_url=token_url,
                                     auth_header_style=auth_header) as client:
        try:
            analysis_id = client.start_running_analysis(
                video, view=view, height=height, weight=weight, pace=pace, language=language,
                treadmill=treadmill or None, full_body=False if pronation_only else None,
                slow_motion_factor=slow_motion, progress=ui)
            results = client.wait_for_results(analysis_id, progress=ui, timeout=timeout)
            ui.finish()
        finally:
            ui.close()
        calculated = client.get_calculated_data(analysis_id)
    if as_json:
        click.echo(json.dumps({"analysis_id": analysis_id, "results": results.to_wire(),
                               "calculated_data": calculated.to_wire()}))
        return
    click.echo(f"analysis {analysis_id}: {results.status}")
    data = calculated.to_wire()
    if data.get("total_score") is not None:
        click.echo(f"  total_score: {data['total_score']}")
    for key in ("metrics", "overstride", "gait_cycle"):
        if isinstance(data.get(key), dict):
            click.echo(f"  {key}:")
            for name, value in data[key].items():
                click.echo(f"    {name}: {_show(value)}")


def _show(value: Any) -> str:
    """``{"value": 3.3, "unit": "m/s", ...}`` as ``3.3 m/s``; other structures as JSON."""
    if isinstance(value, dict) and "value" in value:
        return f"{value['value']} {value.get('unit', '')}".rstrip()
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


# --- webhook -------------------------------------------------------------------------------------


@remote_group.group("webhook")
def webhook_group() -> None:
    """The receiver of this client's webhook events (both APIs share it)."""


@webhook_group.command("set")
@click.argument("url")
@click.option("--disable", is_flag=True, help="Keep the receiver but send nothing to it.")
@click.option("--rotate-secret", is_flag=True, help="Issue a new signing secret (shown once).")
@_connection_options
def webhook_set_command(url: str, disable: bool, rotate_secret: bool, server: str | None,
                        token_url: str | None, auth_header: str | None, as_json: bool) -> None:
    """Send this client's events to URL (http:// or https://)."""
    with _sdk_errors(), _make_client(base_url=server, token_url=token_url,
                                     auth_header_style=auth_header) as client:
        cfg = client.set_webhook(url, enabled=not disable, rotate_secret=rotate_secret)
    if as_json:
        click.echo(json.dumps(cfg.to_wire()))
        return
    click.echo(f"webhook {cfg.url} {'enabled' if cfg.enabled else 'disabled'}")
    if cfg.secret:
        click.echo(f"secret {cfg.secret}  (shown only now: keep it to verify signatures)")


@webhook_group.command("test")
@_connection_options
def webhook_test_command(server: str | None, token_url: str | None, auth_header: str | None,
                         as_json: bool) -> None:
    """Send a signed test event now and show the receiver's answer (exit 1 if it failed)."""
    with _sdk_errors(), _make_client(base_url=server, token_url=token_url,
                                     auth_header_style=auth_header) as client:
        result = client.test_webhook()
    if as_json:
        click.echo(json.dumps(result.to_wire()))
    elif result.success:
        click.echo(f"test event {result.delivery_id}: HTTP {result.status_code} in "
                   f"{result.latency_ms} ms")
    else:
        click.echo(f"test event {result.delivery_id} failed: "
                   f"{result.error or f'HTTP {result.status_code}'}", err=True)
    if not result.success:
        sys.exit(1)


@webhook_group.command("deliveries")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True,
              help="How many of the newest deliveries.")
@_connection_options
def webhook_deliveries_command(limit: int, server: str | None, token_url: str | None,
                               auth_header: str | None, as_json: bool) -> None:
    """The newest deliveries: time, type, resource, sequence, state, status code, latency."""
    with _sdk_errors(), _make_client(base_url=server, token_url=token_url,
                                     auth_header_style=auth_header) as client:
        rows = client.webhook_deliveries(limit=limit)
    if as_json:
        click.echo(json.dumps([d.to_wire() for d in rows]))
        return
    for d in rows:
        status = "-" if d.status_code is None else d.status_code
        latency = "-" if d.latency_ms is None else f"{d.latency_ms} ms"
        click.echo(f"{d.created_at}  {d.type:<26} {d.video_id or '-':<32} #{d.sequence:<3} "
                   f"{d.state:<9} {status}  {latency}  attempts={d.attempts}")
