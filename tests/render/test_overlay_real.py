"""Overlays of a real clip with a real pose track (slow: runs the pose model once)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from repstride.analysis.track import Joint
from repstride.media import iter_frames, probe
from repstride.render import render_overlays

pytestmark = pytest.mark.slow

BODY = (Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER, Joint.LEFT_HIP, Joint.RIGHT_HIP,
        Joint.LEFT_KNEE, Joint.RIGHT_KNEE, Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE)


@pytest.fixture(scope="module")
def real(demo_video: Path, tmp_path_factory: pytest.TempPathFactory):
    from repstride.pose import extract_pose

    pose = extract_pose(demo_video)
    out = tmp_path_factory.mktemp("real")
    written = render_overlays(demo_video, pose.track, {"skeleton": out / "s.mp4",
                                                       "all": out / "a.mp4"},
                              people=pose.people, subject_id=pose.subject_id,
                              thumbnail_path=out / "t.jpg", max_side=640)
    return demo_video, pose, written


def test_real_overlays_match_the_input_timing(real) -> None:
    video, _, written = real
    src = probe(video)
    for kind in ("skeleton", "all"):
        out = probe(written[kind])
        assert abs(out.frames - src.frames) <= 1
        assert out.duration_s == pytest.approx(src.duration_s, abs=1.5 / src.fps)
        assert out.fps == pytest.approx(src.fps, rel=0.01)
    with av.open(str(written["thumbnail"])) as c:
        assert next(c.decode(video=0)).width == 640


def test_real_skeleton_is_on_the_subject(real) -> None:
    """Near the subject's projected joints the overlay differs from the same input frame."""
    video, pose, written = real
    track = pose.track
    rows = [r for r in np.flatnonzero(track.detected)[::20]
            if (track.score[r, [int(j) for j in BODY]] >= 0.5).all()]
    assert len(rows) >= 3
    want = {int(track.frame_index[r]): r for r in rows}
    src = {f.index: f.rgb for f in iter_frames(video, max_side=640) if f.index in want}
    out = {f.index: f.rgb for f in iter_frames(written["skeleton"]) if f.index in want}
    hits = total = 0
    for fi, r in want.items():
        a, b = src[fi].astype(int), out[fi].astype(int)
        h, w = a.shape[:2]
        for j in BODY:
            x, y = (track.xy[r, int(j)] * [w, h]).round().astype(int)
            if not (2 <= x < w - 2 and 2 <= y < h - 2):
                continue
            total += 1
            patch = np.abs(a[y - 2:y + 3, x - 2:x + 3] - b[y - 2:y + 3, x - 2:x + 3]).max()
            hits += patch > 50
    assert total >= 10 and hits / total > 0.9
