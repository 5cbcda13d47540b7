"""The worker-facing bundle: objects -> people boxes, and both overlays + thumbnail in one call."""

from __future__ import annotations

import numpy as np
import pytest

from repstride.media import probe
from repstride.render.artifacts import ARTIFACT_FILES, people_from_objects, render_video_artifacts
from synthetic_media import figure_track, squat_result


def test_people_from_objects_aligns_boxes_with_track_rows() -> None:
    track = figure_track(5, width=64, height=48)
    objects = [
        {"type": "person", "id": 3, "subject": False,
         "boundingBoxes": [{"frame_idx": 1, "timestamp": 0.03, "x1": 0.1, "y1": 0.2, "x2": 0.3,
                            "y2": 0.9, "score": 0.8},
                           {"frame_idx": 99, "x1": 0, "y1": 0, "x2": 1, "y2": 1, "score": 1}]},
        {"type": "person", "id": 7, "subject": True,
         "boundingBoxes": [{"frame_idx": 4, "x1": 0.4, "y1": 0.1, "x2": 0.6, "y2": 0.95,
                            "score": None}]},
        {"type": "ball", "id": 9, "boundingBoxes": []},
    ]
    people, subject = people_from_objects(objects, track)
    assert subject == 7 and set(people) == {3, 7}
    assert people[3].shape == (5, 5)
    np.testing.assert_allclose(people[3][1], [0.1, 0.2, 0.3, 0.9, 0.8])
    assert np.isnan(people[3][[0, 2, 3, 4]]).all()  # frame 99 is not in the track: ignored
    assert np.isnan(people[7][4, 4]) and people[7][4, 0] == pytest.approx(0.4)
    assert people_from_objects(None, track) == ({}, None)


def test_render_video_artifacts_writes_all_three(landscape, tmp_path) -> None:
    video, track = landscape
    objects = [{"type": "person", "id": 0, "subject": True, "boundingBoxes": []}]
    seen: list[int] = []
    files = render_video_artifacts(video, track, squat_result([(100, 300, 500)]),
                                   out_dir=tmp_path / "art", objects=objects,
                                   progress=lambda done, total: seen.append(done))
    assert {k: p.name for k, p in files.items()} == ARTIFACT_FILES
    assert all(p.stat().st_size > 0 for p in files.values())
    assert probe(files["all"]).frames == probe(video).frames
    assert seen[-1] == probe(video).frames
