"""The pose container every analysis works on.

``PoseTrack`` is one subject over time. It lives in ``analysis/`` (pure numpy) so that the
analysis layer never depends on the pose backend; ``pose/`` produces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray


class Joint(IntEnum):
    """BlazePose landmark topology (33 joints), in the model's output order."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_JOINTS = len(Joint)

#: Pairs of joints that swap when the body is mirrored (left <-> right).
LEFT_RIGHT_PAIRS: tuple[tuple[Joint, Joint], ...] = tuple(
    (j, Joint[j.name.replace("LEFT_", "RIGHT_")]) for j in Joint if j.name.startswith("LEFT_")
)

#: Skeleton edges for drawing and limb-length checks.
SKELETON_EDGES: tuple[tuple[Joint, Joint], ...] = (
    (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER),
    (Joint.LEFT_HIP, Joint.RIGHT_HIP),
    (Joint.LEFT_SHOULDER, Joint.LEFT_HIP),
    (Joint.RIGHT_SHOULDER, Joint.RIGHT_HIP),
    (Joint.LEFT_SHOULDER, Joint.LEFT_ELBOW),
    (Joint.LEFT_ELBOW, Joint.LEFT_WRIST),
    (Joint.RIGHT_SHOULDER, Joint.RIGHT_ELBOW),
    (Joint.RIGHT_ELBOW, Joint.RIGHT_WRIST),
    (Joint.LEFT_HIP, Joint.LEFT_KNEE),
    (Joint.LEFT_KNEE, Joint.LEFT_ANKLE),
    (Joint.RIGHT_HIP, Joint.RIGHT_KNEE),
    (Joint.RIGHT_KNEE, Joint.RIGHT_ANKLE),
    (Joint.LEFT_ANKLE, Joint.LEFT_HEEL),
    (Joint.LEFT_HEEL, Joint.LEFT_FOOT_INDEX),
    (Joint.LEFT_ANKLE, Joint.LEFT_FOOT_INDEX),
    (Joint.RIGHT_ANKLE, Joint.RIGHT_HEEL),
    (Joint.RIGHT_HEEL, Joint.RIGHT_FOOT_INDEX),
    (Joint.RIGHT_ANKLE, Joint.RIGHT_FOOT_INDEX),
    (Joint.LEFT_WRIST, Joint.LEFT_INDEX),
    (Joint.RIGHT_WRIST, Joint.RIGHT_INDEX),
    (Joint.NOSE, Joint.LEFT_EYE),
    (Joint.NOSE, Joint.RIGHT_EYE),
    (Joint.LEFT_EYE, Joint.LEFT_EAR),
    (Joint.RIGHT_EYE, Joint.RIGHT_EAR),
)


def _check_shape(name: str, arr: NDArray, shape: tuple[int | None, ...]) -> None:
    if arr.ndim != len(shape) or any(s is not None and a != s for a, s in zip(arr.shape, shape)):
        want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {tuple(arr.shape)}")


@dataclass(frozen=True, eq=False)
class PoseTrack:
    """One subject's pose over time.

    Attributes
    ----------
    xy : (T, J, 2) float
        Image coordinates normalised to [0, 1] of the *displayed* frame (after rotation);
        x to the right, y downwards. NaN where the subject was not found.
    score : (T, J) float
        Per-joint confidence in [0, 1] (landmark visibility); 0 where not found.
    world : (T, J, 3) float
        Model-space world coordinates in metres, origin at the hip centre; NaN where not found.
    timestamps_s : (T,) float
        Presentation time of each frame in seconds from the start of the video.
    frame_index : (T,) int
        Index of each frame in decode order. Rows are never dropped: time stays aligned.
    bbox : (T, 4) float
        Subject box ``x1, y1, x2, y2`` normalised to [0, 1]; NaN where not found.
    fps, width, height
        Average frame rate and displayed frame size in pixels.
    """

    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    world: NDArray[np.float64]
    timestamps_s: NDArray[np.float64]
    frame_index: NDArray[np.int64]
    bbox: NDArray[np.float64]
    fps: float
    width: int
    height: int
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = np.asarray(self.timestamps_s).shape[0] if np.ndim(self.timestamps_s) == 1 else -1
        _check_shape("timestamps_s", np.asarray(self.timestamps_s), (None,))
        _check_shape("xy", np.asarray(self.xy), (t, NUM_JOINTS, 2))
        _check_shape("score", np.asarray(self.score), (t, NUM_JOINTS))
        _check_shape("world", np.asarray(self.world), (t, NUM_JOINTS, 3))
        _check_shape("frame_index", np.asarray(self.frame_index), (t,))
        _check_shape("bbox", np.asarray(self.bbox), (t, 4))
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"width and height must be positive, got {self.width}x{self.height}")

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def empty(cls, n_frames: int, *, fps: float, width: int, height: int,
              timestamps_s: NDArray | None = None) -> PoseTrack:
        """A track of ``n_frames`` rows with nothing detected (NaN / zero score)."""
        ts = (np.arange(n_frames) / fps) if timestamps_s is None else np.asarray(timestamps_s, float)
        return cls(
            xy=np.full((n_frames, NUM_JOINTS, 2), np.nan),
            score=np.zeros((n_frames, NUM_JOINTS)),
            world=np.full((n_frames, NUM_JOINTS, 3), np.nan),
            timestamps_s=ts,
            frame_index=np.arange(n_frames, dtype=np.int64),
            bbox=np.full((n_frames, 4), np.nan),
            fps=float(fps),
            width=int(width),
            height=int(height),
        )

    # -- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def detected(self) -> NDArray[np.bool_]:
        """(T,) True where the subject was found in the frame."""
        return ~np.isnan(self.xy[:, :, 0]).all(axis=1)

    def joint(self, j: Joint) -> NDArray[np.float64]:
        """(T, 2) normalised image coordinates of one joint."""
        return self.xy[:, int(j), :]

    def pixels(self) -> NDArray[np.float64]:
        """(T, J, 2) coordinates in pixels of the displayed frame (aspect-correct geometry)."""
        return self.xy * np.array([self.width, self.height], dtype=float)

    def replace(self, **changes) -> PoseTrack:
        return replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseTrack:
        s = slice(start, stop)
        return replace(
            self, xy=self.xy[s], score=self.score[s], world=self.world[s],
            timestamps_s=self.timestamps_s[s], frame_index=self.frame_index[s], bbox=self.bbox[s],
        )

    # -- serialisation (arrays only; the caller owns the file) --------------------------------

    def to_arrays(self) -> dict[str, NDArray]:
        return {
            "xy": self.xy, "score": self.score, "world": self.world,
            "timestamps_s": self.timestamps_s, "frame_index": self.frame_index, "bbox": self.bbox,
            "info": np.array([self.fps, self.width, self.height], dtype=float),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray]) -> PoseTrack:
        fps, width, height = (float(v) for v in arrays["info"])
        return cls(
            xy=np.asarray(arrays["xy"], float), score=np.asarray(arrays["score"], float),
            world=np.asarray(arrays["world"], float),
            timestamps_s=np.asarray(arrays["timestamps_s"], float),
            frame_index=np.asarray(arrays["frame_index"], np.int64),
            bbox=np.asarray(arrays["bbox"], float), fps=fps, width=int(width), height=int(height),
        )
