"""Multi-person tracking with stable ids, MediaPipe-style.

Each tracked person carries a region of interest (ROI). On every frame the landmark model runs
on each person's ROI, and the ROI for the next frame comes from the model's auxiliary landmarks,
as in ``pose_landmark_cpu.pbtxt``. The person detector runs only every ``detect_every`` frames
(to pick up people who enter) and on every frame while someone is lost. Detections are matched
to tracks with the Hungarian algorithm on ROI overlap; a lost person matched again keeps their id.
Two tracks that end up on the same body are merged: the one whose latest move breaks its own
motion the most is dropped, so an id does not hop onto a neighbour while two people cross.

In a crowd the landmark model runs on every frame only for the :data:`MAX_DENSE` people largest
on screen, and every :data:`SPARSE_EVERY` frames for the others (their boxes are missing on the
frames in between), so the cost per frame stays bounded.

Frames are processed one by one (:meth:`PersonTracker.step`); what was seen is kept per person
for the whole clip (:meth:`PersonTracker.observations`).

Just over 400 lines on purpose: one class whose steps (detect, associate, de-duplicate, update)
share the tracks' state and read best in the order a frame goes through them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from repstride.pose.anchors import Detections, box_iou
from repstride.pose.models import Landmarks, PoseDetector, PoseLandmarker, detection_roi
from repstride.pose.roi import Roi

#: Person-presence score below which the landmark model's output is rejected (MediaPipe: 0.5).
MIN_POSE_SCORE = 0.5
#: A detection and a track are the same person only above this ROI overlap.
MATCH_IOU = 0.25
#: Two tracks whose landmark boxes overlap more than this are on the same body.
DUPLICATE_IOU = 0.6
#: Square tiles cover frames whose long side exceeds the short one by this ratio (small people
#: are easier to detect on a tile than on the whole letterboxed frame).
TILE_ASPECT = 1.25
#: While someone is lost, the detector looks for them every this many frames.
LOST_DETECT_EVERY = 2
#: A track seen fewer times than this is forgotten as soon as it is lost (a false start).
MIN_HITS_TO_KEEP = 3
#: In a crowd, the landmark model runs on every frame for this many people (the largest on
#: screen) and on every ``SPARSE_EVERY``-th frame for the others, which bounds the cost per frame.
MAX_DENSE = 4
SPARSE_EVERY = 3
#: Upright check: a region whose "up" points more than this far from straight up on screen (the
#: head more than 30 degrees below the horizontal) is also read turned by half a turn. BlazePose
#: reads an upright body in an upside-down crop with confidence (pose score ~1, visibility and
#: presence dropping on the limbs): the detector's second keypoint points at the feet when the
#: head is out of frame, and the landmark model's own next region then stays upside down.
INVERTED_ROTATION = math.radians(120)
#: Once an upside-down reading has won a check (a real handstand), the upright reading must beat
#: it by this much quality (:func:`landmark_quality`) to take over. Before that, the upright
#: reading wins ties (people in exercise footage are upright far more often than not).
INVERTED_HYSTERESIS = 0.1


@dataclass(frozen=True)
class Observation:
    """One person in one frame: landmarks in frame pixels and their box ``x1,y1,x2,y2`` (px)."""

    frame: int
    landmarks: Landmarks
    box: NDArray[np.float64]


@dataclass
class _Track:
    id: int
    roi: Roi | None
    box: NDArray[np.float64]
    velocity: NDArray[np.float64] = field(default_factory=lambda: np.zeros(2))
    last_seen: int = 0
    first_seen: int = 0
    #: smoothed box height (pixels): who is largest on screen, for the crowd budget
    size: float = 0.0

    last_roi: Roi | None = None
    #: an upside-down reading of this person won the upright check; re-check from this frame on
    inverted: bool = False
    recheck_upright_at: int = 0

    def predicted_box(self, frame: int) -> NDArray[np.float64]:
        dt = frame - self.last_seen
        return self.box + np.tile(self.velocity * dt, 2)

    def expected_roi(self, frame: int) -> Roi:
        """Where the person's region should be now: the last one moved at their velocity."""
        if self.last_roi is None:
            b = _square(self.predicted_box(frame))
            return Roi((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], 0.0)
        dx, dy = self.velocity * (frame - self.last_seen)
        r = self.last_roi
        return Roi(r.cx + dx, r.cy + dy, r.size, r.rotation)


def landmark_quality(lm: Landmarks) -> float:
    """How plausible a reading is: pose score x mean visibility x mean presence of the 33
    landmarks (0 for a reading that fails the pose score)."""
    if lm.pose_score < MIN_POSE_SCORE or not np.isfinite(lm.xy).all():
        return 0.0
    return float(lm.pose_score * np.mean(lm.visibility) * np.mean(lm.presence))


