"""Fixtures for the renderer tests (synthetic video + track, see ``synthetic_media``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from repstride.analysis.track import PoseTrack
from synthetic_media import figure_track, write_video


@pytest.fixture(scope="module")
def landscape(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PoseTrack]:
    d = tmp_path_factory.mktemp("landscape")
    video = write_video(d / "in.mp4", width=320, height=240, frames=45)
    return video, figure_track(45, width=320, height=240)


@pytest.fixture(scope="module")
def portrait(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PoseTrack]:
    """Stored 320x240 with a 90-degree display rotation: displayed 240x320."""
    d = tmp_path_factory.mktemp("portrait")
    video = write_video(d / "in.mp4", width=320, height=240, frames=30, rotation_cw=90)
    return video, figure_track(30, width=240, height=320)
