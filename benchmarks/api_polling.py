"""What a poll costs: the poll endpoints of both APIs against a trivial endpoint of the same app.

    python benchmarks/api_polling.py [--seconds 4] [--pollers 1 16 64] [--clip CLIP]

Starts ``repstride serve`` (its defaults: one process, SQLite, one worker) as a subprocess on a
fresh data dir, completes one video (Video API: create + presigned upload) and one Running
analysis (``POST /analysis/start``) with the production pipeline, then drives, one after the
other, each endpoint from a load generator in separate processes (asyncio, one kept-alive
connection per poller, minimal HTTP/1.1) at each concurrency:

- ``GET /videos/{id}`` and ``GET /videos/{id}/analysis`` (token), ``GET /analysis/{id}/results``
  (apiKey), each once plainly and, when the server sends an ``ETag``, once as a polite client
  would (``If-None-Match`` -> 304);
- ``GET /health/live`` (no database: the framework's floor). On a checkout without it the
  same path answers 404 through the same routing and error handling; it is still the floor.

Prints per endpoint and concurrency: req/s, p50/p95/p99 latency, server CPU ms per request (the
server process' utime+stime from ``/proc/<pid>/stat`` before/after each run, all its threads),
and the ratios of CPU/request and p99 to the trivial endpoint at the same concurrency, with the
load average (the cores are shared with the load generator and other work: compare figures of
one run). Goals (one API process): <= 1 ms CPU per poll, p99 <= 50 ms at 64 pollers, within 2x of
the trivial endpoint.

Clip: ``--clip``, else the dev clip ``mhuang24__Running-Form/IMG_5396.mp4`` (``../shared/data``),
else a small synthetic H.264 clip (then the analyses end ``Failed``/``failed``: still final
bodies, printed with their size).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/data`` of the main checkout, or of a worktree's parent directory.
DEV_CLIPS = [base / "shared" / "data" / "dev" / "mhuang24__Running-Form" / "IMG_5396.mp4"
             for base in (ROOT.parent, ROOT.parent.parent)]
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
GEN_PROCESSES = 4


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_s(pid: int) -> float:
    """utime + stime of a process (all threads), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S


def synthetic_clip(path: Path) -> Path:
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        rng = np.random.default_rng(0)
        for i in range(90):
            img = np.full((240, 320, 3), (i * 7) % 255, np.uint8)
            img[100:140, 40 + i:80 + i] = rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


# --- load generator --------------------------------------------------------------------------