def landmark_box(lm: Landmarks, width: int, height: int) -> NDArray[np.float64]:
    """Box around all 33 landmarks, clipped to the frame (pixels)."""
    lo = np.clip(lm.xy.min(axis=0), 0, [width, height])
    hi = np.clip(lm.xy.max(axis=0), 0, [width, height])
    return np.concatenate([lo, hi])


def tiles(width: int, height: int) -> list[tuple[int, int, int]]:
    """Square tiles ``(x0, y0, side)`` covering a long frame with overlap ([] for near-square)."""
    short, long_ = min(width, height), max(width, height)
    if long_ < TILE_ASPECT * short:
        return []
    n = int(math.ceil(long_ / short))
    starts = np.linspace(0, long_ - short, n).round().astype(int)
    return [(int(s), 0, short) if width >= height else (0, int(s), short) for s in starts]


class PersonTracker:
    """Detect, follow and identify every person across the frames of one clip."""

    def __init__(self, detector: PoseDetector, landmarker: PoseLandmarker, *, width: int,
                 height: int, detect_every: int = 10, max_missing: int = 15,
                 use_tiles: bool = True, max_dense: int = MAX_DENSE,
                 sparse_every: int = SPARSE_EVERY) -> None:
        self.detector = detector
        self.landmarker = landmarker
        self.width, self.height = width, height
        self.detect_every = max(1, detect_every)
        self.max_missing = max_missing
        #: detector views ``(x0, y0, w, h)``: the whole frame, then square tiles
        self.views = [(0, 0, width, height)] + [
            (x0, y0, side, side) for x0, y0, side in (tiles(width, height) if use_tiles else [])]
        self._cycle = 0
        self._tracks: dict[int, _Track] = {}
        self._next_id = 0
        self._last_detect = -10**9
        self._obs: dict[int, list[Observation]] = {}
        self.max_dense = max(1, max_dense)
        self.sparse_every = max(1, sparse_every)
        self._skipped: set[int] = set()
        #: the last :meth:`_landmarks` call kept an upside-down reading after the upright check
        self._kept_inverted = False
        #: counters for the benchmark / logs
        self.stats = {"detector_calls": 0, "landmark_calls": 0, "frames": 0,
                      "upright_checks": 0, "upright_fixes": 0}

    # -- detection -----------------------------------------------------------------------------

    def detect(self, rgb: NDArray[np.uint8], views: list[int] | None = None) -> Detections:
        """People in the given views of the frame (all views by default), merged (pixels).

        View 0 is the whole frame; views 1.. are the square tiles of :func:`tiles`."""
        h, w = rgb.shape[:2]
        parts = []
        for v in range(len(self.views)) if views is None else views:
            x0, y0, side_w, side_h = self.views[v]
            d = self.detector.detect(self.detector.prepare(rgb[y0:y0 + side_h, x0:x0 + side_w]),
                                     side_w, side_h)
            off = np.array([x0, y0], float)
            parts.append(Detections(d.boxes + np.tile(off, 2), d.keypoints + off, d.scores))
            self.stats["detector_calls"] += 1
        boxes = np.concatenate([p.boxes for p in parts])
        if len(boxes) == 0:
            return Detections.empty()
        kps = np.concatenate([p.keypoints for p in parts])
        scores = np.concatenate([p.scores for p in parts])
        rois = np.array([detection_roi(k).aabb() for k in kps])
        keep: list[int] = []
        for i in np.argsort(-scores, kind="stable"):
            if not keep or box_iou(rois[i], rois[keep]).max() <= 0.4:
                keep.append(int(i))
        return Detections(boxes[keep], kps[keep], scores[keep])

    def _view_for(self, box: NDArray[np.float64]) -> int:
        """The tile that holds ``box`` with the most margin (0, the whole frame, if none)."""
        best, best_margin = 0, -math.inf
        for v, (x0, y0, sw, sh) in enumerate(self.views[1:], start=1):
            margin = min(box[0] - x0, box[1] - y0, x0 + sw - box[2], y0 + sh - box[3])
            if margin >= 0 and margin > best_margin:
                best, best_margin = v, margin
        return best

    def _plan_detection(self, frame: int, lost: list[_Track]) -> list[int] | None:
        """Which views to run the detector on this frame ([] = none, None = all)."""
        if self.stats["frames"] == 1:
            return None
        if frame - self._last_detect >= self.detect_every or not self._tracks:
            self._cycle += 1
            return [self._cycle % len(self.views)]
        if lost and frame - self._last_detect >= LOST_DETECT_EVERY:
            return sorted({self._view_for(t.predicted_box(frame)) for t in lost})
        return []

    # -- one frame -----------------------------------------------------------------------------

    def _run(self, rgb: NDArray[np.uint8], roi: Roi) -> Landmarks:
        self.stats["landmark_calls"] += 1
        return self.landmarker.run(rgb, roi)

    def _landmarks(self, rgb: NDArray[np.uint8], roi: Roi, track: _Track | None = None,
                   frame: int = 0) -> Landmarks | None:
        if not (roi.size > 4 and math.isfinite(roi.cx) and math.isfinite(roi.cy)):
            return None
        lm = self._run(rgb, roi)
        self._kept_inverted = False
        if abs(roi.rotation) > INVERTED_ROTATION:
            lm = self._check_upright(rgb, roi, lm, track, frame)
        elif track is not None and abs(roi.rotation) < math.pi / 2:
            track.inverted = False  # head above the horizontal again: no longer upside down
        if lm.pose_score < MIN_POSE_SCORE or not np.isfinite(lm.xy).all():
            return None
        box = landmark_box(lm, self.width, self.height)
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:  # entirely outside the frame
            return None
        return lm

    def _check_upright(self, rgb: NDArray[np.uint8], roi: Roi, lm: Landmarks,
                       track: _Track | None, frame: int) -> Landmarks:
        """Read an upside-down region upright too; keep the better reading (see
        :data:`INVERTED_ROTATION`). A person confirmed upside down is re-checked only every
        ``detect_every`` frames, and the upright reading must then win by a margin."""
        confirmed = track is not None and track.inverted
        if confirmed and frame < track.recheck_upright_at:  # type: ignore[union-attr]
            self._kept_inverted = True
            return lm
        self.stats["upright_checks"] += 1
        upright = self._run(rgb, roi.flipped())
        q_up, q_inv = landmark_quality(upright), landmark_quality(lm)
        if q_up > 0 and q_up >= q_inv + (INVERTED_HYSTERESIS if confirmed else 0.0):
            self.stats["upright_fixes"] += 1
            if track is not None:
                track.inverted = False
            return upright
        self._kept_inverted = q_inv > 0
        if track is not None and self._kept_inverted:
            track.inverted, track.recheck_upright_at = True, frame + self.detect_every
        return lm

    def step(self, frame: int, rgb: NDArray[np.uint8]) -> dict[int, Observation]:
        """Process one frame; returns what was seen, by person id."""
        self.stats["frames"] += 1
        seen: dict[int, Landmarks] = {}
        active = [t for t in self._tracks.values() if t.roi is not None]
        dense = {t.id for t in sorted(active, key=lambda t: -t.size)[:self.max_dense]}
        self._skipped = set()
        for tr in active:
            if tr.id not in dense and (frame + tr.id) % self.sparse_every:
                self._skipped.add(tr.id)  # crowd budget: this one waits for a later frame
                continue
            roi = tr.roi if tr.last_seen >= frame - 1 else tr.expected_roi(frame)
            lm = self._landmarks(rgb, roi, tr, frame)
            if lm is not None:
                seen[tr.id] = lm
        lost = [t for t in self._tracks.values() if t.id not in seen and t.id not in self._skipped]
        views = self._plan_detection(frame, lost)
        if views is None or views:
            self._last_detect = frame
            self._associate(frame, rgb, self.detect(rgb, views), seen)
        self._drop_duplicates(frame, seen)
        return self._update(frame, seen)

    def _associate(self, frame: int, rgb: NDArray[np.uint8], dets: Detections,
                   seen: dict[int, Landmarks]) -> None:
        if len(dets) == 0:
            return
        det_rois = [detection_roi(k) for k in dets.keypoints]
        tracks = list(self._tracks.values())
        matched_dets: set[int] = set()
        if tracks:
            refs = [seen[t.id].next_roi if t.id in seen else t.expected_roi(frame)
                    for t in tracks]
            sim = np.array([[_similarity(d, ref) for ref in refs] for d in det_rois])
            rows, cols = _assign(sim)
            for r, c in zip(rows, cols):
                if sim[r, c] < MATCH_IOU:
                    continue
                matched_dets.add(int(r))
                tr = tracks[c]
                if tr.id not in seen:  # re-acquire a lost person from the detection
                    lm = self._landmarks(rgb, det_rois[r], tr, frame)
                    if lm is not None:
                        seen[tr.id] = lm
        for r in range(len(dets)):
            if r in matched_dets:
                continue
            hip = dets.keypoints[r, 0]
            occupied = [landmark_box(o, self.width, self.height) for o in seen.values()] + [
                self._tracks[t].predicted_box(frame) for t in self._skipped]
            if any(_inside(hip, b) for b in occupied):
                continue  # someone already followed stands there
            lm = self._landmarks(rgb, det_rois[r])
            if lm is None:
                continue
            box = landmark_box(lm, self.width, self.height)
            if seen:  # the detection found someone already followed
                occupied = np.array([landmark_box(o, self.width, self.height)
                                     for o in seen.values()])
                if box_iou(box, occupied).max() > DUPLICATE_IOU:
                    continue
            tid = self._next_id
            self._next_id += 1
            self._tracks[tid] = _Track(tid, None, box, last_seen=frame, first_seen=frame,
                                       inverted=self._kept_inverted,
                                       recheck_upright_at=frame + self.detect_every)
            seen[tid] = lm

    def _drop_duplicates(self, frame: int, seen: dict[int, Landmarks]) -> None:
        ids = sorted(seen)
        if len(ids) < 2:
            return
        boxes = np.array([landmark_box(seen[i], self.width, self.height) for i in ids])
        iou = box_iou(boxes, boxes)
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                ia, ib = ids[a], ids[b]
                if iou[a, b] <= DUPLICATE_IOU or ia not in seen or ib not in seen:
                    continue
                # Keep whichever moved most in line with its own recent motion; ties: the older.
                ea = self._motion_error(ia, boxes[a], frame)
                eb = self._motion_error(ib, boxes[b], frame)
                drop = ib if ea <= eb else ia
                del seen[drop]

    def _motion_error(self, tid: int, box: NDArray[np.float64], frame: int) -> float:
        tr = self._tracks[tid]
        if tr.first_seen == frame:  # brand new: it is the duplicate
            return math.inf
        pred = tr.predicted_box(frame)
        h = max(pred[3] - pred[1], 1.0)
        return float(np.abs(box - pred).mean() / h)

    def _update(self, frame: int, seen: dict[int, Landmarks]) -> dict[int, Observation]:
        out: dict[int, Observation] = {}
        for tid in list(self._tracks):
            tr = self._tracks[tid]
            lm = seen.get(tid)
            if lm is None and tid in self._skipped:
                continue
            if lm is None:
                tr.roi = None
                hits = len(self._obs.get(tid, ()))
                if frame - tr.last_seen > self.max_missing or hits < MIN_HITS_TO_KEEP:
                    del self._tracks[tid]
                continue
            box = landmark_box(lm, self.width, self.height)
            if tr.last_seen < frame and frame != tr.first_seen:
                dt = frame - tr.last_seen
                centre_move = ((box[:2] + box[2:]) - (tr.box[:2] + tr.box[2:])) / 2 / dt
                tr.velocity = 0.5 * tr.velocity + 0.5 * centre_move
            tr.box, tr.last_seen, tr.roi, tr.last_roi = box, frame, lm.next_roi, lm.next_roi
            height = box[3] - box[1]
            tr.size = height if tr.size == 0 else 0.8 * tr.size + 0.2 * height
            obs = Observation(frame, lm, box)
            self._obs.setdefault(tid, []).append(obs)
            out[tid] = obs
        return out

    def observations(self) -> dict[int, list[Observation]]:
        """Everything seen so far, by person id, in frame order."""
        return self._obs


