"""Processes for the scale tests and the benchmark: ``repstride worker`` / ``repstride serve``
subprocesses (own process groups, logs to files), a private ``redis-server``, polling helpers."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TESTS_PATH = os.pathsep.join([str(ROOT / "tests" / "scale"), str(ROOT / "tests" / "service")])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``cond`` until it returns something truthy (and return it) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def scale_env(**settings: Any) -> dict[str, str]:
    """The environment of a subprocess: ``REPSTRIDE_<NAME>`` for each setting, test modules on
    ``PYTHONPATH``; ``None`` values are left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTRIDE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (TESTS_PATH, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in settings.items():
        if value is not None:
            env[name if name.isupper() else "REPSTRIDE_" + name.upper()] = str(value)
    return env


class Proc:
    """A subprocess in its own process group (so the whole group can be SIGKILLed)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.argv = argv
        self.log = log
        self._f = open(log, "ab")  # noqa: SIM115
        self.p = subprocess.Popen(argv, env=env, stdout=self._f, stderr=subprocess.STDOUT,
                                  start_new_session=True)

    @property
    def pid(self) -> int:
        return self.p.pid

    def alive(self) -> bool:
        return self.p.poll() is None

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.p.pid, sig)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (graceful), then SIGKILL for whatever is left of the group."""
        if self.alive():
            self.kill_group(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.p.wait(10)
        self._f.close()

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start_worker(env: dict[str, str], log: Path, *, concurrency: int = 1) -> Proc:
    return Proc([sys.executable, "-m", "repstride.cli", "worker", "--concurrency",
                 str(concurrency), "--loglevel", "INFO"], env, log)


def start_api(env: dict[str, str], log: Path, *, port: int, timeout: float = 60.0) -> Proc:
    import requests

    proc = Proc([sys.executable, "-m", "repstride.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port)], env, log)

    def up() -> bool:
        if not proc.alive():
            raise RuntimeError(f"API exited:\n{proc.tail()}")
        try:
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, timeout=timeout, what="the API to answer /health", interval=0.1)
    return proc


@contextlib.contextmanager
def processes() -> Iterator[list[Proc]]:
    """Collects processes a test starts and always stops them (printing logs on failure)."""
    procs: list[Proc] = []
    try:
        yield procs
    except BaseException:
        for p in procs:
            sys.stderr.write(f"--- {' '.join(p.argv[2:5])} (pid {p.pid}) log tail ---\n"
                             f"{p.tail()}\n")
        raise
    finally:
        for p in procs:
            p.stop()


class PrivateRedis:
    """A ``redis-server`` of this test alone (free port, no persistence), so that a test can
    stop and restart "the broker" without touching the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.cli = shutil.which("redis-cli")
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.binary is not None
        log = open(self.workdir / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(self.ping, timeout=20, what="redis-server to start")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def shutdown_nosave(self) -> None:
        """What ``redis-cli shutdown nosave`` does: stop, dropping every message in memory."""
        if self.proc is None:
            return
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([self.cli or "redis-cli", "-p", str(self.port), "shutdown", "nosave"],
                           timeout=10, capture_output=True)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None
