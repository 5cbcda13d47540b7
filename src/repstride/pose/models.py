"""BlazePose models run directly with the LiteRT (TFLite) interpreter.

The detector and the Full landmark model ship inside the ``mediapipe==0.10.21`` wheel; the
optional Heavy landmark model (``model="heavy"``) is installed at set-up time from the npm
registry by :mod:`repstride.pose.install_model`. Nothing is downloaded at run time.
``PoseDetector`` finds every person in a frame (SSD + anchors + weighted NMS, as
``pose_detection_cpu.pbtxt``); ``PoseLandmarker`` runs the 33-landmark model on one rotated
region (as ``pose_landmark_by_roi_cpu.pbtxt``). The interpreter objects never leave this module.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from repstride.errors import InvalidInput, PoseBackendUnavailable
from repstride.pose.anchors import (
    DETECTOR_INPUT_SIZE, Detections, decode_detections, generate_anchors, weighted_nms,
)
from repstride.pose.roi import ROI_SCALE, Roi, letterbox, unletterbox

DETECTOR_FILE = "modules/pose_detection/pose_detection.tflite"
LANDMARK_FILE = "modules/pose_landmark/pose_landmark_full.tflite"
#: Landmark models: ``full`` (the default, in the wheel) and ``heavy`` (opt-in, installed from npm).
LANDMARK_MODELS = ("full", "heavy")
DEFAULT_MODEL = "full"
#: Environment variable choosing the landmark model when the caller does not.
MODEL_ENV = "REPSTRIDE_POSE_MODEL"
LANDMARK_INPUT_SIZE = 256
#: 33 body landmarks + 6 auxiliary ones; 33/34 are the hip centre and scale point for the ROI.
NUM_MODEL_LANDMARKS = 39
#: Detections below this score are dropped (MediaPipe's ``min_detection_confidence`` default).
MIN_DETECTION_SCORE = 0.5
#: RefineLandmarksFromHeatmapCalculator: window and minimum peak confidence.
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5


def model_path(name: str) -> Path:
    """Path of a model file inside the installed mediapipe wheel."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise PoseBackendUnavailable("mediapipe is not installed; it ships the pose models.")
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.is_file():
        raise PoseBackendUnavailable(f"pose model missing from the mediapipe wheel: {name}")
    return path


def resolve_model(model: str | None = None) -> str:
    """The landmark model to use: ``model``, else ``$REPSTRIDE_POSE_MODEL``, else ``full``."""
    name = model if model is not None else (os.environ.get(MODEL_ENV) or DEFAULT_MODEL)
    name = str(name).strip().lower()
    if name not in LANDMARK_MODELS:
        source = "model" if model is not None else MODEL_ENV
        raise InvalidInput(f"unknown pose model {name!r} ({source}); choose one of "
                           f"{', '.join(LANDMARK_MODELS)}", details={"model": name})
    return name


_verified: dict[tuple[str, int, float], bool] = {}


def landmark_model_path(model: str | None = None) -> Path:
    """Path of the landmark model file; raises ``PoseBackendUnavailable`` saying how to install
    an opt-in model that is missing (or whose sha256 is not the pinned one)."""
    name = resolve_model(model)
    if name == "full":
        return model_path(LANDMARK_FILE)
    from repstride.pose import install_model  # (not at import: ``python -m`` runs that module)

    path = install_model.installed_path(name)
    spec = install_model.NPM_MODELS[name]
    if not path.is_file():
        raise PoseBackendUnavailable(
            f"the {name} pose model is not installed ({path}); install it with "
            f"{install_model.INSTALL_HINT}", details={"model": name, "path": str(path)})
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime)
    if key not in _verified:  # hashed once per process and file version (~0.05 s)
        _verified[key] = (st.st_size == spec.size
                          and install_model.sha256_of(path) == spec.sha256)
    if not _verified[key]:
        raise PoseBackendUnavailable(
            f"{path} is not the pinned {name} model (sha256 differs); reinstall it with "
            f"{install_model.INSTALL_HINT}", details={"model": name, "path": str(path)})
    return path


