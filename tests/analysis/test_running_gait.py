"""Gait events against the synthetic runner's exact truth (analysis/running/gait.py)."""

from __future__ import annotations

import numpy as np
import pytest

from repstride.analysis.running.gait import (
    FLAG_LOW_RESOLUTION, FLAG_SLOW_MOTION_SUSPECTED, GaitEvents, detect_gait_events,
)
from repstride.analysis.running.gait.events import _looks_slowed
from repstride.testing.running import SyntheticRun, synthesize_run
from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput, LowQualityPose
from repstride.wire import to_json


def _match(ev: GaitEvents, run: SyntheticRun) -> list[float]:
    """Error (frames) of every detected event against the nearest true event of its kind/side."""
    fps = run.track.fps
    errs = []
    for e in ev.events:
        cands = [t.time_s for t in run.truth.events if t.kind == e.kind and t.side == e.side]
        assert cands, f"no true {e.kind} for {e.side}"
        errs.append((e.time_s - min(cands, key=lambda x: abs(x - e.time_s))) * fps)
    return errs


def _check_accuracy(run: SyntheticRun, *, min_found: float, view: str = "side") -> GaitEvents:
    ev = detect_gait_events(run.track, view=view)
    errs = _match(ev, run)
    # Contacts whose TD and TO both fall inside the clip (edge ones are not observable).
    assert len(ev.contacts) >= min_found * len(run.truth.contacts), (
        len(ev.contacts), len(run.truth.contacts))
    assert max(abs(e) for e in errs) <= 1.0, errs
    cad = ev.cadence_spm()
    assert cad is not None and abs(cad - run.truth.cadence_spm) / run.truth.cadence_spm < 0.01
    gct = float(np.mean(ev.contact_times_s()))
    assert abs(gct - run.truth.contact_s) <= 1.0 / run.track.fps, (gct, run.truth.contact_s)
    return ev


@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0])
@pytest.mark.parametrize("strike", ["rearfoot", "midfoot", "forefoot"])
def test_treadmill_events_within_one_frame(fps: float, strike: str) -> None:
    run = synthesize_run(fps=fps, strike=strike, noise_px=1.0, seed=1)
    ev = _check_accuracy(run, min_found=0.85)
    assert ev.low_resolution == (fps < 50.0)  # within a frame, but a 33 ms frame is coarse
    assert "no_flight_phase" not in ev.flags
    assert ev.direction == 1
    assert {c.side for c in ev.contacts} == {"left", "right"}


@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_back_view_events_within_one_frame(fps: float, seed: int) -> None:
    """Camera behind the runner: no fore-aft axis, the feet's height alone decides."""
    run = synthesize_run(view="back", fps=fps, noise_px=0.5, seed=seed)
    ev = _check_accuracy(run, min_found=0.85, view="back")
    assert ev.direction == 0 and {c.side for c in ev.contacts} == {"left", "right"}


@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0])
@pytest.mark.parametrize("direction", [1, -1])
def test_overground_runner_crossing_the_frame(fps: float, direction: int) -> None:
    run = synthesize_run(fps=fps, treadmill=False, duration_s=3.0, px_per_m=110.0,
                         direction=direction, noise_px=0.5, seed=2)
    ev = _check_accuracy(run, min_found=0.8)
    assert ev.direction == direction


@pytest.mark.parametrize("fps", [30.0, 60.0, 120.0])
def test_sprint_speeds_short_contacts(fps: float) -> None:
    run = synthesize_run(fps=fps, speed_m_s=6.5, cadence_spm=195, contact_ms=140,
                         strike="forefoot", noise_px=1.0, seed=3)
    _check_accuracy(run, min_found=0.85)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_robust_to_far_leg_occlusion_and_noise(seed: int) -> None:
    run = synthesize_run(fps=60.0, noise_px=1.5, far_leg_occlusion=0.2, seed=seed)
    ev = _check_accuracy(run, min_found=0.6)
    # Every contact of the near (right) foot is found.
    near_true = [c for c in run.truth.contacts if c[0] == "right"]
    assert len(ev.contacts_of("right")) >= len(near_true) - 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_left_right_label_swaps_are_undone(seed: int) -> None:
    run = synthesize_run(fps=60.0, noise_px=1.0, swap_rate=0.03, seed=seed)
    ev = _check_accuracy(run, min_found=0.85)
    assert ev.label_swaps > 0  # the glitches were seen and corrected, sides still right


