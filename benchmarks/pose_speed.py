"""Speed of the pose stage on one video, in one run.

    python benchmarks/pose_speed.py VIDEO [--frames 150] [--threads 1]

Prints frames/s of (1) decoding alone, (2) the pose models + tracker alone on frames decoded
beforehand, (3) the whole stage (decode thread + models, as ``extract_pose`` runs it), then the
ratio of the whole stage to decode and models run one after the other
(``1 / (1/decode + 1/models)``; above 1 means the overlap pays) and to the overlap ceiling
(``min(decode, models)``). The same first ``--frames`` frames are used for all three. The
machine's load average is printed too: the 2 cores are shared, so wall-clock figures move with
it; CPU time per frame is printed for each part, and a projection for two idle cores from it.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from repstride.media import iter_frames, probe
from repstride.pose.extract import DETECT_EVERY_S, MAX_MISSING_S, track_people
from repstride.pose.models import PoseDetector, PoseLandmarker
from repstride.pose.tracker import PersonTracker


def decode_fps(path: Path, n: int) -> tuple[float, int, float]:
    """Wall-clock frames/s, frames, and CPU seconds (all threads of the process)."""
    t0, c0 = time.perf_counter(), time.process_time()
    k = 0
    for k, _ in enumerate(iter_frames(path), start=1):
        if k >= n:
            break
    return k / (time.perf_counter() - t0), k, time.process_time() - c0


def model_fps(path: Path, n: int, threads: int) -> tuple[float, dict, float]:
    frames = [f.rgb for _, f in zip(range(n), iter_frames(path))]
    info = probe(path)
    fps = info.fps or 30.0
    h, w = frames[0].shape[:2]
    tracker = PersonTracker(PoseDetector(num_threads=threads), PoseLandmarker(num_threads=threads),
                            width=w, height=h, detect_every=max(1, round(DETECT_EVERY_S * fps)),
                            max_missing=max(1, round(MAX_MISSING_S * fps)))
    t0, c0 = time.perf_counter(), time.process_time()
    for i, rgb in enumerate(frames):
        tracker.step(i, rgb)
    rate = len(frames) / (time.perf_counter() - t0)
    cpu = time.process_time() - c0
    del frames
    return rate, dict(tracker.stats), cpu


def stock_fps(path: Path, n: int) -> float:
    """The stock single-person ``mp.solutions.pose`` graph on the same pre-decoded frames."""
    import mediapipe as mp

    frames = [f.rgb for _, f in zip(range(n), iter_frames(path))]
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        pose.process(frames[0])
        t0 = time.perf_counter()
        for rgb in frames[1:]:
            pose.process(rgb)
        return (len(frames) - 1) / (time.perf_counter() - t0)


def raw_model_ms(threads: int, reps: int = 30) -> tuple[float, float]:
    det, lmk = PoseDetector(num_threads=threads), PoseLandmarker(num_threads=threads)
    rng = np.random.default_rng(0)
    x_det = rng.uniform(-1, 1, (224, 224, 3)).astype(np.float32)
    x_lmk = rng.uniform(0, 1, (256, 256, 3)).astype(np.float32)
    out = []
    for model, x in ((det._model, x_det), (lmk._model, x_lmk)):
        for _ in range(3):
            model(x)
        t0 = time.perf_counter()
        for _ in range(reps):
            model(x)
        out.append((time.perf_counter() - t0) / reps * 1000)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("video", type=Path)
    ap.add_argument("--frames", type=int, default=150,
                    help="frames to use (pre-decoded frames are held in memory)")
    ap.add_argument("--threads", type=int, default=1, help="threads per model invocation")
    ap.add_argument("--stock", action="store_true",
                    help="also time the stock single-person MediaPipe graph on the same frames")
    args = ap.parse_args()
    info = probe(args.video)
    print(f"video: {args.video.name} {info.width}x{info.height} {info.codec} "
          f"{info.fps:.1f} fps, {info.frames} frames; load average {os.getloadavg()[0]:.2f}")
    det_ms, lmk_ms = raw_model_ms(args.threads)
    print(f"raw model call: detector {det_ms:.1f} ms, landmarks {lmk_ms:.1f} ms "
          f"({args.threads} thread(s))")
    dec, n, dec_cpu = decode_fps(args.video, args.frames)
    print(f"decode alone:              {dec:7.1f} frames/s  ({n} frames; "
          f"{1000 * dec_cpu / n:.1f} ms CPU/frame)")
    mod, stats, mod_cpu = model_fps(args.video, n, args.threads)
    print(f"models+tracker alone:      {mod:7.1f} frames/s  (detector calls "
          f"{stats['detector_calls']}, landmark calls {stats['landmark_calls']}; "
          f"{1000 * mod_cpu / n:.1f} ms CPU/frame)")
    if args.stock:
        print(f"stock mp.solutions.pose:   {stock_fps(args.video, n):7.1f} frames/s  "
              "(single person, same pre-decoded frames, for comparison at the same load)")
    t0, c0 = time.perf_counter(), time.process_time()
    tracked = track_people(args.video, max_frames=n, num_threads=args.threads)
    whole = len(tracked.timestamps_s) / (time.perf_counter() - t0)
    whole_cpu = time.process_time() - c0
    print(f"whole stage:               {whole:7.1f} frames/s  ({len(tracked.people)} people; "
          f"{1000 * whole_cpu / n:.1f} ms CPU/frame)")
    serial = 1 / (1 / dec + 1 / mod)
    print(f"whole / (decode+models in series = {serial:.1f} frames/s): {whole / serial:.2f}")
    print(f"whole / min(decode, models) (overlap ceiling {min(dec, mod):.1f}): "
          f"{whole / min(dec, mod):.2f}")
    # What two otherwise idle cores would give: decode and models overlap, so the slower of the
    # two CPU budgets bounds the rate (CPU time barely depends on how busy the machine is).
    idle = n / max(dec_cpu, mod_cpu, whole_cpu / 2)
    print(f"projected on 2 idle cores (n / max(decode CPU, models CPU, whole CPU / 2)): "
          f"{idle:.1f} frames/s")
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
