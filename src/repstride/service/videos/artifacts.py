"""The Video API's overlay renderers (artifact steps), run by the analysis job after the
analysis (:mod:`repstride.service.videos.jobs`); the container installs :data:`ARTIFACT_STEPS`.

A step renders something from the video and its results, stores it in the blob store under the
video's prefix (``videos/<id>/``, so deleting the video deletes it) and returns the overlays it
produced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from repstride.errors import RepstrideError
from repstride.service.blobs.port import BlobStore
from repstride.service.videos.service import COMPLETE, FAILED, OVERLAY_TYPES, THUMBNAIL, blob_key

if TYPE_CHECKING:
    from repstride.analysis.results import ActivityResult
    from repstride.analysis.track import PoseTrack

log = logging.getLogger(__name__)


class ArtifactHost(Protocol):
    """What a step uses of the services (the container's ``Services`` is one)."""

    blobs: BlobStore


@dataclass(frozen=True)
class ArtifactContext:
    services: ArtifactHost
    video_id: str
    video_path: Path
    track: PoseTrack
    analysis: ActivityResult
    workdir: Path


#: A step renders something from the video + results, stores it with
#: ``ctx.services.blobs.put_file(blob_key(ctx.video_id, name), path)`` and returns the overlays
#: it produced: ``{"skeleton": {"status": "Complete", "key": <blob key>}}``. The API signs the key
#: into ``uri``. Overlays no step produces stay ``{"status": "Pending"}``.
ArtifactStep = Callable[[ArtifactContext], dict[str, dict[str, Any]]]

#: What the render step records on the video: the two overlays and the thumbnail.
RENDERED: tuple[str, ...] = (*OVERLAY_TYPES, THUMBNAIL)


def render_overlays_step(ctx: ArtifactContext) -> dict[str, dict[str, Any]]:
    """Both Video API overlays and a thumbnail from one decode of the source (``repstride.render``).

    Stored as ``overlay_skeleton.mp4``, ``overlay_all.mp4`` and ``thumbnail.jpg`` next to the
    video's other blobs. A rendering problem marks the overlays ``Failed`` (with a reason) and
    never touches the analysis; storage errors propagate (the job is retried).
    """
    from repstride.render.artifacts import render_video_artifacts

    try:
        objects = json.loads(ctx.services.blobs.get_bytes(blob_key(ctx.video_id, "objects.json")))
    except RepstrideError:
        objects = None  # boxes of other people are optional decoration
    try:
        files = render_video_artifacts(ctx.video_path, ctx.track, ctx.analysis,
                                       out_dir=ctx.workdir / "overlays", objects=objects)
    except RepstrideError as exc:
        log.warning("overlays of video %s failed: %s", ctx.video_id, exc.message)
        return {name: {"status": FAILED, "reason": exc.code} for name in RENDERED}
    except Exception:  # a renderer bug on this input: deterministic, so recorded, not retried
        log.exception("overlays of video %s failed", ctx.video_id)
        return {name: {"status": FAILED, "reason": "render_failed"} for name in RENDERED}
    produced: dict[str, dict[str, Any]] = {}
    for name, path in files.items():
        key = blob_key(ctx.video_id, path.name)
        ctx.services.blobs.put_file(key, path)
        if name in RENDERED:
            produced[name] = {"status": COMPLETE, "key": key}
    return produced


#: The overlay renderers the container installs (``Services.artifact_steps``); with none, the
#: overlays stay Pending.
ARTIFACT_STEPS: tuple[ArtifactStep, ...] = (render_overlays_step,)


__all__ = ["ARTIFACT_STEPS", "RENDERED", "ArtifactContext", "ArtifactHost", "ArtifactStep",
           "render_overlays_step"]
