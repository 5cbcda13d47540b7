"""End-to-end latency: upload -> analysis final, as a multiple of the clip's duration.

    python benchmarks/e2e_speed.py [CLIP ...] [--repeats 1] [--dialect video running]
                                   [--baseline-src DIR]

Starts ``repstride serve`` (embedded: SQLite, local blobs, 1 worker, a fresh data dir) as a
subprocess (with ``--baseline-src``, a second one from another checkout, e.g. the commit before
a change: every clip then runs on both in turn, one job at a time), creates a client, waits
for the worker's first job to have loaded the models (one
warm-up clip), then for each clip and dialect, runs one at a time:

- the Video API: create video + presigned upload, polled every 0.1 s until the analysis is
  ``Complete`` (time to results), then until the overlays are final (time to overlays);
- the Running Analysis API: ``POST /analysis/start`` (side view), polled every 0.1 s until
  ``success`` (time to results), then until the annotated video is final (``media_status``
  ``ready`` / ``failed``: time to media).

Times are from the start of the upload; each is printed with the clip's duration, the ratio
(goals: Video API Complete <= 0.3x, Running API success <= 0.5x) and the load average (the
cores are shared: compare runs made at the same time). Default clips: 9.9 s 720p30 and
1080p30 clips made once from dev clips, played forwards then backwards, H.264 (the Running API
refuses more than 10 s), cached under ``.cache/bench``: for the Video API ``pull-up_6.mp4``
(1280x720) and ``push-up_26.mp4`` (1920x1080); for the Running API, which refuses a video
without a runner, the treadmill clips ``mini_run.mp4`` (1280x720) and ``barefoot running side``
(1080x1920 portrait). Clips given on the command line are used for both dialects.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
#: the development clips: ``../shared/data/dev`` of the checkout (or of its parent folder, for a
#: worktree under ``wt/``)
DEV = next((p / "shared" / "data" / "dev" for p in ROOT.parents[:2]
            if (p / "shared" / "data" / "dev").is_dir()), ROOT.parent / "shared" / "data" / "dev")
CLIP_720 = DEV / "calimiro-ai__WorkoutTracker/data/raw/pull-ups/pull-up_6.mp4"
SRC_1080 = DEV / "calimiro-ai__WorkoutTracker/data/raw/push-ups/push-up_26.mp4"
RUN_720 = DEV / "ErPang97__RunningGaitAnalysis/input_videos/mini_run.mp4"
RUN_1080 = DEV / "dholling4__PolarPlotter/photos/barefoot running side trimmed 30-34.mov"
CACHE = ROOT / ".cache" / "bench"
POLL_S = 0.1


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def make_clip(src: Path, out: Path, seconds: float = 9.9) -> Path:
    """A 30 fps H.264 clip of ``seconds`` from ``src``, forwards then backwards (cached); under
    10 s because the Running API refuses longer videos."""
    if out.is_file():
        return out
    import av

    from repstride.media import iter_frames

    frames = [f.rgb for f in iter_frames(src)]
    seq = frames + frames[::-1]
    n = int(round(seconds * 30))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = seq[0].shape[1], seq[0].shape[0], "yuv420p"
        for i in range(n):
            for p in s.encode(av.VideoFrame.from_ndarray(seq[i % len(seq)], format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    tmp.replace(out)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path, src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPSTRIDE_")}
    env.update(PYTHONPATH=str(src), REPSTRIDE_DATA_DIR=str(data),
               REPSTRIDE_WORKERS="1", PYTHONUNBUFFERED="1")
    return env


class Server:
    """``repstride serve`` from the checkout's ``src`` (a fresh data dir, one worker) and a
    client of it (this checkout's SDK)."""

    def __init__(self, src: Path, name: str) -> None:
        from repstride.client import Client

        self.name = name
        self.data = Path(tempfile.mkdtemp(prefix=f"repstride-e2e-{name}-"))
        env = _env(self.data, src)
        made = subprocess.run([sys.executable, "-m", "repstride.cli", "clients", "create",
                               "--name", "bench", "--credits", "1000", "--json"], env=env,
                              check=True, capture_output=True, text=True)
        creds = json.loads(made.stdout.strip().splitlines()[-1])
        port = _free_port()
        self.log = open(self.data / "serve.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-m", "repstride.cli", "serve", "--host",
                                      "127.0.0.1", "--port", str(port)], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError((self.data / "serve.log").read_text()[-2000:])
            time.sleep(0.1)
        self.client = Client(base_url=base, client_id=creds["client_id"],
                             client_secret=creds["client_secret"], api_key=creds["api_key"],
                             token_cache=False)

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def video_api(client, clip: Path) -> tuple[float, float | None]:  # noqa: ANN001
    """Seconds from upload start to analysis Complete, and to the overlays being final."""
    created = client.create_video(filename=clip.name, size=clip.stat().st_size)
    t0 = time.perf_counter()
    client.upload(created, clip)
    t_results = None
    while True:
        status = client.get_analysis(created.id).status
        if status == "Failed":
            raise RuntimeError(f"analysis of {clip.name} failed")
        if status == "Complete":
            t_results = time.perf_counter() - t0
            break
        time.sleep(POLL_S)
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        v = client.get_video(created.id)
        overlays = json.loads(v.model_dump_json()).get("overlays") or {}
        states = [o.get("status") for o in overlays.values()] if isinstance(overlays, dict) \
            else [o.get("status") for o in overlays]
        if states and all(s in ("Complete", "Failed") for s in states):
            return t_results, time.perf_counter() - t0
        time.sleep(POLL_S)
    return t_results, None


def running_api(client, clip: Path) -> tuple[float, float | None]:  # noqa: ANN001
    """Seconds from upload start to ``success``, and to the annotated video being final."""
    t0 = time.perf_counter()
    aid = client.start_running_analysis(clip, view="side")
    while client.get_results(aid).status != "success":
        time.sleep(POLL_S)
    t_results = time.perf_counter() - t0
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        res = client.get_results(aid)
        # a server without media_status renders before success: final at once
        if res.media_status in (None, "ready", "failed"):
            return t_results, time.perf_counter() - t0
        time.sleep(POLL_S)
    return t_results, None


def _measure(servers: list[Server], dialect: str, clip: Path, repeats: int) -> None:
    """Each repeat runs the clip on every server in turn (alternated, one job at a time)."""
    from repstride.media import probe

    info = probe(clip)
    dur = info.duration_s
    head = f"{clip.name[:30]:30s} {info.width}x{info.height} {info.fps:.0f} fps {dur:.1f} s"
    for _ in range(repeats):
        for srv in servers:
            res, media = (video_api if dialect == "video" else running_api)(srv.client, clip)
            media_s = f"{media:.2f} s ({media / dur:.2f}x)" if media is not None else "n/a"
            what = ("Video API: Complete", "overlays final") if dialect == "video" else \
                ("Running API: success", "annotated video final")
            print(f"{srv.name:6s} {head}  {what[0]} {res:.2f} s ({res / dur:.2f}x), {what[1]} "
                  f"{media_s}   {load()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--dialect", nargs="+", default=["video", "running"],
                    choices=["video", "running"])
    ap.add_argument("--baseline-src", type=Path, default=None,
                    help="another checkout's src/ served beside this one, runs alternated")
    args = ap.parse_args()

    clips = args.clips or [make_clip(CLIP_720, CACHE / "pull-up_6_720p30_9.9s.mp4"),
                           make_clip(SRC_1080, CACHE / "push-up_26_1080p30_9.9s.mp4")]
    run_clips = args.clips or [make_clip(RUN_720, CACHE / "mini_run_720p30_9.9s.mp4"),
                               make_clip(RUN_1080, CACHE / "barefoot_side_1080p30_9.9s.mp4")]
    servers: list[Server] = []
    try:
        if args.baseline_src is not None:
            servers.append(Server(args.baseline_src.resolve(), "before"))
        servers.append(Server(ROOT / "src", "ours"))
        for srv in servers:
            warm = video_api(srv.client, clips[0])  # first job: imports + model load
            print(f"{srv.name:6s} warm-up job: results {warm[0]:.2f} s   {load()}")
        for dialect in args.dialect:
            for clip in (clips if dialect == "video" else run_clips):
                _measure(servers, dialect, clip, args.repeats)
    finally:
        for srv in servers:
            srv.close()


if __name__ == "__main__":
    main()