@pytest.mark.parametrize("fps", [60.0, 120.0])
@pytest.mark.parametrize("jump", [0.08, 0.25])  # leg lengths: as on the real clip, and worse
def test_a_mid_stance_glitch_is_not_a_toe_off(fps: float, jump: float) -> None:
    """The pose model loses the stance foot for two frames at 60 fps while the other foot swings
    past it (seen on a real treadmill clip): heel, ankle and toe jump up and come back. The
    contact goes on; its toe-off is not moved to the glitch."""
    run = synthesize_run(fps=fps, noise_px=1.0, seed=7)
    t = run.track
    side, td, to = next(c for c in run.truth.contacts if c[1] > 1.0)
    mid = int(round((td + 0.45 * (to - td)) * fps))
    n = int(round(fps / 30.0))  # two frames at 60 fps, four at 120
    xy = t.xy.copy()
    S = side.upper()
    leg = float(np.nanmedian(np.abs(xy[:, int(Joint[f"{S}_ANKLE"]), 1]
                                    - xy[:, int(Joint[f"{S}_HIP"]), 1])))
    for j in ("ANKLE", "HEEL", "FOOT_INDEX"):
        xy[mid:mid + n, int(Joint[f"{S}_{j}"]), 1] -= jump * leg
    ev = _check_accuracy(run.__class__(t.replace(xy=xy), run.truth), min_found=0.85)
    mine = [c for c in ev.contacts_of(side) if abs(c.td.time_s - td) < 0.05]
    assert mine and abs(mine[0].to.time_s - to) * fps <= 1.0, (mine, to)


def test_swaps_left_in_place_would_break_sides() -> None:
    """The check above can fail: the raw labels of a swapped track really are mixed up."""
    run = synthesize_run(fps=60.0, swap_rate=0.03, seed=1)
    left_heel = run.track.pixels()[:, 29]
    clean = synthesize_run(fps=60.0, seed=1).track.pixels()[:, 29]
    assert np.nanmax(np.abs(left_heel - clean)) > 50


def test_30fps_is_computed_but_flagged_low_resolution() -> None:
    run = synthesize_run(fps=30.0, noise_px=0.5, seed=4)
    ev = detect_gait_events(run.track)
    assert ev.low_resolution
    assert FLAG_LOW_RESOLUTION in ev.flags
    assert ev.contacts and ev.cadence_spm() is not None
    assert abs(ev.cadence_spm() - 170.0) / 170.0 < 0.02


def test_events_have_confidence_and_frame_convention() -> None:
    run = synthesize_run(fps=60.0, seed=5)
    ev = detect_gait_events(run.track)
    for c in ev.contacts:
        assert 0.0 <= c.td.confidence <= 1.0 and 0.0 <= c.to.confidence <= 1.0
        # TD frame = first frame in contact (at or after the instant), TO = last frame in contact.
        assert c.td.frame >= c.td.time_s * 60.0 - 1e-6
        assert c.to.frame <= c.to.time_s * 60.0 + 1e-6
        assert c.td.frame - c.td.time_s * 60.0 < 1.0
    wire = to_json(ev)
    assert wire["lowResolution"] is False and len(wire["events"]) == 2 * len(ev.contacts)


