"""Main-subject choice, the caller's subject hint and identity-jump splitting."""

from __future__ import annotations

import numpy as np
import pytest
from pose_fakes import skeleton

from repstride.pose.subject import (
    SubjectHint, choose_main, jump_frames, pick_subject, prominence, prominence_parts,
    split_on_jumps,
)

W, H, T = 640, 360, 60


def person(hips: np.ndarray, torso: float, *, wave: float = 0.0,
           present: slice = slice(None)) -> np.ndarray:
    """(T, 33, 2) normalised landmarks; ``wave`` swings the wrists (torso lengths)."""
    xy = np.full((T, 33, 2), np.nan)
    for t in range(T)[present]:
        pts = skeleton(hips[t], torso)
        pts[[15, 16], 1] -= wave * torso * np.sin(t / 3.0)
        xy[t] = pts / [W, H]
    return xy


def boxes_of(xy: np.ndarray) -> np.ndarray:
    out = np.full((len(xy), 5), np.nan)
    ok = ~np.isnan(xy[:, :, 0]).all(axis=1)
    out[ok, :2] = np.nanmin(xy[ok], axis=1)
    out[ok, 2:4] = np.nanmax(xy[ok], axis=1)
    out[ok, 4] = 1.0
    return out


def still(x: float, y: float) -> np.ndarray:
    return np.tile([x, y], (T, 1)).astype(float)


def test_moving_person_beats_a_bigger_bystander_standing_still() -> None:
    walker = person(still(100, 200) + np.arange(T)[:, None] * [6, 0], 40)
    bystander = person(still(500, 200), 48)
    assert prominence(walker, width=W, height=H) > prominence(bystander, width=W, height=H)
    assert choose_main({0: bystander, 1: walker}, width=W, height=H) == 1


