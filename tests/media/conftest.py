"""Fixtures for the media tests; the video synthesis lives in ``media_synth``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from media_synth import write_video


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """``make_video(name, **write_video_kwargs) -> path`` under ``tmp_path``."""

    def make(name: str, **kwargs) -> Path:
        return write_video(tmp_path / name, **kwargs)

    return make
