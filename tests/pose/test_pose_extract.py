"""Assembling results from tracked people (no models): splitting, subject choice, empty clips."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fakes import skeleton

from repstride.errors import InvalidInput, SubjectNotFound
from repstride.media import VideoInfo
from repstride.pose.extract import TrackedPeople, _split

W, H, T = 640, 360, 40
INFO = VideoInfo(container="mp4", codec="h264", width=W, height=H, rotation=0, fps=30.0,
                 duration_s=T / 30, frames=T)


def arrays(hips: np.ndarray, torso: float) -> dict[str, np.ndarray]:
    xy = np.full((T, 33, 2), np.nan)
    boxes = np.full((T, 5), np.nan)
    for t in range(T):
        if np.isnan(hips[t]).any():
            continue
        pts = skeleton(hips[t], torso) / [W, H]
        xy[t] = pts
        boxes[t] = [*pts.min(axis=0), *pts.max(axis=0), 0.99]
    score = np.where(np.isnan(xy[:, :, 0]), 0.0, 0.9)
    world = np.where(np.isnan(xy[:, :, :1]), np.nan, 0.0) * np.ones((1, 1, 3))
    return {"boxes": boxes, "xy": xy, "score": score, "world": world}


def tracked(people: dict[int, dict[str, np.ndarray]]) -> TrackedPeople:
    return TrackedPeople(info=INFO, people=people, timestamps_s=np.arange(T) / 30.0,
                         frame_index=np.arange(T), fps=30.0, width=W, height=H, stats={})


def moving(x0: float, vx: float, y: float = 200.0) -> np.ndarray:
    return np.stack([x0 + vx * np.arange(T), np.full(T, y)], axis=1)


def test_split_gives_the_piece_after_a_jump_a_new_id() -> None:
    a = arrays(moving(100, 0), 30)
    b = arrays(moving(500, 0), 30)
    hopping = {k: np.concatenate([a[k][:25], b[k][25:]]) for k in a}
    out = _split({4: hopping, 9: arrays(moving(300, 2), 25)}, aspect=W / H)
    assert sorted(out) == [4, 9, 10]
    assert np.isnan(out[4]["boxes"][25:, 0]).all() and not np.isnan(out[4]["boxes"][:25, 0]).any()
    assert np.isnan(out[10]["boxes"][:25, 0]).all() and not np.isnan(out[10]["boxes"][25:, 0]).any()
    assert (out[10]["score"][:25] == 0).all()


def test_result_follows_the_chosen_person_and_keeps_all_boxes() -> None:
    tp = tracked({0: arrays(moving(100, 0), 30), 1: arrays(moving(150, 8), 32)})
    res = tp.result()
    assert res.subject_id == 1  # the mover
    assert res.track.detected.all() and len(res.track) == T
    np.testing.assert_allclose(res.track.bbox, res.people[1][:, :4])
    assert set(res.people) == {0, 1} and res.people[0].shape == (T, 5)
    assert res.track.meta["people_seen"] == 2 and res.track.meta["coverage"] == 1.0
    picked = tp.result({"point": (100 / W, 200 / H), "t": 0.5})
    assert picked.subject_id == 0
    smoothed = res.smoothed()
    assert smoothed.meta["smoothing"]["filter"] == "butterworth-filtfilt"


def test_subject_errors() -> None:
    tp = tracked({0: arrays(moving(100, 0), 30)})
    with pytest.raises(SubjectNotFound) as exc:
        tp.result((0.99, 0.01))
    assert exc.value.code == "subject_not_found"
    with pytest.raises(InvalidInput):
        tp.result("left")


def test_nobody_gives_an_empty_track_with_aligned_rows() -> None:
    res = tracked({}).result()
    assert res.subject_id is None and res.people == {}
    assert len(res.track) == T and not res.track.detected.any()
    np.testing.assert_array_equal(res.track.frame_index, np.arange(T))


class _FakeFrame:
    def __init__(self, i: int) -> None:
        self.index, self.timestamp_s = i, i / 30.0
        self.rgb = np.zeros((4, 4, 3), np.uint8)


def test_decode_thread_hands_errors_to_the_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    from repstride.errors import CorruptVideo
    from repstride.pose import extract

    def broken(path, **kw):
        yield _FakeFrame(0)
        yield _FakeFrame(1)
        raise CorruptVideo()

    monkeypatch.setattr(extract, "iter_frames", broken)
    got = []
    with pytest.raises(CorruptVideo):
        for fr in extract._decode_ahead("x.mp4"):
            got.append(fr.index)
    assert got == [0, 1]


def test_decode_thread_stops_when_the_consumer_does(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from repstride.pose import extract

    def endless(path, **kw):
        i = 0
        while True:
            yield _FakeFrame(i)
            i += 1

    monkeypatch.setattr(extract, "iter_frames", endless)
    frames = extract._decode_ahead("x.mp4")
    assert [next(frames).index for _ in range(3)] == [0, 1, 2]
    frames.close()  # consumer gives up: the producer must not linger
    assert not any(t.name == "repstride-decode" and t.is_alive() for t in threading.enumerate())
    assert [f.index for f in extract._decode_ahead("x.mp4", max_frames=5)] == [0, 1, 2, 3, 4]
