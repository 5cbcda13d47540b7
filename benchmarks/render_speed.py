"""Render speed vs decode speed (and optionally the pose stage) on one video, in the same run.

    .venv/bin/python benchmarks/render_speed.py VIDEO [--track TRACK.npz] [--measure-pose]
                                                [--baseline-src DIR [--repeats 3]]

Reports frames/s for: decode only; each overlay alone (decode + draw + H.264 encode); both
overlays and the thumbnail in one pass (what the worker does). Target: rendering both overlays
takes at most half the pose stage's time (pose runs at about 50-60 frames/s on this machine), i.e.
the one-pass render should run at >= 2x the pose stage's frames/s.

Without ``--track`` a synthetic full-body track (every joint confident, moving) is drawn: the
drawing cost does not depend on where the joints are, and this keeps the benchmark independent of
the pose model. With ``--measure-pose`` the pose stage is timed on the same file for the ratio.

With ``--baseline-src`` (another checkout's ``src/``, e.g. the commit before a change) the whole
measurement runs as a subprocess, alternately with that checkout and this one, ``--repeats``
times; each run is printed with the load average, then the best of each (the cores are shared:
the ratios of one run against each other are what survives the load).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.analysis.track import NUM_JOINTS, PoseTrack
from repstride.media import iter_frames, probe
from repstride.render import render_overlays


def _synthetic_track(n: int, fps: float, width: int, height: int, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.3, 0.7, size=(NUM_JOINTS, 2))
    wobble = 0.02 * np.sin(np.arange(n)[:, None, None] / 7.0 + rng.uniform(0, 6, (1, NUM_JOINTS, 2)))
    xy = base[None] + wobble
    lo, hi = xy.min(axis=1), xy.max(axis=1)
    return PoseTrack(xy=xy, score=np.full((n, NUM_JOINTS), 0.9), world=np.zeros((n, NUM_JOINTS, 3)),
                     timestamps_s=np.arange(n) / fps, frame_index=np.arange(n, dtype=np.int64),
                     bbox=np.concatenate([lo, hi], axis=1), fps=fps, width=width, height=height)


def _analysis(duration_s: float, n: int = 5) -> ActivityResult:
    reps = []
    for i in range(n):
        s, e = duration_s * i / n, duration_s * (i + 1) / n
        reps.append(Rep(int(1000 * s), int(500 * (s + e)), int(1000 * e), (
            RepAnalysis("HIP_KNEE_ANGLE_DEGREES", 90.0 + i, "good" if i % 2 else "bad"),
            RepAnalysis("ECCENTRIC_DURATION_MS", 800.0), RepAnalysis("CONCENTRIC_DURATION_MS", None))))
    return ActivityResult("Complete", "weightlifting", "squat", tuple(reps))


def _size(path: Path) -> tuple[int, int]:
    info = probe(path)
    return info.width, info.height


_CPU: dict[str, float] = {}


def _timed(fn, name: str = "") -> float:
    """Wall seconds of ``fn()``; its CPU seconds (all threads of this process) go to ``_CPU``.

    On a shared, busy machine wall time mostly measures the other processes; CPU time is the
    fairer comparison between stages run in the same process.
    """
    c = time.process_time()
    t = time.perf_counter()
    fn()
    if name:
        _CPU[name] = time.process_time() - c
    return time.perf_counter() - t


def _alternated(args: argparse.Namespace, argv: list[str]) -> int:
    import os
    import subprocess

    here = Path(__file__).resolve()
    inner = [a for a in argv if a not in ("--json",)]
    skip = {"--baseline-src", "--repeats"}
    cleaned: list[str] = []
    it = iter(inner)
    for a in it:
        if a in skip:
            next(it, None)
        elif not any(a.startswith(k + "=") for k in skip):
            cleaned.append(a)
    srcs = {"before": args.baseline_src.resolve(), "ours": here.parents[1] / "src"}
    best: dict[str, dict[str, float]] = {}
    keys = ("both+thumbnail_fps", "pose_fps", "render_time_over_pose_time",
            "render_cpu_over_pose_cpu", "render_cpu_ms_per_frame", "pose_cpu_ms_per_frame",
            "overlay_bytes_per_s")
    for k in range(args.repeats):
        for name, src in srcs.items():
            env = {**os.environ, "PYTHONPATH": str(src)}
            out = subprocess.run([sys.executable, str(here), *cleaned, "--json"], env=env,
                                 check=True, capture_output=True, text=True).stdout
            res = json.loads(out.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            print(f"run {k + 1} {name:6s} " + "  ".join(f"{key} {res.get(key)}" for key in keys
                                                        if key in res) + f"   load {load:.2f}",
                  flush=True)
            b = best.setdefault(name, {})
            for key in keys:
                if key not in res:
                    continue
                lower_is_better = not key.endswith("fps")
                if key not in b or (res[key] < b[key] if lower_is_better else res[key] > b[key]):
                    b[key] = res[key]
    for name, b in best.items():
        print(f"best {name:6s} " + "  ".join(f"{k} {v}" for k, v in b.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("video", type=Path)
    ap.add_argument("--track", type=Path, help="PoseTrack .npz (PoseTrack.to_arrays)")
    ap.add_argument("--measure-pose", action="store_true", help="also time the pose stage")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--preset", default=None, help="x264 preset (default: the renderer's)")
    ap.add_argument("--max-side", type=int, default=-1,
                    help="overlay size cap in pixels (default: the renderer's; 0 = full size)")
    ap.add_argument("--baseline-src", type=Path, default=None,
                    help="another checkout's src/, measured alternately with this one")
    ap.add_argument("--repeats", type=int, default=3, help="with --baseline-src")
    args = ap.parse_args(argv)
    if args.baseline_src is not None:
        return _alternated(args, list(sys.argv[1:] if argv is None else argv))

    info = probe(args.video)
    n = sum(1 for _ in iter_frames(args.video))  # warm the file cache, exact count
    if args.track:
        track = PoseTrack.from_arrays(dict(np.load(args.track)))
    else:
        track = _synthetic_track(n, info.fps or 30.0, info.width, info.height)
    analysis = _analysis(info.duration_s)
    opts: dict = {}
    if args.preset:
        opts["preset"] = args.preset
    if args.max_side >= 0:
        opts["max_side"] = args.max_side or None
    res: dict[str, float | int | str] = {"video": str(args.video), "frames": n,
                                         "size": f"{info.width}x{info.height}"}
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        res["decode_fps"] = n / _timed(lambda: sum(1 for _ in iter_frames(args.video)), "decode")
        for kind in ("skeleton", "all"):
            res[f"{kind}_fps"] = n / _timed(lambda k=kind: render_overlays(
                args.video, track, {k: out / f"{k}.mp4"}, analysis=analysis, **opts))
        res["both+thumbnail_fps"] = n / _timed(lambda: render_overlays(
            args.video, track, {"skeleton": out / "s.mp4", "all": out / "a.mp4"},
            analysis=analysis, thumbnail_path=out / "t.jpg", **opts), "render")
        res["overlay_bytes_per_s"] = (out / "a.mp4").stat().st_size / max(info.duration_s, 1e-3)
        res["overlay_size"] = "x".join(map(str, _size(out / "a.mp4")))
    if args.measure_pose:
        from repstride.pose import extract_pose

        res["pose_fps"] = n / _timed(lambda: extract_pose(args.video), "pose")
        res["render_time_over_pose_time"] = res["pose_fps"] / res["both+thumbnail_fps"]  # type: ignore[operator]
        res["render_cpu_over_pose_cpu"] = _CPU["render"] / _CPU["pose"]
    for k, v in _CPU.items():
        res[f"{k}_cpu_ms_per_frame"] = 1000.0 * v / n
    if args.json:
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in res.items()}))
    else:
        for k, v in res.items():
            print(f"{k:>28}: {v:.1f}" if isinstance(v, float) else f"{k:>28}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
