"""``repstride worker`` command line, and ``serve`` with the Celery queue running no workers."""

from __future__ import annotations

import threading
from pathlib import Path

from click.testing import CliRunner

from repstride.cli import _register, cli
from repstride.cli.worker_cmd import _redact
from repstride.service import Settings, build_services
from repstride.service.jobs.celery_app import worker_argv


def test_worker_help_and_argv() -> None:
    _register()
    res = CliRunner().invoke(cli, ["worker", "--help"])
    assert res.exit_code == 0 and "--concurrency" in res.output
    argv = worker_argv(Settings(worker_concurrency=3, celery_queue="q1"), pool="solo")
    assert argv[:3] == ["worker", "--concurrency=3", "--queues=q1"] and "--pool=solo" in argv


def test_broker_password_is_redacted() -> None:
    assert _redact("amqp://user:s3cret@h:5672//") == "amqp://user:***@h:5672//"
    assert _redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_serve_with_celery_queue_starts_no_local_workers(tmp_path: Path) -> None:
    from svc_helpers import FastPipeline

    settings = Settings(data_dir=tmp_path, queue="celery", workers=4, secret_key="k" * 32,
                        broker_url="redis://127.0.0.1:1/0")
    services = build_services(settings, pipeline=FastPipeline())
    try:
        services.start_workers()
        assert not [t for t in threading.enumerate() if t.name.startswith("repstride-worker")]
    finally:
        services.queue.app.close()
        services.close()