def _interpreter(path: Path, num_threads: int) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter  # type: ignore[no-redef]
        except ImportError as exc:
            raise PoseBackendUnavailable(
                "no TFLite interpreter: install ai-edge-litert (or tflite-runtime)") from exc
    try:
        interp = Interpreter(model_path=str(path), num_threads=num_threads)
        interp.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise PoseBackendUnavailable(f"cannot load {path.name}: {exc}") from exc
    return interp


#: Idle interpreters kept per (model, threads) and process; more than this are let go.
POOL_MAX_IDLE = 8


class InterpreterPool:
    """Loaded interpreters, per process, shared out one caller at a time.

    Loading the two models costs ~0.25 s per video, so interpreters are kept once loaded. A
    TFLite interpreter is not safe to use from two threads at once, so it is never shared: a
    model object (:class:`PoseDetector`, :class:`PoseLandmarker`) takes an idle interpreter, or
    loads a new one, and the interpreter goes back to the pool when the object is dropped. Each
    concurrent call (one per worker thread of the embedded server) therefore has its own, and
    the pool grows to the largest number of concurrent calls seen. After a fork the child never
    uses what the parent loaded (each process loads its own).
    """

    def __init__(self, max_idle: int = POOL_MAX_IDLE) -> None:
        # re-entrant: a model object may be collected (and give its interpreter back) on the
        # thread that holds the lock
        self._lock = threading.RLock()
        self._idle: dict[tuple[str, int], list[Any]] = {}
        self._pid = os.getpid()
        self.max_idle = max_idle
        #: interpreters loaded by this process (not taken from the pool)
        self.loaded = 0

    def _own_process(self) -> None:
        if self._pid != os.getpid():  # forked: the parent's interpreters are not ours
            self._idle, self._pid, self.loaded = {}, os.getpid(), 0

    def take(self, path: Path, num_threads: int) -> Any:
        key = (str(path), int(num_threads))
        with self._lock:
            self._own_process()
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        interp = _interpreter(path, num_threads)  # outside the lock: loading takes a while
        with self._lock:
            self.loaded += 1
        return interp

    def give_back(self, path: Path, num_threads: int, interp: Any, pid: int) -> None:
        with self._lock:
            if pid != os.getpid() or pid != self._pid:
                return
            idle = self._idle.setdefault((str(path), int(num_threads)), [])
            if len(idle) < self.max_idle:
                idle.append(interp)

    def idle(self) -> int:
        """Interpreters waiting in the pool (all models)."""
        with self._lock:
            self._own_process()
            return sum(len(v) for v in self._idle.values())

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


#: The process's interpreter pool.
POOL = InterpreterPool()


class _Model:
    def __init__(self, path: Path, num_threads: int) -> None:
        self._interp = POOL.take(path, num_threads)
        # back to the pool when this object is dropped (not at interpreter shutdown)
        done = weakref.finalize(self, POOL.give_back, path, num_threads, self._interp,
                                os.getpid())
        done.atexit = False
        self._input = self._interp.get_input_details()[0]["index"]
        self._outputs = [d["index"] for d in self._interp.get_output_details()]

    def __call__(self, x: NDArray[np.float32],
                 outputs: tuple[int, ...] | None = None) -> list[NDArray[np.float32] | None]:
        """Run on one input; returns the outputs in model order (None for those not asked)."""
        self._interp.set_tensor(self._input, x[None])
        self._interp.invoke()
        return [self._interp.get_tensor(t)[0] if outputs is None or k in outputs else None
                for k, t in enumerate(self._outputs)]


