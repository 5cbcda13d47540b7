"""The synthetic runner itself: exact, consistent ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from repstride.testing.running import synthesize_run
from repstride.analysis.track import Joint


def test_contacts_are_exact_by_construction() -> None:
    run = synthesize_run(fps=240.0, duration_s=2.0, seed=0)
    p = run.track.pixels()
    ground = 0.88 * run.track.height
    low = np.maximum(p[:, Joint.RIGHT_HEEL, 1], p[:, Joint.RIGHT_FOOT_INDEX, 1])
    t = run.track.timestamps_s
    for side, td, to in run.truth.contacts:
        if side != "right":
            continue
        inside = (t > td + 1e-6) & (t < to - 1e-6)
        assert np.allclose(low[inside], ground, atol=1e-6)
        swing = (t > to + 0.01) & (t < to + 0.1)
        assert (low[swing] < ground - 1.0).all()


def test_truth_values() -> None:
    run = synthesize_run(cadence_spm=180, contact_ms=200, duration_s=4.0)
    tr = run.truth
    assert tr.flight_s == pytest.approx(60 / 180 - 0.2)
    tds = [e.time_s for e in tr.events if e.kind == "TD"]
    assert np.diff(tds) == pytest.approx(np.full(len(tds) - 1, 60 / 180))
    sides = [e.side for e in tr.events if e.kind == "TD"]
    assert all(a != b for a, b in zip(sides, sides[1:]))


def test_far_leg_occlusion_lowers_scores_and_noise_is_seeded() -> None:
    a = synthesize_run(far_leg_occlusion=0.3, noise_px=2.0, seed=5)
    b = synthesize_run(far_leg_occlusion=0.3, noise_px=2.0, seed=5)
    assert np.array_equal(a.track.xy, b.track.xy, equal_nan=True)
    far_heel = a.track.score[:, Joint.LEFT_HEEL]
    assert (far_heel < 0.3).mean() >= 0.3
    assert (a.track.score[:, Joint.RIGHT_HEEL] > 0.9).all()


def test_running_needs_a_flight_phase() -> None:
    with pytest.raises(ValueError):
        synthesize_run(cadence_spm=170, contact_ms=400)