def test_slow_motion_declared_and_suspected() -> None:
    run = synthesize_run(fps=120.0, duration_s=5.0, seed=6)
    t = run.track
    # Played back at 30 fps: the same frames, 4x slower.
    slow = t.replace(timestamps_s=t.timestamps_s * 4.0, fps=30.0)
    ev_video = detect_gait_events(slow)
    assert FLAG_SLOW_MOTION_SUSPECTED in ev_video.flags
    assert abs(ev_video.cadence_spm() - 170.0 / 4.0) / (170.0 / 4.0) < 0.01
    ev_real = detect_gait_events(slow, slow_motion_factor=4.0)
    assert FLAG_SLOW_MOTION_SUSPECTED not in ev_real.flags
    assert not ev_real.low_resolution  # 30 fps x 4 = 120 real frames per second
    assert abs(ev_real.cadence_spm() - 170.0) / 170.0 < 0.01
    assert abs(np.mean(ev_real.contact_times_s()) - 0.24) <= 1.0 / 120.0


def _events(contacts: list[tuple[str, float, float]]) -> GaitEvents:
    cs = tuple(_contact(side, td, to) for side, td, to in contacts)
    return GaitEvents(contacts=cs, fps=30.0, view="side", direction=1, leg_length_px=100.0,
                      stance_speed_px_s=100.0)


@pytest.mark.parametrize("step_s, contact_s, slowed", [
    (0.35, 0.24, False),  # a run in real time: 171 steps/min
    (1.40, 0.96, True),   # the same run played 4x slower: 43 steps/min, flight phase kept
    (0.62, 0.70, False),  # a slow walk, 97 steps/min: both feet down at once, times are real
    (2.48, 2.80, False),  # a walk in slow motion cannot be told from a very slow walk: real
])
def test_slow_motion_needs_a_flight_phase(step_s: float, contact_s: float, slowed: bool) -> None:
    sides = ("left", "right")
    ev = _events([(sides[i % 2], i * step_s, i * step_s + contact_s) for i in range(8)])
    assert _looks_slowed(ev) is slowed
    assert ev.duty_factor() == pytest.approx(contact_s / (2 * step_s))


def test_bad_inputs() -> None:
    run = synthesize_run(fps=60.0, duration_s=2.0)
    with pytest.raises(InvalidInput):
        detect_gait_events(run.track, view="front")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        detect_gait_events(run.track, slow_motion_factor=0.5)
    with pytest.raises(LowQualityPose):
        detect_gait_events(PoseTrack.empty(120, fps=60.0, width=640, height=480))


def test_a_runner_standing_still_gives_no_contacts_and_no_crash() -> None:
    run = synthesize_run(fps=30.0, duration_s=3.0, seed=7)
    t = run.track
    rng = np.random.default_rng(0)
    still = np.repeat(t.xy[:1], len(t), axis=0) + rng.normal(0, 1e-4, t.xy.shape)
    ev = detect_gait_events(t.replace(xy=still))
    assert ev.contacts == () and ev.cadence_spm() is None


def test_period_of_a_signal_without_positive_peaks_is_unknown() -> None:
    from repstride.analysis.signal import dominant_period

    step = (np.arange(100) > 50).astype(float)  # autocorrelation peaks are all negative
    per, strength = dominant_period(step, fps=10.0, min_s=0.8, max_s=6.0, near_best=0.8,
                                    refine=True)
    assert np.isnan(per) and strength == 0.0
    per, strength = dominant_period(np.sin(np.arange(200) * 2 * np.pi / 20), fps=10.0,
                                    min_s=0.5, max_s=10.0, near_best=0.8, refine=True)
    assert per == pytest.approx(2.0, abs=0.05) and strength > 0.9


def _contact(side: str, td: float, to: float, conf: float = 1.0):
    from repstride.analysis.running.gait import Contact, GaitEvent

    return Contact(side, GaitEvent("TD", side, td, int(td * 60), conf),  # type: ignore[arg-type]
                   GaitEvent("TO", side, to, int(to * 60), conf))  # type: ignore[arg-type]


def test_a_contact_split_by_a_label_swap_is_joined() -> None:
    from repstride.analysis.running.gait.labels import merge_split_contacts

    cs = [_contact("left", 0.0, 0.24), _contact("right", 0.35, 0.45),
          _contact("left", 0.47, 0.59), _contact("left", 1.06, 1.30), _contact("right", 0.71, 0.95)]
    cs.sort(key=lambda c: c.td.time_s)
    windows: list = []
    out = merge_split_contacts(cs, 0.7, 1 / 60, windows)
    assert [(c.side, round(c.td.time_s, 2), round(c.to.time_s, 2)) for c in out] == [
        ("left", 0.0, 0.24), ("right", 0.35, 0.59), ("right", 0.71, 0.95), ("left", 1.06, 1.3)]
    assert windows == [(int(0.47 * 60), int(0.59 * 60))]


