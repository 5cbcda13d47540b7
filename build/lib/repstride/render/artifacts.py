"""What the worker renders after a Video API analysis: both overlays and a thumbnail, one pass.

The service layer stores the files; this module only needs plain data: the source video, the
track, the analysis and (optionally) the Video API ``objects`` list as the worker stored it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from repstride.analysis.results import ActivityResult
from repstride.analysis.track import PoseTrack
from repstride.render.overlay import render_overlays

#: file names of the artifacts inside ``out_dir`` (also fine as blob names)
ARTIFACT_FILES: dict[str, str] = {
    "skeleton": "overlay_skeleton.mp4",
    "all": "overlay_all.mp4",
    "thumbnail": "thumbnail.jpg",
}


def people_from_objects(objects: Sequence[Mapping[str, Any]] | None, track: PoseTrack
                        ) -> tuple[dict[int, NDArray[np.float64]], int | None]:
    """Video API ``objects`` (``[{id, subject, boundingBoxes: [{frame_idx, x1..y2, score}]}]``)
    -> ``({person id: (T, 5) boxes aligned with track rows}, subject id)``."""
    row_of = {int(f): r for r, f in enumerate(track.frame_index)}
    people: dict[int, NDArray[np.float64]] = {}
    subject: int | None = None
    for obj in objects or ():
        if obj.get("type", "person") != "person" or "id" not in obj:
            continue
        pid = int(obj["id"])
        boxes = np.full((len(track), 5), np.nan)
        for b in obj.get("boundingBoxes") or ():
            r = row_of.get(int(b.get("frame_idx", -1)))
            if r is None:
                continue
            score = b.get("score")
            boxes[r] = [b["x1"], b["y1"], b["x2"], b["y2"], np.nan if score is None else score]
        people[pid] = boxes
        if obj.get("subject"):
            subject = pid
    return people, subject


def render_video_artifacts(
    video_path: str | Path,
    track: PoseTrack,
    analysis: ActivityResult | None,
    *,
    out_dir: str | Path,
    objects: Sequence[Mapping[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Path]:
    """``skeleton`` and ``all`` overlays plus the ``thumbnail`` JPEG, decoding the video once.

    Returns name -> file (names as in :data:`ARTIFACT_FILES`). Raises ``RenderFailed`` (or an
    input error) when nothing could be rendered.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    people, subject = people_from_objects(objects, track)
    return render_overlays(
        video_path, track,
        {"skeleton": out / ARTIFACT_FILES["skeleton"], "all": out / ARTIFACT_FILES["all"]},
        analysis=analysis, people=people, subject_id=subject,
        thumbnail_path=out / ARTIFACT_FILES["thumbnail"], progress=progress,
    )
