"""Back-view frontal-plane measures (analysis/running/back_view.py) on the synthetic runner."""

from __future__ import annotations

import json

import pytest

from repstride.analysis.running.back_view import analyze_back_view
from repstride.analysis.running.messages import check_keys
from repstride.testing.running import synthesize_run
from repstride.wire import to_json


def _means(res) -> dict[str, dict[str, float]]:
    return {s: leg.means for s, leg in res.legs.items()}


@pytest.mark.parametrize("eversion, drop", [(8.0, 5.0), (-3.0, 2.0)])
def test_pronation_and_pelvic_drop_recovered(eversion: float, drop: float) -> None:
    run = synthesize_run(view="back", fps=60.0, eversion_deg=eversion, pelvic_drop_deg=drop,
                         noise_px=0.5, seed=31)
    res = analyze_back_view(run.track)
    for side, m in _means(res).items():
        assert m["pronation"] == pytest.approx(eversion, abs=1.5), (side, m)
        assert m["pelvic_drop"] == pytest.approx(drop, abs=1.0), (side, m)
    assert res.legs["left"].n_steps >= 5 and res.legs["right"].n_steps >= 5
    assert res.events.cadence_spm() == pytest.approx(170.0, rel=0.01)


def test_knee_adduction_sign_follows_varus_and_valgus() -> None:
    vals = {}
    for varus in (-8.0, 0.0, 8.0):
        run = synthesize_run(view="back", fps=60.0, knee_varus_deg=varus, seed=32)
        vals[varus] = _means(analyze_back_view(run.track))["left"]["knee_adduction"]
    assert vals[-8.0] < vals[0.0] - 10 and vals[8.0] > vals[0.0] + 10
    run = synthesize_run(view="back", fps=60.0, knee_varus_deg=-12.0, seed=32)
    res = analyze_back_view(run.track)
    assert res.legs["left"].advice["knee_adduction"] == "knee_adduction.valgus"


def test_step_by_step_and_wire() -> None:
    run = synthesize_run(view="back", fps=60.0, eversion_deg=10.0, seed=33)
    res = analyze_back_view(run.track)
    wire = to_json(res)
    json.dumps(wire)
    gc = wire["gait_cycle"]
    assert set(gc["stance_means"]) == {"left", "right"}
    assert set(gc["stance_means"]["left"]) >= {"pronation", "hip_adduction", "knee_adduction",
                                               "pelvic_drop", "n_steps"}
    steps = gc["steps"]
    assert len(steps) == len(res.events.contacts)
    assert steps[0]["contact_ms"] == pytest.approx(240, abs=1000 / 60)
    assert {s["side"] for s in steps} == {"left", "right"}
    assert gc["stance_means"]["left"]["pronation"]["advice"] == "pronation.over"
    assert check_keys(res.message_keys()) == []


def test_undeclared_slow_motion_has_no_contact_times() -> None:
    run = synthesize_run(view="back", fps=120.0, eversion_deg=8.0, noise_px=0.5, seed=33)
    t = run.track
    res = analyze_back_view(t.replace(timestamps_s=t.timestamps_s * 4.0, fps=30.0))
    assert "slow_motion_suspected" in res.flags
    assert res.info["cadence_spm"] is None and res.info["advice"] == "reason.slow_motion_suspected"
    gc = to_json(res)["gait_cycle"]
    assert gc["steps"] and all(s["contact_ms"] is None for s in gc["steps"])
    assert gc["stance_means"]["left"]["pronation"]["value"] == pytest.approx(8.0, abs=1.5)
    assert check_keys(res.message_keys()) == []


def test_pronation_only_mode() -> None:
    run = synthesize_run(view="back", fps=60.0, seed=34)
    res = analyze_back_view(run.track, full_body=False)
    assert set(res.legs["left"].means) == {"pronation"}
    assert to_json(res)["gait_cycle"]["full_body"] is False


def _filmed_from_the_front(track):
    """The same runner seen from in front: the picture mirrored, the body's labels kept (a person
    facing the camera has the left hip on the image's right)."""
    xy = track.xy.copy()
    xy[..., 0] = 1.0 - xy[..., 0]
    return track.replace(xy=xy)


def test_runner_facing_the_camera_keeps_frontal_angles_and_hides_pronation() -> None:
    run = synthesize_run(view="back", fps=60.0, eversion_deg=8.0, knee_varus_deg=6.0,
                         pelvic_drop_deg=5.0, noise_px=0.5, seed=35)
    behind = analyze_back_view(run.track)
    front = analyze_back_view(_filmed_from_the_front(run.track))
    assert behind.info["view"].facing == "away" and "runner_faces_camera" not in behind.flags
    assert front.info["view"].facing == "camera" and "runner_faces_camera" in front.flags
    for side in ("left", "right"):
        b, f = behind.legs[side].means, front.legs[side].means
        # Signs follow the body's own left and right, so the view from in front agrees.
        for m in ("hip_adduction", "knee_adduction", "pelvic_drop"):
            assert f[m] == pytest.approx(b[m], abs=0.5), (side, m, f[m], b[m])
        assert b["pronation"] is not None
        assert f["pronation"] is None  # the back of the heel is not in the picture
        wire = to_json(front.legs[side])["pronation"]
        assert wire["value"] is None and wire["reason"] == "reason.heel_hidden"
    assert all(s.values["pronation"] is None for s in front.steps)
    assert check_keys(front.message_keys()) == []


def test_back_view_of_a_side_on_runner_is_refused() -> None:
    from repstride.errors import ViewMismatch

    run = synthesize_run(view="side", fps=60.0, seed=36)
    with pytest.raises(ViewMismatch) as info:
        analyze_back_view(run.track)
    assert info.value.code == "view_mismatch" and info.value.details["expected"] == "back_view"


def test_side_view_of_a_runner_filmed_from_behind_is_refused() -> None:
    from repstride.analysis.running.side_view import analyze_side_view
    from repstride.errors import ViewMismatch

    run = synthesize_run(view="back", fps=60.0, seed=37)
    with pytest.raises(ViewMismatch) as info:
        analyze_side_view(run.track)
    assert info.value.details["expected"] == "side_view"
    assert info.value.details["hip_width_leg_lengths"] > 0.18