def test_sides_alternate_within_a_run_of_steps() -> None:
    from repstride.analysis.running.gait.labels import alternate_sides

    cs = [_contact("left", 0.0, 0.24), _contact("right", 0.35, 0.59),
          _contact("right", 0.71, 0.95, conf=0.3), _contact("right", 1.06, 1.30),
          _contact("right", 3.0, 3.2)]  # a new run after a gap keeps its own label
    windows: list = []
    out = alternate_sides(cs, 0.7, windows)
    assert [c.side for c in out] == ["left", "right", "left", "right", "right"]
    assert out[2].td.side == "left" and windows == [(int(0.71 * 60), int(0.95 * 60))]


def test_one_spurious_contact_does_not_flip_the_sides_after_it() -> None:
    from repstride.analysis.running.gait.labels import alternate_sides

    sides = ["left", "right", "left", "right", "left", "right", "left", "right"]
    cs = [_contact(s, 0.35 * k, 0.35 * k + 0.24) for k, s in enumerate(sides)]
    cs.insert(4, _contact("right", 1.45, 1.5, conf=0.2))  # a short false contact mid-run
    windows: list = []
    out = alternate_sides(cs, 0.7, windows)
    assert [c.side for c in out] == [c.side for c in cs] and windows == []


@pytest.mark.parametrize("shake_px", [8.0, 15.0])
def test_hand_held_or_panning_camera_drift(shake_px: float) -> None:
    run = synthesize_run(fps=60.0, noise_px=1.0, camera_shake_px=shake_px, seed=4)
    _check_accuracy(run, min_found=0.85)


def _named_legs_swapped_from(track: PoseTrack, start: int) -> PoseTrack:
    """The track with the pose model's depth (world z) of a side view: the left hip and leg a
    hip width nearer the camera than the right; then, from row ``start`` on, the leg chains
    named the wrong way round (positions, scores and depth travel with the wrong names, the
    hips keep theirs), as the pose model does on a real sprint start."""
    world = np.zeros_like(track.world)
    chains = {s: [int(Joint[f"{s}_{n}"]) for n in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
              for s in ("LEFT", "RIGHT")}
    world[:, chains["LEFT"], 2] = -0.1
    world[:, chains["RIGHT"], 2] = 0.1
    xy, score = track.xy.copy(), track.score.copy()
    for jl, jr in zip(chains["LEFT"][1:], chains["RIGHT"][1:]):
        for a in (xy, score, world):
            a[start:, jl], a[start:, jr] = a[start:, jr].copy(), a[start:, jl].copy()
    return track.replace(xy=xy, score=score, world=world)


def _side_agreement(ev: GaitEvents, run: SyntheticRun) -> float:
    ok = 0
    for c in ev.contacts:
        true = min(run.truth.contacts, key=lambda t: abs(t[1] - c.td.time_s))
        ok += int(true[0] == c.side)
    return ok / len(ev.contacts)


def test_depth_order_names_the_legs_when_the_detector_swaps_them_for_most_of_the_clip() -> None:
    run = synthesize_run(fps=60.0, noise_px=1.0, seed=5)
    start = int(0.3 * len(run.track))  # the wrong names hold for 70 % of the clip
    track = _named_legs_swapped_from(run.track, start)
    ev = detect_gait_events(track)
    assert len(ev.contacts) >= 0.85 * len(run.truth.contacts)
    assert _side_agreement(ev, run) == 1.0
    # Without depth the detector's majority decides, and that is the wrong naming.
    blind = detect_gait_events(track.replace(world=np.full_like(track.world, np.nan)))
    assert _side_agreement(blind, run) < 0.5
