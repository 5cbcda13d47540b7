"""``repstride worker``: a Celery worker running the analysis jobs (``REPSTRIDE_QUEUE=celery``)."""

from __future__ import annotations

import logging
import os
import socket
import uuid

import click

from repstride.cli.group import cli


@cli.command("worker")
@click.option("--concurrency", "-c", type=click.IntRange(1, 256), default=None,
              help="Worker processes (default: REPSTRIDE_WORKER_CONCURRENCY or 1). Each loads "
                   "the pose model once and runs one job at a time.")
@click.option("--loglevel", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--pool", default="prefork", show_default=True,
              type=click.Choice(["prefork", "solo", "threads"]),
              help="Celery pool; prefork = one OS process per concurrent job.")
def worker_command(concurrency: int | None, loglevel: str, pool: str) -> None:
    """Run analysis jobs from the broker at REPSTRIDE_BROKER_URL.

    Runs the same run_job(job_id) as the workers inside `repstride serve`; the jobs table decides
    who runs what (leases), so any number of workers on any number of machines can share one
    database, broker and object store. SIGTERM finishes the running jobs first; a worker killed
    outright loses nothing (the job runs again once its lease expires). Apply migrations first
    (`repstride db upgrade`).
    """
    from repstride.service.jobs.celery_app import create_worker_app, worker_argv
    from repstride.service.settings import load_settings

    from repstride.service.observability import configure_logging

    settings = load_settings(worker_concurrency=concurrency)
    configure_logging(settings.log_format, level=logging.getLevelName(loglevel.upper()))
    app = create_worker_app(settings)
    hostname = f"repstride-{os.getpid()}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    click.echo(f"repstride worker: {settings.worker_concurrency} process(es), queue "
               f"{settings.celery_queue!r} on {_redact(settings.broker_url)}", err=True)
    app.worker_main(worker_argv(settings, loglevel=loglevel.upper(), pool=pool,
                                hostname=hostname))


def _redact(url: str) -> str:
    """The broker URL without its password (it goes to logs)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