async def _poller(port: int, request: bytes, until: float, lat: list[float],
                  statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def _generator(port: int, request: bytes, n: int, start: float, seconds: float,
               out: mp.Queue) -> None:
    async def run() -> tuple[list[float], dict[int, int]]:
        lat: list[float] = []
        statuses: dict[int, int] = {}
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        await asyncio.gather(*(_poller(port, request, start + seconds, lat, statuses)
                               for _ in range(n)))
        return lat, statuses

    out.put(asyncio.run(run()))


def drive(port: int, pid: int, request: bytes, pollers: int, seconds: float) -> dict:
    ctx = mp.get_context("fork")
    q: mp.Queue = ctx.Queue()
    procs = min(pollers, GEN_PROCESSES)
    shares = [pollers // procs + (1 if i < pollers % procs else 0) for i in range(procs)]
    start = time.perf_counter() + 0.5
    workers = [ctx.Process(target=_generator, args=(port, request, n, start, seconds, q))
               for n in shares]
    for w in workers:
        w.start()
    time.sleep(max(0.0, start - time.perf_counter()))
    c0 = cpu_s(pid)
    results = [q.get() for _ in workers]
    c1 = cpu_s(pid)
    for w in workers:
        w.join()
    lat = sorted(x for r in results for x in r[0])
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r[1].items():
            statuses[k] = statuses.get(k, 0) + v

    def pct(q_: float) -> float:
        return lat[min(len(lat) - 1, int(q_ * len(lat)))] * 1000 if lat else float("nan")

    return {"n": len(lat), "rps": len(lat) / seconds, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "cpu_ms": (c1 - c0) * 1000 / max(1, len(lat)),
            "statuses": statuses}


def http_get(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- server + fixtures -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int, src: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTRIDE_")}
    env.update(PYTHONPATH=str(src), REPSTRIDE_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    log = open(data.parent / "serve.log", "wb")  # noqa: SIM115
    exe = Path(sys.executable).parent / "repstride"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    creds: dict[str, str] = {}
    assert proc.stdout is not None
    for raw in proc.stdout:
        key, _, value = raw.decode().strip().partition(":")
        if key in ("client_id", "client_secret", "api_key"):
            creds[key] = value.strip()
        if len(creds) == 3:
            break
    proc.stdout.close()
    return proc, creds


def wait_healthy(base: str, proc: subprocess.Popen) -> None:
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.1)
    raise RuntimeError("server not healthy")


def complete_one_of_each(base: str, creds: dict[str, str], clip: Path) -> tuple[str, str]:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as http:
        tok = http.post("/oauth2/token", data={"grant_type": "client_credentials",
                                               "client_id": creds["client_id"],
                                               "client_secret": creds["client_secret"]})
        token = tok.raise_for_status().json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        made = http.post("/videos", headers=auth, json={"filename": clip.name,
                                                        "size": clip.stat().st_size})
        made = made.raise_for_status().json()
        with open(clip, "rb") as f:
            http.post(made["url"], data=made["fields"],
                      files={"file": (clip.name, f, "video/mp4")}).raise_for_status()
        with open(clip, "rb") as f:
            started = http.post("/analysis/start", params={"apiKey": creds["api_key"]},
                                data={"view": "side"}, files={"video": (clip.name, f, "video/mp4")})
        aid = started.raise_for_status().json()["analysis_id"]
        t0 = time.monotonic()
        while time.monotonic() - t0 < 900:
            a = http.get(f"/videos/{made['id']}/analysis", headers=auth).json()["status"]
            r = http.get(f"/analysis/{aid}/results", params={"apiKey": creds["api_key"]})
            v = http.get(f"/videos/{made['id']}", headers=auth).json()
            overlays = [o.get("status") for o in (v.get("overlays") or {}).values()]
            if a != "Pending" and r.json().get("status") in ("success", "failed") \
                    and all(s in ("Complete", "Failed") for s in overlays):
                print(f"video {made['id']}: analysis {a}, overlays {overlays}; running {aid}: "
                      f"{r.json()['status']} (ready after {time.monotonic() - t0:.1f} s)")
                return made["id"], aid
            time.sleep(0.5)
        raise RuntimeError("analyses did not finish in 15 minutes")
    return "", ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="per endpoint and concurrency")
    ap.add_argument("--pollers", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--clip", type=Path)
    ap.add_argument("--src", type=Path, default=ROOT / "src",
                    help="source tree the server runs (another checkout for a baseline)")
    args = ap.parse_args()
    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="repstride-poll-"))
    dev = [p for p in DEV_CLIPS if p.is_file()]
    clip = args.clip or (dev[0] if dev else synthetic_clip(tmp / "synth.mp4"))
    print(f"clip {clip}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc, creds = start_server(tmp / "data", port, args.src)
    try:
        wait_healthy(base, proc)
        vid, aid = complete_one_of_each(base, creds, clip)
        token = httpx.post(f"{base}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        endpoints: list[tuple[str, str, dict[str, str]]] = [
            ("trivial /health/live", "/health/live", {})]
        for name, path, headers in [
                ("GET /videos/{id}", f"/videos/{vid}", auth),
                ("GET /videos/{id}/analysis", f"/videos/{vid}/analysis", auth),
                ("GET /analysis/{id}/results", f"/analysis/{aid}/results?apiKey="
                 f"{creds['api_key']}", {})]:
            first = httpx.get(base + path, headers=headers)
            print(f"{name}: {first.status_code}, {len(first.content)} B, ETag "
                  f"{first.headers.get('etag')}")
            endpoints.append((name, path, headers))
            if first.headers.get("etag"):
                endpoints.append((name + " +If-None-Match", path,
                                  {**headers, "If-None-Match": first.headers["etag"]}))
        print(f"server pid {proc.pid}; {args.seconds:g} s per row; load {loadavg()}")
        print(f"{'endpoint':42s} {'pollers':>7s} {'req/s':>8s} {'p50 ms':>7s} {'p95 ms':>7s} "
              f"{'p99 ms':>7s} {'CPU ms/req':>10s} {'CPU x':>6s} {'p99 x':>6s}  statuses")
        floor: dict[int, dict] = {}
        for name, path, headers in endpoints:
            for n in args.pollers:
                r = drive(port, proc.pid, http_get(path, headers), n, args.seconds)
                if name.startswith("trivial"):
                    floor[n] = r
                f = floor[n]
                print(f"{name:42s} {n:7d} {r['rps']:8.0f} {r['p50']:7.1f} {r['p95']:7.1f} "
                      f"{r['p99']:7.1f} {r['cpu_ms']:10.2f} {r['cpu_ms'] / f['cpu_ms']:6.2f} "
                      f"{r['p99'] / f['p99']:6.2f}  {r['statuses']}", flush=True)
        print(f"load {loadavg()}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
