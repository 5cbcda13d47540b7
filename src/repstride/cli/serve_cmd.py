"""``repstride serve`` (API + in-process workers) and ``repstride db upgrade``."""

from __future__ import annotations

import logging

import click

from repstride.cli.group import cli


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="In-process analysis workers (default: REPSTRIDE_WORKERS or 1).")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="SQLite + blobs directory (default: REPSTRIDE_DATA_DIR or ./data).")
def serve_command(host: str, port: int, workers: int | None, data_dir: str | None) -> None:
    """Start the Video API server with its workers on the embedded defaults.

    Applies database migrations first. On the first start (no clients yet) it creates one and
    prints its credentials.
    """
    import uvicorn

    from repstride.api import create_app
    from repstride.api.server import uvicorn_config
    from repstride.service import build_services, load_settings
    from repstride.service.observability import configure_logging

    settings = load_settings(workers=workers, data_dir=data_dir)
    _check_port(host, port)  # before anything is created or printed
    configure_logging(settings.log_format)
    services = build_services(settings)
    _remove_stale_partials(services)
    public = settings.public_url or f"http://{_display_host(host)}:{port}"
    if services.clients.count() == 0:
        c = services.clients.create("default", credits=settings.default_client_credits)
        click.echo("No API client existed; created one (shown once, keep the secret):")
        click.echo(f"  client_id:     {c.id}")
        click.echo(f"  client_secret: {c.secret}")
        click.echo("  a first request (a Video API token):")
        click.echo(f"    curl -s -X POST {public}/oauth2/token -d grant_type=client_credentials "
                   f"-d client_id={c.id} -d client_secret={c.secret}")
        click.echo(f"  api_key:       {services.running.issue_api_key(c.id)}")
    else:
        click.echo(f"{services.clients.count()} API client(s) exist; another: "
                   "repstride clients create --name NAME", err=True)
    workers_desc = (f"{settings.workers} worker(s)" if settings.queue == "local"
                    else "celery queue; run `repstride worker`")
    click.echo(f"repstride on {public} ({services.db.engine.dialect.name}, {workers_desc}, "
               f"data in {settings.data_dir})", err=True)
    click.echo(f"  API docs: {public}/docs   dashboard: {public}/   metrics: {public}/metrics",
               err=True)
    app = create_app(services)
    _exit_zero_on_sigterm()
    uvicorn.Server(uvicorn_config(app, settings, host=host, port=port)).run()


def _exit_zero_on_sigterm() -> None:
    """SIGTERM is the orderly stop (systemd, docker, Kubernetes): uvicorn stops listening, the
    app's shutdown drains the workers (``REPSTRIDE_SHUTDOWN_GRACE_S``), then uvicorn raises the
    signal again against the handler it found, which is this one: exit status 0 instead of
    dying of the signal."""
    import signal
    import sys

    def _exit(signum: int, frame: object) -> None:
        sys.exit(0)

    signal.signal(signal.SIGTERM, _exit)


def _display_host(host: str) -> str:
    """Where a browser on this machine reaches a server listening on ``host``."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)


def _check_port(host: str, port: int) -> None:
    """Refuse to start (before creating a client or printing credentials) when the port is
    taken, instead of dying in uvicorn after the banner."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}. Is another server "
                "running there? Choose another port with --port.") from None


def _remove_stale_partials(services) -> None:  # noqa: ANN001
    """Partial upload files a killed server left in ``blobs/.tmp``: anything untouched for
    twice the body idle timeout (plus a minute) cannot belong to a live upload."""
    from repstride.service.blobs.local import LocalBlobStore

    if isinstance(services.blobs, LocalBlobStore):
        n = services.blobs.remove_stale_partials(2 * services.settings.http_body_idle_timeout_s + 60)
        if n:
            logging.getLogger("repstride.serve").info("removed %d partial upload file(s)", n)


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
def db_upgrade_command() -> None:
    """Apply pending migrations to REPSTRIDE_DATABASE_URL (or the SQLite file in the data dir)."""
    from repstride.service.migrate import current, upgrade
    from repstride.service.settings import load_settings

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    upgrade(url)
    click.echo(f"database at revision {current(url)}")
