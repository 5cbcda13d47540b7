"""Which stored blobs belong to a video (the Video API) or an analysis (the Running Analysis
API), sorted into the categories the retention settings name, and how to delete them.

Both the retention sweep (:mod:`repstride.service.retention`) and the deletion of a video or
an analysis through the API use these functions, so the two always agree on what a resource
owns. Everything of a resource lives under one prefix (``videos/<id>/``, ``running/<id>/``):

- ``uploads``: the uploaded source video (the record's ``video_key``);
- ``tracks``: the pose data (Video API: ``track.npz``, ``j2p.json``, ``objects.json``;
  Running Analysis API: ``track.npz``);
- ``overlays``: everything rendered from them (overlay videos, annotated video, thumbnail).
"""

from __future__ import annotations

from dataclasses import dataclass

from repstride.service.blobs.port import BlobStore

UPLOADS, TRACKS, OVERLAYS = "uploads", "tracks", "overlays"
#: The blob categories, in the order the sweep handles them.
CATEGORIES: tuple[str, ...] = (UPLOADS, TRACKS, OVERLAYS)

#: Resource kinds: a Video API video, a Running Analysis API analysis.
VIDEO, ANALYSIS = "video", "analysis"

#: Blob names holding pose data, per resource kind.
TRACK_NAMES: dict[str, frozenset[str]] = {
    VIDEO: frozenset({"track.npz", "j2p.json", "objects.json"}),
    ANALYSIS: frozenset({"track.npz"}),
}
_PREFIXES = {VIDEO: "videos", ANALYSIS: "running"}


@dataclass(frozen=True)
class StoredBlob:
    """One blob of a resource: its key, size in bytes and category."""

    key: str
    size: int
    category: str


def resource_prefix(kind: str, resource_id: str) -> str:
    """The prefix holding every blob of a resource (``videos/<id>``, ``running/<id>``)."""
    return f"{_PREFIXES[kind]}/{resource_id}"


def category_of(kind: str, key: str, *, source_key: str) -> str:
    if key == source_key:
        return UPLOADS
    return TRACKS if key.rsplit("/", 1)[-1] in TRACK_NAMES[kind] else OVERLAYS


def resource_blobs(blobs: BlobStore, kind: str, resource_id: str, *, source_key: str
                   ) -> list[StoredBlob]:
    """Every blob the resource has in the store, with its size and category (one listing)."""
    found = blobs.list_prefix(resource_prefix(kind, resource_id))
    return [StoredBlob(key, size, category_of(kind, key, source_key=source_key))
            for key, size in sorted(found.items())]


def delete_blobs(blobs: BlobStore, items: list[StoredBlob]) -> int:
    """Delete exactly these blobs; returns the bytes freed (a blob already gone counts 0)."""
    freed = 0
    for item in items:
        if blobs.delete_prefix(item.key):
            freed += item.size
    return freed


def delete_resource_blobs(blobs: BlobStore, kind: str, resource_id: str, *, source_key: str
                          ) -> list[StoredBlob]:
    """Delete every blob of a resource (a deleted video or analysis); returns what was there."""
    items = resource_blobs(blobs, kind, resource_id, source_key=source_key)
    blobs.delete_prefix(resource_prefix(kind, resource_id))
    return items


__all__ = ["ANALYSIS", "CATEGORIES", "OVERLAYS", "StoredBlob", "TRACKS", "TRACK_NAMES",
           "UPLOADS", "VIDEO", "category_of", "delete_blobs", "delete_resource_blobs",
           "resource_blobs", "resource_prefix"]
