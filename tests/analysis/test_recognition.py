"""Activity recognition on synthetic motion: every activity, several views."""

import numpy as np
import pytest

from repstride.analysis.activities import ALL_ACTIVITIES
from repstride.analysis.recognition import recognize_activity
from repstride.analysis.synthetic import MOTIONS, synthesize, synthesize_running
from repstride.analysis.track import PoseTrack


@pytest.mark.parametrize("view", ["side", "front", "diag"])
@pytest.mark.parametrize("activity", sorted(MOTIONS))
def test_recognises_each_exercise(activity, view):
    clip = synthesize(activity, n_reps=4, view=view, partial_reps=1, dropout=0.03, jitter=0.02,
                      seed=11)
    rec = recognize_activity(clip.track)
    assert rec.activity == activity, rec.top(3)
    assert rec.confidence == pytest.approx(max(rec.probabilities.values()))


@pytest.mark.parametrize("view", ["side", "diag"])
def test_recognises_running_as_sprint(view):
    rec = recognize_activity(synthesize_running(view=view, seed=3))
    assert rec.activity == "sprint", rec.top(3)


def test_probabilities_cover_the_catalogue_and_sum_to_one():
    rec = recognize_activity(synthesize("squat", n_reps=2, seed=1).track)
    assert set(rec.probabilities) == set(ALL_ACTIVITIES)
    assert sum(rec.probabilities.values()) == pytest.approx(1.0)
    top = rec.top(3)
    assert [t["activity"] for t in top][0] == "squat" and len(top) == 3


def test_nothing_detected_is_not_confident():
    rec = recognize_activity(PoseTrack.empty(90, fps=30, width=640, height=480))
    assert rec.confidence < 0.5
    assert np.isfinite(rec.confidence)
