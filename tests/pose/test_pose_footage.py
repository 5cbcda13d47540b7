"""The pose stage on real footage (slow: runs the BlazePose models).

Sports2D's demo clip: a man jumps on a roof (top left) while a woman walks across the frame from
right to left (about 1.7 s to 6.7 s); later the man comes down. The stock single-person graph
follows the man; the subject here must be the walker, without ever jumping to him.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import SubjectNotFound
from repstride.pose import TrackedPeople, track_people

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_people(demo_video: Path) -> TrackedPeople:
    return track_people(demo_video)


def centres(track: PoseTrack) -> np.ndarray:
    return (track.bbox[:, :2] + track.bbox[:, 2:]) / 2


def assert_no_jumps(track: PoseTrack, max_step: float = 0.08) -> None:
    c = centres(track) * [track.width / track.height, 1.0]
    ok = np.flatnonzero(track.detected)
    steps = np.linalg.norm(np.diff(c[ok], axis=0), axis=1) / np.diff(ok)
    assert steps.max() < max_step, f"subject box jumped by {steps.max():.3f} of the frame"


def test_default_subject_is_the_walker_and_never_jumps(demo_people: TrackedPeople) -> None:
    res = demo_people.result()
    tr = res.track
    assert len(tr) == len(demo_people.timestamps_s) >= 220  # rows never dropped
    c = centres(tr)[tr.detected]
    assert (c[:, 1] > 0.5).all()  # always the walker on the lawn, never the man on the roof
    assert c[0, 0] > c[-1, 0] + 0.4  # she crosses from right to left
    walking = (tr.timestamps_s > 2.2) & (tr.timestamps_s < 6.3)
    assert tr.detected[walking].mean() > 0.95
    assert_no_jumps(tr)
    assert len(res.people) >= 2 and res.subject_id in res.people
    for boxes in res.people.values():
        assert boxes.shape == (len(tr), 5)


def test_choosing_by_point(demo_people: TrackedPeople) -> None:
    walker = demo_people.result().subject_id
    assert demo_people.subject_id({"point": (0.46, 0.75), "t": 4.0}) == walker
    roof = demo_people.result({"point": (0.38, 0.25), "t": 0.5})
    assert roof.subject_id != walker
    c = centres(roof.track)[roof.track.detected]
    assert len(c) > 60 and (c[:, 1] < 0.5).all()
    assert_no_jumps(roof.track)
    with pytest.raises(SubjectNotFound):
        demo_people.result({"point": (0.95, 0.05), "t": 0.0})  # empty sky


def test_walker_landmark_geometry(demo_people: TrackedPeople) -> None:
    tr = demo_people.result().track
    px = tr.pixels()[tr.detected]
    sh = (px[:, Joint.LEFT_SHOULDER] + px[:, Joint.RIGHT_SHOULDER]) / 2
    hip = (px[:, Joint.LEFT_HIP] + px[:, Joint.RIGHT_HIP]) / 2
    ank = (px[:, Joint.LEFT_ANKLE] + px[:, Joint.RIGHT_ANKLE]) / 2
    assert (sh[:, 1] < hip[:, 1]).mean() > 0.97 and (hip[:, 1] < ank[:, 1]).mean() > 0.97
    for side in ("LEFT", "RIGHT"):
        thigh = np.linalg.norm(px[:, Joint[f"{side}_HIP"]] - px[:, Joint[f"{side}_KNEE"]], axis=1)
        shin = np.linalg.norm(px[:, Joint[f"{side}_KNEE"]] - px[:, Joint[f"{side}_ANKLE"]], axis=1)
        ratio = thigh / shin
        assert 0.7 < np.median(ratio) < 1.4
        assert np.std(ratio) / np.mean(ratio) < 0.25
    assert np.isfinite(tr.world[tr.detected]).all()
    assert (tr.score[tr.detected] >= 0).all() and (tr.score[tr.detected] <= 1).all()


def assert_hips_never_jump(track: PoseTrack, max_step: float = 0.2) -> None:
    """Close-ups: the box follows flailing limbs, so check the hip centre instead."""
    hip = (track.xy[:, Joint.LEFT_HIP] + track.xy[:, Joint.RIGHT_HIP]) / 2
    px = hip * [track.width, track.height] / max(track.width, track.height)
    steps = np.linalg.norm(np.diff(px, axis=0), axis=1)
    assert np.nanmax(steps) < max_step, f"hip centre jumped by {np.nanmax(steps):.3f}"


@pytest.mark.devdata
def test_shared_clips_keep_one_subject(manifest: list[dict[str, str]], dev_data: Path) -> None:
    # two short clips: a bench press with other people around, and a back view
    wanted = ("nadaMarie__dataset/true_bench.mp4", "Jintao-Xu__Pose_Estimation/9.mp4")
    picks = [r for r in manifest if r["file"] in wanted]
    if not picks:
        pytest.skip("the short clips are not in the manifest")
    for row in picks:
        res = track_people(dev_data / row["file"]).result()
        assert res.track.detected.mean() > 0.9, row["file"]
        assert_hips_never_jump(res.track)
        json.dumps(res.track.meta)  # meta stays JSON-friendly for the API