def _assign(sim: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows and columns of the maximum-similarity one-to-one assignment (Hungarian algorithm).

    One detection or one track (most frames of most clips) is a plain argmax; scipy.optimize,
    which costs ~0.4 s to import, is loaded only for a real assignment problem."""
    if sim.shape[0] == 1 or sim.shape[1] == 1:
        flat = int(np.argmax(sim))  # first maximum, as linear_sum_assignment breaks ties
        r, c = np.unravel_index(flat, sim.shape)
        return np.array([r]), np.array([c])
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(-sim)


def _similarity(a: Roi, b: Roi) -> float:
    """How likely two regions hold the same person: their overlap (IoU of the axis-aligned
    boxes), or, for regions of similar size, how close their centres are (1 at the same centre,
    0 at half a side apart) — whichever is higher. Regions far larger than the frame (close-ups)
    overlap poorly once clipped, but their centres still agree."""
    iou = float(box_iou(a.aabb(), b.aabb())[0, 0])
    ratio = a.size / max(b.size, 1e-6)
    if not 1 / 1.6 < ratio < 1.6:
        return iou
    d = math.hypot(a.cx - b.cx, a.cy - b.cy) / max(a.size, b.size)
    return max(iou, 1.0 - d / 0.5)


def _square(box: NDArray[np.float64]) -> NDArray[np.float64]:
    """A square box around the centre of ``box`` with its long side (for ROI-style IoU)."""
    c = (box[:2] + box[2:]) / 2
    half = max(box[2] - box[0], box[3] - box[1]) / 2 * 1.25
    return np.concatenate([c - half, c + half])


def _inside(p: NDArray[np.float64], box: NDArray[np.float64]) -> bool:
    return bool(box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3])