class PoseDetector:
    """All people in a frame: SSD person detector with MediaPipe's decoding."""

    def __init__(self, *, num_threads: int = 1, min_score: float = MIN_DETECTION_SCORE) -> None:
        self._model = _Model(model_path(DETECTOR_FILE), num_threads)
        self._anchors = generate_anchors()
        self.min_score = min_score

    @staticmethod
    def prepare(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
        """Letterbox a frame into the detector's 224x224 input, values in [-1, 1]."""
        h, w = rgb.shape[:2]
        scale, pad_x, pad_y, _ = letterbox(w, h, DETECTOR_INPUT_SIZE)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = _shrink(rgb, nw, nh)
        out = np.zeros((DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, 3), np.float32)
        x0, y0 = int(round(pad_x)), int(round(pad_y))
        out[y0:y0 + nh, x0:x0 + nw] = small
        return out * np.float32(2 / 255) - np.float32(1)

    def detect(self, tensor: NDArray[np.float32], width: int, height: int) -> Detections:
        """Run on a :meth:`prepare`-d frame of ``width x height``; boxes/keypoints in pixels."""
        raw_boxes, raw_scores = self._model(tensor)[:2]
        dets = weighted_nms(decode_detections(raw_boxes, raw_scores, self._anchors,
                                              min_score=self.min_score))
        if len(dets) == 0:
            return dets
        size = DETECTOR_INPUT_SIZE
        boxes = unletterbox(dets.boxes.reshape(-1, 2, 2), width, height, size).reshape(-1, 4)
        kps = unletterbox(dets.keypoints, width, height, size)
        return Detections(boxes, kps, dets.scores)


def _shrink(rgb: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    """Area-averaged downscale; an integer-factor pass first (OpenCV's fast path), which is 3-4x
    cheaper than one non-integer area resize of a 1080p frame."""
    h, w = rgb.shape[:2]
    k = max(1, int(min(w / width, h / height)))
    if k > 1:
        rgb = cv2.resize(rgb, (w // k, h // k), interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def detection_roi(keypoints: NDArray[np.floating]) -> Roi:
    """ROI for the landmark model from a detection's keypoints (pixels): hip centre + scale."""
    return Roi.from_alignment_points(keypoints[0], keypoints[1], scale=ROI_SCALE)


@dataclass(frozen=True)
class Landmarks:
    """One person's landmarks in one frame.

    xy : (33, 2) frame pixels; z : (33,) relative depth in pixels (hip-centred)
    visibility, presence : (33,) in [0, 1]; world : (33, 3) metres, hip-centred
    pose_score : the model's person-presence score in [0, 1]
    next_roi : the region for the next frame, from the auxiliary landmarks
    """

    xy: NDArray[np.float64]
    z: NDArray[np.float64]
    visibility: NDArray[np.float64]
    presence: NDArray[np.float64]
    world: NDArray[np.float64]
    pose_score: float
    next_roi: Roi


def _sigmoid(x: NDArray[np.floating]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, np.float64), -80, 80)))


def refine_from_heatmap(uv: NDArray[np.float64], heatmap: NDArray[np.floating], *,
                        kernel: int = HEATMAP_KERNEL,
                        min_confidence: float = HEATMAP_MIN_CONFIDENCE) -> NDArray[np.float64]:
    """MediaPipe's RefineLandmarksFromHeatmapCalculator: move each landmark to the
    confidence-weighted mean of the sigmoid heatmap in a ``kernel``-wide window around it
    (only where the window's peak confidence reaches ``min_confidence``)."""
    hm_h, hm_w, n = heatmap.shape
    m = min(n, uv.shape[0])
    off = kernel // 2
    cols = np.trunc(uv[:m, 0] * hm_w).astype(int)  # C++ static_cast truncates
    rows = np.trunc(uv[:m, 1] * hm_h).astype(int)
    inside = (cols >= 0) & (cols < hm_w) & (rows >= 0) & (rows < hm_h)
    d = np.arange(-off, off + 1)
    rr = rows[:, None] + d  # (m, k)
    cc = cols[:, None] + d
    valid = ((rr >= 0) & (rr < hm_h))[:, :, None] & ((cc >= 0) & (cc < hm_w))[:, None, :]
    vals = heatmap[np.clip(rr, 0, hm_h - 1)[:, :, None], np.clip(cc, 0, hm_w - 1)[:, None, :],
                   np.arange(m)[:, None, None]]
    conf = np.where(valid, _sigmoid(vals), 0.0)  # (m, k, k)
    total = conf.sum(axis=(1, 2))
    ok = inside & (conf.max(axis=(1, 2)) >= min_confidence) & (total > 0)
    out = uv.copy()
    safe = np.where(total > 0, total, 1.0)
    out[:m, 0] = np.where(ok, (conf * cc[:, None, :]).sum(axis=(1, 2)) / hm_w / safe, uv[:m, 0])
    out[:m, 1] = np.where(ok, (conf * rr[:, :, None]).sum(axis=(1, 2)) / hm_h / safe, uv[:m, 1])
    return out


class PoseLandmarker:
    """BlazePose landmark model (Full, or Heavy with ``model="heavy"``) on one rotated region."""

    def __init__(self, *, num_threads: int = 1, refine: bool = True,
                 model: str | None = None) -> None:
        self.model = resolve_model(model)
        self._model = _Model(landmark_model_path(self.model), num_threads)
        self.refine = refine

    @staticmethod
    def crop(rgb: NDArray[np.uint8], roi: Roi) -> NDArray[np.float32]:
        """The 256x256 model input for ``roi``, values in [0, 1]; outside the frame the edge
        pixels are repeated (ImageToTensorCalculator's default BORDER_REPLICATE)."""
        m = roi.crop_matrix(LANDMARK_INPUT_SIZE)
        patch = cv2.warpAffine(rgb, m, (LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
        return patch.astype(np.float32) * np.float32(1 / 255)

    def run(self, rgb: NDArray[np.uint8], roi: Roi) -> Landmarks:
        # outputs: landmarks, person flag, segmentation (unused), heatmap, world landmarks
        raw, flag, _seg, heatmap, world = self._model(self.crop(rgb, roi), (0, 1, 3, 4))
        return self.decode(raw, flag, heatmap, world, roi)

    def decode(self, raw: NDArray[np.floating], flag: NDArray[np.floating],
               heatmap: NDArray[np.floating] | None, world: NDArray[np.floating],
               roi: Roi) -> Landmarks:
        """Model outputs -> landmarks in frame pixels (TensorsToLandmarks + projection)."""
        lm = np.asarray(raw, np.float64).reshape(NUM_MODEL_LANDMARKS, 5)
        uv = lm[:, :2] / LANDMARK_INPUT_SIZE
        if self.refine and heatmap is not None:
            uv = refine_from_heatmap(uv, heatmap)
        xy = roi.to_image(uv)
        z = lm[:, 2] / LANDMARK_INPUT_SIZE * roi.size
        w = np.asarray(world, np.float64).reshape(NUM_MODEL_LANDMARKS, 3)[:33]
        c, s = np.cos(roi.rotation), np.sin(roi.rotation)
        world_xy = np.stack([c * w[:, 0] - s * w[:, 1], s * w[:, 0] + c * w[:, 1]], axis=1)
        next_roi = Roi.from_alignment_points(xy[33], xy[34], scale=ROI_SCALE)
        return Landmarks(
            xy=xy[:33], z=z[:33], visibility=_sigmoid(lm[:33, 3]), presence=_sigmoid(lm[:33, 4]),
            world=np.concatenate([world_xy, w[:, 2:3]], axis=1),
            pose_score=float(np.asarray(flag).reshape(-1)[0]), next_roi=next_roi,
        )


def warm_up(*, num_threads: int = 1, model: str | None = None) -> None:
    """Load both models into this process's :data:`POOL` (a worker calls this before its first
    job, so the first video does not pay for loading them)."""
    PoseDetector(num_threads=num_threads)
    PoseLandmarker(num_threads=num_threads, model=model)
