"""Report table, overlay gauge and JSON show the same number, on a synthetic clip (no dev clips).

The number is computed once (:func:`repstride.analysis.exercise.analyses.analysis_value`, read at
:func:`~repstride.analysis.exercise.analyses.analysis_frame`); the JSON carries it, the report
table prints it, and the annotated video's gauge shows the same signal frame by frame, so at the
frame the analysis reads it shows the same number. The real-clip twin is
``test_consistency_real.py`` (slow).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from repstride.analysis import analyze_activity
from repstride.analysis.exercise import SPECS
from repstride.analysis.exercise.analyses import NOT_OBSERVABLE, analysis_frame
from repstride.analysis.exercise.features import compute_features
from repstride.analysis.exercise.segment import RepWindow
from repstride.render import draw, render_overlay
from repstride.render.labels import format_number
from repstride.render.report import report_html
from repstride.testing.exercise import Camera, VIEW_YAW, synthesize
from repstride.wire.videos import rep_json
from synthetic_media import write_video

ACTIVITY = "bodyweight_squat"
LOCKOUT = "LOCKOUT_KNEE_ANGLE_DEGREES"


def _clip(view: str):
    cam = Camera(yaw_deg=VIEW_YAW[view], width=320, height=180)
    return synthesize(ACTIVITY, n_reps=3, view=view, camera=cam, seed=11).track


def _gauge_readings(track, result, tmp_path: Path, monkeypatch) -> list[float | None]:
    """The degrees the ``all`` overlay's gauge draws, frame by frame."""
    seen: list[float | None] = []
    real = draw.gauge

    def spy(img, centre, radius, degrees, label, sz, *, cache=None):
        seen.append(degrees)
        return real(img, centre, radius, degrees, label, sz, cache=cache)

    monkeypatch.setattr(draw, "gauge", spy)
    video = write_video(tmp_path / "in.mp4", width=track.width, height=track.height,
                        frames=len(track), fps=int(round(track.fps)))
    render_overlay(video, track, kind="all", analysis=result, out_path=tmp_path / "all.mp4")
    assert len(seen) == len(track)
    return seen


def _table_cells(html: str) -> list[str]:
    table = html[html.index('<table class="reps">'):]
    return re.findall(r"<td[^>]*>([^<]*)</td>", table)


def _window(rep, times_ms: np.ndarray) -> RepWindow:
    idx = {int(t): i for i, t in enumerate(times_ms)}
    return RepWindow(start=idx[rep.start_ms], mid=idx[rep.mid_ms], end=idx[rep.end_ms], rom=1.0)


def test_lockout_is_one_number_in_json_table_and_gauge(tmp_path, monkeypatch):
    track = _clip("side")
    res = analyze_activity(track, activity=ACTIVITY)
    assert res.info["view"].view == "side" and len(res.reps) == 3
    gauge = _gauge_readings(track, res, tmp_path, monkeypatch)
    cells = _table_cells(report_html(track=track, analysis=res))
    feats = compute_features(track)
    spec = next(a for a in SPECS[ACTIVITY].analyses if a.type == LOCKOUT)
    for rep in res.reps:
        value = next(a for a in rep_json(rep)["analyses"]
                     if a["analysisType"] == LOCKOUT)["analysisScalar"]
        assert value is not None and value > 150
        # the report table prints the JSON's number
        assert format_number(value) in cells
        # the gauge, at the frame the analysis reads, shows that number
        frame = analysis_frame(spec, feats, _window(rep, feats.times_ms))
        assert frame is not None
        assert gauge[frame] == pytest.approx(value, abs=0.051)
        assert f"{gauge[frame]:.0f}" == format_number(value)


def test_a_view_that_cannot_show_the_lockout_shows_no_number_anywhere(tmp_path, monkeypatch):
    track = _clip("front")
    res = analyze_activity(track, activity=ACTIVITY)
    assert res.info["view"].view == "front" and res.reps
    for rep in res.reps:
        lock = next(a for a in rep_json(rep)["analyses"] if a["analysisType"] == LOCKOUT)
        assert lock["analysisScalar"] is None and lock["reason"] == NOT_OBSERVABLE
    gauge = _gauge_readings(track, res, tmp_path, monkeypatch)
    # the gauge shows "--" throughout: no knee angle the JSON would not give
    assert all(g is None or not np.isfinite(g) for g in gauge)
    html = report_html(track=track, analysis=res)
    assert "cannot be seen" in html and "n/a" in _table_cells(html)