def test_bigger_and_longer_present_wins_among_movers() -> None:
    a = person(still(150, 200), 40, wave=1.0)
    b = person(still(450, 200), 40, wave=1.0, present=slice(0, T // 3))
    c = person(still(300, 200), 20, wave=1.0)
    assert choose_main({0: b, 1: c, 2: a}, width=W, height=H) == 2


def visibility(value: float, *, face: float = 1.0) -> np.ndarray:
    """(T, 33) landmark visibilities: ``value`` for the body, ``face`` for landmarks 0-10."""
    v = np.full((T, 33), value)
    v[:, :11] = face
    return v


def test_small_runner_beats_a_big_clear_bystander_whose_landmarks_jitter() -> None:
    rng = np.random.default_rng(3)
    runner = person(still(40, 300) + np.arange(T)[:, None] * [9, 0], 14, wave=1.0)
    bystander = person(still(400, 150), 40)
    bystander += rng.normal(0.0, 0.2 * 40, bystander.shape) / [W, H]  # still, but jittery
    vis = {0: visibility(0.95), 1: visibility(0.9)}
    people = {0: bystander, 1: runner}
    parts = prominence_parts(bystander, vis[0], width=W, height=H, fps=30.0)
    plain = prominence_parts(bystander, vis[0], width=W, height=H)
    # the jitter reads as motion on the raw paths; the 0.15 s median filter takes most of it out
    assert parts["activity"] < 0.6 * plain["activity"], (parts, plain)
    assert plain["score"] > prominence(runner, vis[1], width=W, height=H)
    assert choose_main(people, width=W, height=H, scores=vis, fps=30.0) == 1


def test_a_barely_visible_mover_loses_to_a_clear_one() -> None:
    ghost = person(still(450, 200) + 40 * np.sin(np.arange(T) / 4.0)[:, None] * [1, 0], 40,
                   wave=1.0)
    mover = person(still(150, 200) + 40 * np.sin(np.arange(T) / 4.0)[:, None] * [1, 0], 25,
                   wave=1.0)
    people = {0: ghost, 1: mover}
    vis = {0: visibility(0.15), 1: visibility(0.95)}
    assert prominence_parts(ghost, vis[0], width=W, height=H, fps=30.0)["clarity"] < 0.2
    assert choose_main(people, width=W, height=H, fps=30.0) == 0  # on size alone: the ghost
    assert choose_main(people, width=W, height=H, scores=vis, fps=30.0) == 1


def test_landmarks_outside_the_frame_do_not_lower_clarity() -> None:
    close_up = person(still(320, 330), 120)  # legs below the bottom edge
    vis = visibility(0.95)
    out = (close_up[..., 1] > 1.0) | (close_up[..., 0] > 1.0)
    assert out.any()
    vis[out] = 0.05
    assert prominence_parts(close_up, vis, width=W, height=H, fps=30.0)["clarity"] > 0.9


def test_nobody_means_no_subject() -> None:
    assert choose_main({}, width=W, height=H) is None
    assert prominence(np.full((T, 33, 2), np.nan), width=W, height=H) == 0.0


def test_hint_parsing() -> None:
    assert SubjectHint.parse((0.5, 0.4)).point == (0.5, 0.4)
    assert SubjectHint.parse([0.1, 0.2, 0.3, 0.4]).box == (0.1, 0.2, 0.3, 0.4)
    h = SubjectHint.parse({"point": [0.2, 0.3], "t": 1.5})
    assert h.point == (0.2, 0.3) and h.t_s == 1.5
    for bad in [(0.1,), (0.1, 0.2, 0.3), (5.0, 0.5), {"x": 1}, (float("nan"), 0.2)]:
        with pytest.raises(ValueError):
            SubjectHint.parse(bad)


def test_pick_by_point_and_time() -> None:
    left = boxes_of(person(still(150, 200), 30))
    right = boxes_of(person(still(480, 200) + np.arange(T)[:, None] * [-5, 0], 30))
    ts = np.arange(T) / 30.0
    people = {3: left, 7: right}
    # a point on the right person's start position, at t=0
    x = 480 / W
    assert pick_subject(SubjectHint(point=(x, 200 / H), t_s=0.0), people, ts) == 7
    # without a time: whoever contains the point most often (the still one on the left)
    assert pick_subject(SubjectHint(point=(150 / W, 200 / H)), people, ts) == 3
    # a box around the left one
    assert pick_subject(SubjectHint(box=tuple(left[0, :4])), people, ts) == 3
    # a point where nobody is
    assert pick_subject(SubjectHint(point=(0.02, 0.02)), people, ts) is None


def test_jump_detection_and_split() -> None:
    a = boxes_of(person(still(150, 200), 30))
    b = boxes_of(person(still(480, 200), 30))
    mixed = a.copy()
    mixed[30:] = b[30:]   # an id that hops from one person to another at frame 30
    mixed[10:13] = np.nan  # a gap is not a jump
    assert jump_frames(a, aspect=W / H).size == 0
    assert jump_frames(mixed, aspect=W / H).tolist() == [30]
    segs = split_on_jumps({0: mixed}, aspect=W / H)
    assert segs == {0: [(0, 30), (30, T)]}


def test_size_change_is_a_jump() -> None:
    a = boxes_of(person(still(300, 200), 30))
    b = boxes_of(person(still(300, 190), 12))
    mixed = np.concatenate([a[:20], b[20:]])
    assert jump_frames(mixed, aspect=W / H).tolist() == [20]


def test_fast_but_smooth_motion_is_not_a_jump() -> None:
    # a sprinter crossing the frame in one second
    a = boxes_of(person(still(20, 200) + np.arange(T)[:, None] * [10, 0], 30))
    assert jump_frames(a, aspect=W / H).size == 0


def test_torso_decides_when_landmarks_are_known() -> None:
    a = person(still(300, 200), 30)
    b = person(still(420, 200), 30)  # someone 4 torso lengths to the side
    swapped = np.concatenate([a[:25], b[25:]])
    assert jump_frames(boxes_of(swapped), xy=swapped, aspect=W / H).tolist() == [25]
    # close-up: limbs flail so the box jumps, but the torso stays -> not a new person
    flail = a.copy()
    flail[30:, [15, 16, 27, 28], 1] += 120 / H
    boxes = boxes_of(flail)
    assert jump_frames(boxes, aspect=W / H).tolist() == [30]  # the box alone would cut
    assert jump_frames(boxes, xy=flail, aspect=W / H).size == 0
