"""PersonTracker on synthetic scenes (fake models): stable ids, crossings, re-acquisition."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fakes import H, W, FakeDetector, FakeLandmarker, Scene, walk

import repstride.pose.tracker as tracker_mod
from repstride.pose.tracker import PersonTracker, tiles


def run(scene: Scene, n: int, **kw) -> tuple[PersonTracker, dict[int, dict[int, int]]]:
    """Track the scene; returns the tracker and, per output id, {frame: true person}."""
    tr = PersonTracker(FakeDetector(scene), FakeLandmarker(scene), width=W, height=H,  # type: ignore[arg-type]
                       detect_every=kw.pop("detect_every", 5), max_missing=kw.pop("max_missing", 8), **kw)
    rgb = scene.rgb()
    for t in range(n):
        scene.frame = t
        tr.step(t, rgb)
    truth: dict[int, dict[int, int]] = {}
    for tid, obs in tr.observations().items():
        for o in obs:
            hip = (o.landmarks.xy[23] + o.landmarks.xy[24]) / 2
            person = min(scene.present(o.frame),
                         key=lambda p: np.linalg.norm(scene.hips[p][o.frame] - hip))
            truth.setdefault(tid, {})[o.frame] = person
    return tr, truth


def test_tiles_cover_a_long_frame() -> None:
    assert tiles(100, 100) == []
    t = tiles(1920, 1080)
    assert len(t) == 2 and t[0][0] == 0 and t[-1][0] + t[-1][2] == 1920
    t = tiles(1080, 1920)
    assert len(t) == 2 and t[-1][1] + t[-1][2] == 1920


def test_two_still_people_keep_two_ids() -> None:
    n = 40
    scene = Scene(hips={0: walk(n, (60, 90), (0, 0)), 1: walk(n, (180, 95), (0, 0))},
                  torsos={0: np.full(n, 20.0), 1: np.full(n, 18.0)})
    tr, truth = run(scene, n)
    assert len(truth) == 2
    for frames in truth.values():
        assert len(frames) == n and len(set(frames.values())) == 1
    # the detector ran only on the periodic frames once both were tracked
    assert scene.calls["det"] <= n // 5 + 2


@pytest.mark.parametrize("front_enters_at", [0, 3])  # 3: the one behind has the older id
def test_crossing_people_never_swap_ids(front_enters_at: int) -> None:
    n = 60
    scene = Scene(
        hips={0: walk(n, (30, 95), (3.0, 0), frames=range(front_enters_at, n)),  # nearer
              1: walk(n, (210, 85), (-3.0, 0))},   # walks left, farther
        torsos={0: np.full(n, 22.0), 1: np.full(n, 15.0)})
    tr, truth = run(scene, n)
    for tid, frames in truth.items():  # identity purity: one id = one person
        assert len(set(frames.values())) == 1, (tid, frames)
    owner = {tid: next(iter(f.values())) for tid, f in truth.items()}
    # the walker in front keeps a single id across the whole crossing
    ids_of_0 = [tid for tid, p in owner.items() if p == 0]
    assert len(ids_of_0) == 1
    frames0 = sorted(truth[ids_of_0[0]])
    assert frames0 == list(range(frames0[0], n)) and frames0[0] <= front_enters_at + 5
    # the one behind is followed before and after (a new id afterwards is allowed)
    seen_1 = set().union(*(truth[t].keys() for t, p in owner.items() if p == 1))
    assert min(seen_1) == 0 and max(seen_1) == n - 1


def test_lost_person_is_reacquired_with_same_id() -> None:
    n = 50
    hips = walk(n, (60, 90), (1.0, 0))
    hips[20:24] = np.nan  # briefly hidden
    scene = Scene(hips={0: hips}, torsos={0: np.full(n, 20.0)})
    tr, truth = run(scene, n, max_missing=8)
    assert len(truth) == 1
    frames = next(iter(truth.values()))
    assert sorted(frames) == [t for t in range(n) if not 20 <= t < 24]


def test_newcomer_is_found_by_periodic_detection() -> None:
    n = 40
    scene = Scene(hips={0: walk(n, (60, 90), (0, 0)),
                        1: walk(n, (200, 90), (0, 0), frames=range(12, n))},
                  torsos={0: np.full(n, 20.0), 1: np.full(n, 20.0)})
    tr, truth = run(scene, n, detect_every=5)
    firsts = sorted(min(f) for f in truth.values())
    assert firsts[0] == 0 and 12 <= firsts[1] <= 12 + 5


@pytest.mark.parametrize("gap", [0, 1])
def test_no_one_in_frame_gives_no_track(gap: int) -> None:
    n = 10
    scene = Scene(hips={0: np.full((n, 2), np.nan)}, torsos={0: np.full(n, 20.0)})
    tr, truth = run(scene, n, detect_every=1 + gap)
    assert truth == {}


def test_crowd_budget_bounds_landmark_calls_and_keeps_ids() -> None:
    n = 30
    xs = [20, 60, 100, 140, 180, 220]
    torsos = [24, 22, 20, 18, 10, 9]  # the two smallest are the far ones
    scene = Scene(hips={p: walk(n, (x, 100), (0, 0)) for p, x in enumerate(xs)},
                  torsos={p: np.full(n, float(t)) for p, t in enumerate(torsos)})
    tr, truth = run(scene, n, detect_every=10)
    assert len(truth) == 6
    for frames in truth.values():
        assert len(set(frames.values())) == 1
    by_person = {next(iter(f.values())): f for f in truth.values()}
    for p in range(4):  # the four largest: every frame
        assert len(by_person[p]) == n
    for p in (4, 5):  # the others: about every third frame
        assert n // 3 - 1 <= len(by_person[p]) <= n // 3 + 2
    calls_after_start = scene.calls["lmk"]
    assert calls_after_start <= 6 + (n - 1) * (4 + 2 / 3) + 2


def test_no_budget_needed_for_a_few_people() -> None:
    n = 12
    scene = Scene(hips={p: walk(n, (30 + 60 * p, 100), (0, 0)) for p in range(4)},
                  torsos={p: np.full(n, 15.0) for p in range(4)})
    tr, truth = run(scene, n)
    assert sorted(len(f) for f in truth.values()) == [n] * 4


def _upright_frames(tr: PersonTracker) -> list[bool]:
    """Per observation (all ids, frame order): is the nose above the hip centre?"""
    out = []
    for obs in tr.observations().values():
        for o in obs:
            hip = (o.landmarks.xy[23] + o.landmarks.xy[24]) / 2
            out.append(bool(o.landmarks.xy[0, 1] < hip[1]))
    return out


def test_head_out_of_frame_is_not_read_upside_down() -> None:
    # The detector's scale keypoint points at the feet (head cut off): the region it gives is
    # upside down, and the landmark model reads it confidently, upside down, for good.
    n = 30
    scene = Scene(hips={0: walk(n, (120, 60), (0.5, 0))}, torsos={0: np.full(n, 25.0)},
                  head_out={0})
    tr, truth = run(scene, n)
    assert len(truth) == 1 and len(next(iter(truth.values()))) == n
    assert all(_upright_frames(tr))
    assert tr.stats["upright_fixes"] >= 1
    legs = [o.landmarks.visibility[23:].mean() for o in tr.observations()[0]]
    assert min(legs) == pytest.approx(0.9)


def test_flipped_region_from_the_landmarks_is_turned_upright() -> None:
    # The landmark model's auxiliary points come out upside down on two frames while the
    # person is being followed; the region for the next frame must not stay upside down.
    n = 30
    scene = Scene(hips={0: walk(n, (120, 90), (0, 0))}, torsos={0: np.full(n, 20.0)},
                  flipped_next_roi={8, 19})
    tr, truth = run(scene, n)
    assert all(_upright_frames(tr)) and len(_upright_frames(tr)) == n
    assert tr.stats["upright_fixes"] == 2


def test_real_handstand_stays_upside_down_and_is_rechecked_rarely() -> None:
    n = 40
    scene = Scene(hips={0: walk(n, (120, 70), (0, 0))}, torsos={0: np.full(n, 20.0)},
                  handstand={0})
    tr, truth = run(scene, n, detect_every=10)
    upright = _upright_frames(tr)
    assert len(upright) == n and not any(upright)
    assert tr.stats["upright_fixes"] == 0
    # one upright check when found, then one per detector period
    assert tr.stats["upright_checks"] <= 1 + n // 10 + 1
    assert tr.stats["landmark_calls"] <= n + tr.stats["upright_checks"]


@pytest.mark.parametrize("margin", [True, False])
def test_confirmed_handstand_needs_a_clear_win_to_be_turned_upright(
        margin: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # From frame 5 the upright reading scores slightly higher than the upside-down one
    # (0.99*0.9*0.95 vs 0.99*0.9*0.9): an ambiguous pose must not flip a confirmed handstand.
    if not margin:
        monkeypatch.setattr(tracker_mod, "INVERTED_HYSTERESIS", 0.0)
    n = 40
    scene = Scene(hips={0: walk(n, (120, 70), (0, 0))}, torsos={0: np.full(n, 20.0)},
                  handstand={0}, ambiguous_from=5)
    tr, _ = run(scene, n, detect_every=10)
    upright = _upright_frames(tr)
    assert len(upright) == n
    if margin:
        assert not any(upright)
    else:  # the scene does exercise the margin: without it the reading flips
        assert any(upright)
