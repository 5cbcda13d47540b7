"""Speed of ``repstride pose`` against the stock MediaPipe graph, measured in the same run.

    python benchmarks/pose_speed.py VIDEO [--frames 0] [--repeats 3] [--baseline-src DIR]
                                          [--model full] [--skip-process] [--skip-stage]

The machine's cores are shared, so every figure is printed with the load average at that moment
and compared with the stock single-person graph (``mp.solutions.pose``, model_complexity=1, from
the same wheel, over the same PyAV frames) measured in the same run, runs alternated: that ratio
is what survives the load. Sections:

1. **start-up** of a ``repstride pose`` process: interpreter + imports (``python -c`` of the
   command's imports), model load (two interpreters), probe + timestamp index.
2. **where the time goes** (one pass, CPU ms per frame): decode (PyAV + RGB conversion),
   detector (letterbox + call + decoding), landmarks (crop + call + decoding), tracker
   bookkeeping, j2p JSON.
3. **whole process**: ``repstride pose VIDEO -o OUT`` (and, with ``--baseline-src``, the same
   command from another checkout, e.g. the commit before a change) against a 10-line stock-graph
   script (``benchmarks/stock_pose.py``), alternated, best of ``--repeats``; ratio stock / ours.
4. **in-process stage**: :func:`repstride.pose.track_people` (decode thread + models) with one
   thread per model call and with the automatic choice, against the stock graph in-process on
   the same pre-decoded frames, alternated, best of ``--repeats``, in frames/s.

``--frames 0`` uses the whole clip for the stage (pre-decoded frames are held in memory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STOCK_SCRIPT = HERE / "stock_pose.py"


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("GLOG_minloglevel", "3")
    return env


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one process."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user
                  + after.children_system - before.children_system)


def startup(video: Path, model: str) -> None:
    print("== start-up of a `repstride pose` process")
    imports = ("import repstride.cli, repstride.cli.pose_cmd, repstride.pose, "
               "repstride.pose.j2p, ai_edge_litert.interpreter; "
               "from repstride.pipeline import extract_video_pose, track_to_j2p")
    best = min(_run([sys.executable, "-c", "pass"], _env(ROOT / "src"))[0] for _ in range(3))
    print(f"python interpreter alone:          {best * 1000:7.0f} ms   {load()}")
    best = min(_run([sys.executable, "-c", imports], _env(ROOT / "src"))[0] for _ in range(3))
    print(f"interpreter + the command imports: {best * 1000:7.0f} ms   {load()}")
    best = min(_run([sys.executable, "-c", "import mediapipe"], _env(ROOT / "src"))[0]
               for _ in range(3))
    print(f"(stock: interpreter + mediapipe:   {best * 1000:7.0f} ms)  {load()}")
    from repstride.media import probe
    from repstride.media.decode import _presentation_pts
    from repstride.pose.models import (
        DETECTOR_FILE, _interpreter, landmark_model_path, model_path,
    )

    t0 = time.perf_counter()
    _interpreter(model_path(DETECTOR_FILE), 1)
    _interpreter(landmark_model_path(model), 1)
    print(f"model load (2 interpreters):       {(time.perf_counter() - t0) * 1000:7.0f} ms   "
          f"{load()}")
    t0 = time.perf_counter()
    probe(video)
    _presentation_pts(video)
    print(f"probe + timestamp index:           {(time.perf_counter() - t0) * 1000:7.0f} ms   "
          f"{load()}")


def breakdown(video: Path, model: str, frames: int) -> None:
    """CPU time per frame of each part, one pass (single-threaded model calls)."""
    import numpy as np

    from repstride.media import iter_frames, probe
    from repstride.pose.extract import DETECT_EVERY_S, MAX_MISSING_S, track_people
    from repstride.pose.j2p import to_j2p
    from repstride.pose.models import PoseDetector, PoseLandmarker
    from repstride.pose.tracker import PersonTracker

    print(f"== where the time goes (CPU ms per frame, 1 thread per model call)   {load()}")
    n = 0
    c0 = time.process_time()
    for n, _ in enumerate(iter_frames(video), start=1):
        if frames and n >= frames:
            break
    dec = (time.process_time() - c0) / n
    rgbs = [f.rgb for _, f in zip(range(n), iter_frames(video))]
    fps = probe(video).fps or 30.0
    det, lmk = PoseDetector(num_threads=1), PoseLandmarker(num_threads=1, model=model)
    spent = {"detector": 0.0, "landmarks": 0.0}

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - t
        return wrapper

    det.detect = timed("detector", det.detect)  # type: ignore[method-assign]
    det.prepare = timed("detector", det.prepare)  # type: ignore[method-assign]
    lmk.run = timed("landmarks", lmk.run)  # type: ignore[method-assign]
    h, w = rgbs[0].shape[:2]
    tracker = PersonTracker(det, lmk, width=w, height=h,
                            detect_every=max(1, round(DETECT_EVERY_S * fps)),
                            max_missing=max(1, round(MAX_MISSING_S * fps)))
    c0 = time.process_time()
    for i, rgb in enumerate(rgbs):
        tracker.step(i, rgb)
    total = time.process_time() - c0
    del rgbs
    track = track_people(video, max_frames=frames or None, num_threads=1,
                         model=model).result().track
    c0 = time.process_time()
    body = json.dumps(to_j2p(track))
    js = time.process_time() - c0
    s = tracker.stats
    print(f"decode + RGB:      {dec * 1000:6.2f}")
    print(f"detector:          {spent['detector'] / n * 1000:6.2f}  ({s['detector_calls']} calls, "
          f"{spent['detector'] / max(1, s['detector_calls']) * 1000:.1f} ms each)")
    print(f"landmarks:         {spent['landmarks'] / n * 1000:6.2f}  ({s['landmark_calls']} calls, "
          f"{spent['landmarks'] / max(1, s['landmark_calls']) * 1000:.1f} ms each)")
    print(f"tracker:           {(total - spent['detector'] - spent['landmarks']) / n * 1000:6.2f}")
    print(f"j2p JSON:          {js / n * 1000:6.2f}  ({len(body) / 1e6:.1f} MB)   {load()}")
    np.asarray(0)


def whole_process(video: Path, model: str, repeats: int, baseline: Path | None) -> None:
    print(f"== whole process, alternated, best of {repeats}")
    out = Path(tempfile.mkdtemp(prefix="pose_speed_")) / "j2p.json"
    runs: dict[str, list[float]] = {"stock": [], "ours": []}
    cmds = {
        "stock": ([sys.executable, str(STOCK_SCRIPT), str(video)], _env(ROOT / "src")),
        "ours": ([sys.executable, "-m", "repstride.cli", "pose", str(video), "-o", str(out),
                  "--model", model], _env(ROOT / "src")),
    }
    if baseline is not None:
        runs["before"] = []
        cmds["before"] = ([sys.executable, "-m", "repstride.cli", "pose", str(video), "-o",
                           str(out)], _env(baseline))
    for k in range(repeats):
        for name, (cmd, env) in cmds.items():
            wall, cpu = _run(cmd, env)
            runs[name].append(wall)
            print(f"  run {k + 1} {name:6s} {wall:6.2f} s wall {cpu:6.2f} s CPU   {load()}")
    best = {name: min(v) for name, v in runs.items()}
    line = ", ".join(f"{name} {t:.2f} s" for name, t in best.items())
    print(f"best: {line}; stock / ours = {best['stock'] / best['ours']:.2f}x"
          + (f", before / ours = {best['before'] / best['ours']:.2f}x, stock / before = "
             f"{best['stock'] / best['before']:.2f}x" if "before" in best else "")
          + f"   {load()}")


def stage(video: Path, model: str, frames: int, repeats: int) -> None:
    import mediapipe as mp

    from repstride.media import iter_frames
    from repstride.pose.extract import auto_threads, track_people

    print(f"== in-process stage, alternated, best of {repeats} (frames/s)")
    rgbs = [f.rgb for _, f in zip(range(frames or 10**9), iter_frames(video))]
    n = len(rgbs)
    auto = auto_threads()
    res: dict[str, list[float]] = {"stock graph": [], "ours, 1 thread": [],
                                   f"ours, auto ({auto})": []}
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        pose.process(rgbs[0])
        track_people(video, max_frames=5, num_threads=1, model=model)  # load into the pool
        track_people(video, max_frames=5, num_threads=auto, model=model)
        for k in range(repeats):
            t0 = time.perf_counter()
            for rgb in rgbs:
                pose.process(rgb)
            res["stock graph"].append(n / (time.perf_counter() - t0))
            for name, threads in ((f"ours, 1 thread", 1), (f"ours, auto ({auto})", auto)):
                t0 = time.perf_counter()
                got = track_people(video, max_frames=n, num_threads=threads, model=model)
                res[name].append(len(got.timestamps_s) / (time.perf_counter() - t0))
            print("  run " + str(k + 1) + ": " + ", ".join(f"{name} {v[-1]:.1f}"
                                                         for name, v in res.items())
                  + f"   {load()}")
    best = {name: max(v) for name, v in res.items()}
    stock = best["stock graph"]
    print("best: " + ", ".join(f"{name} {v:.1f} frames/s ({v / stock:.2f}x stock)"
                               for name, v in best.items()) + f"   {load()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("video", type=Path)
    ap.add_argument("--frames", type=int, default=0, help="frames for the stage (0: all)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default="full", choices=["full", "heavy"])
    ap.add_argument("--baseline-src", type=Path, default=None,
                    help="a checkout's src/ to time as 'before' in the whole-process section")
    ap.add_argument("--skip-process", action="store_true")
    ap.add_argument("--skip-stage", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from repstride.media import probe

    info = probe(args.video)
    print(f"video: {args.video.name} {info.width}x{info.height} {info.codec} {info.fps:.2f} fps, "
          f"{info.frames} frames; {os.cpu_count()} cores; {load()}")
    startup(args.video, args.model)
    breakdown(args.video, args.model, args.frames)
    if not args.skip_process:
        whole_process(args.video, args.model, args.repeats, args.baseline_src)
    if not args.skip_stage:
        stage(args.video, args.model, args.frames, args.repeats)


if __name__ == "__main__":
    main()
