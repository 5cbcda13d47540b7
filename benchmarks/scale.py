"""Scale-out throughput: the API with Celery workers, 1 then 2 worker processes.

    python benchmarks/scale.py [--k 6] [--workers 1 2] [CLIP ...]

For each worker count: a fresh PostgreSQL schema and Celery queue (Redis), ``repstride serve``
(``REPSTRIDE_QUEUE=celery``: no local workers) and ``repstride worker --concurrency N`` as
subprocesses, the real pose pipeline. Once the worker answers a ping (its processes have loaded
the pose model), K clips are submitted at once through the HTTP API (create + the seed's
presigned-POST upload), each polled until its analysis is final. Prints throughput
(videos/min, first submit to last Complete), p50/p95 time-to-Complete, the 2-vs-1 ratio and the
load average (the cores are shared; figures move with other work on the machine).

Clips: the given paths, else the K shortest dev clips (``../shared/data/dev``, at most 720p),
else the Sports2D demo clip repeated. Services: ``--pg`` (default the local PostgreSQL),
``--broker`` (default ``redis://127.0.0.1:6379/9``). Blobs: the local store (one machine).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "scale"), str(ROOT / "tests" / "service")]

import requests  # noqa: E402
from scale_helpers import (  # noqa: E402
    free_port, processes, scale_env, start_api, start_worker, wait_for,
)

DEV = ROOT.parent / "shared" / "data" / "dev"


def pick_clips(k: int, given: list[str]) -> list[Path]:
    if given:
        clips = [Path(p) for p in given]
    elif (DEV / "MANIFEST.csv").is_file():
        with open(DEV / "MANIFEST.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f)
                    if int(r["width"]) * int(r["height"]) <= 1280 * 720
                    and r["our_activity"] not in ("running", "walking")]
        rows.sort(key=lambda r: (float(r["duration_s"]), r["file"]))
        clips = list(dict.fromkeys(DEV / r["file"] for r in rows))
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import _sports2d_demo

        clips = [_sports2d_demo()]
    return [clips[i % len(clips)] for i in range(k)]


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def fresh_schema(pg: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{pg}?options=-csearch_path%3D{schema}", drop


def wait_worker_ready(broker: str, queue: str, prefix: str, timeout: float = 180) -> None:
    from repstride.service.jobs.celery import make_celery_app
    from repstride.service.settings import Settings

    app = make_celery_app(Settings(broker_url=broker, celery_queue=queue,
                                   celery_key_prefix=prefix, result_backend=broker))
    try:
        wait_for(lambda: app.control.ping(timeout=1.0), timeout=timeout,
                 what="the worker to answer a ping", interval=0.5)
    finally:
        app.close()


def token_for(base: str, db_url: str) -> str:
    from repstride.service.auth import ClientService
    from repstride.service.db import Database

    db = Database(db_url)
    try:
        c = ClientService(db, token_ttl_s=3600, rate_per_minute=30).create("bench")
    finally:
        db.dispose()
    r = requests.post(f"{base}/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": c.id, "client_secret": c.secret})
    r.raise_for_status()
    return r.json()["access_token"]


def submit_and_wait(base: str, token: str, clip: Path) -> tuple[float, float, dict]:
    headers = {"Authorization": token}
    t0 = time.monotonic()
    created = requests.post(f"{base}/videos", headers=headers, timeout=60, json={
        "filename": clip.name, "size": clip.stat().st_size}).json()
    with open(clip, "rb") as f:
        r = requests.post(created["url"], data=created["fields"], files={"file": f}, timeout=120)
    r.raise_for_status()
    while True:
        body = requests.get(f"{base}/videos/{created['id']}/analysis", headers=headers,
                            timeout=60).json()
        if body.get("status") != "Pending":
            return t0, time.monotonic(), body
        time.sleep(0.5)


def run(n_workers: int, clips: list[Path], args: argparse.Namespace) -> dict:
    run_id = uuid.uuid4().hex[:8]
    db_url, drop = fresh_schema(args.pg)
    queue, prefix = f"bench-{run_id}", f"bench-{run_id}:"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="repstride-bench-") as tmp:
        env = scale_env(data_dir=Path(tmp) / "data", database_url=db_url, secret_key="b" * 32,
                        queue="celery", broker_url=args.broker, celery_queue=queue,
                        celery_key_prefix=prefix)
        try:
            with processes() as procs:
                procs.append(start_api(env, Path(tmp) / "api.log", port=port))
                procs.append(start_worker(env, Path(tmp) / "worker.log",
                                          concurrency=n_workers))
                wait_worker_ready(args.broker, queue, prefix)
                base = f"http://127.0.0.1:{port}"
                token = token_for(base, db_url)
                load0 = os.getloadavg()[0]
                with ThreadPoolExecutor(len(clips)) as pool:
                    results = list(pool.map(lambda c: submit_and_wait(base, token, c), clips))
                load1 = os.getloadavg()[0]
        finally:
            drop()
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    ttc = [r[1] - r[0] for r in results]
    return {"workers": n_workers, "k": len(clips), "wall_s": end - start,
            "per_min": len(clips) / (end - start) * 60, "p50": percentile(ttc, 0.5),
            "p95": percentile(ttc, 0.95), "statuses": [r[2].get("status") for r in results],
            "failed": [f"{c.name}: {r[2].get('reason')}" for c, r in zip(clips, results)
                       if r[2].get("status") != "Complete"],
            "load": (load0, load1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clips", nargs="*")
    ap.add_argument("--k", type=int, default=6)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--broker", default="redis://127.0.0.1:6379/9")
    args = ap.parse_args()
    clips = pick_clips(args.k, args.clips)
    print(f"{len(clips)} clips: " + ", ".join(c.name for c in clips))
    print(f"cores: {os.cpu_count()} (shared with other work: see the load averages)")
    rows = []
    for n in args.workers:
        r = run(n, clips, args)
        rows.append(r)
        done = sum(s == "Complete" for s in r["statuses"])
        print(f"workers={n}: {r['per_min']:.2f} videos/min ({r['k']} in {r['wall_s']:.1f} s), "
              f"time-to-Complete p50 {r['p50']:.1f} s p95 {r['p95']:.1f} s, "
              f"{done}/{r['k']} Complete (not: {r['failed']}),"
              f" load avg {r['load'][0]:.1f}->{r['load'][1]:.1f}", flush=True)
    by = {r["workers"]: r for r in rows}
    if 1 in by and 2 in by:
        print(f"2-vs-1 throughput ratio: {by[2]['per_min'] / by[1]['per_min']:.2f} "
              f"(p50 ratio {by[2]['p50'] / by[1]['p50']:.2f})")


if __name__ == "__main__":
    main()
