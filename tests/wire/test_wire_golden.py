"""Golden wire JSON: the exact bodies the pipeline gives for fixed synthetic inputs.

Recorded before the wire format moved out of ``analysis/`` (issue 12 item 3) so the move is
proven byte-for-byte neutral: each case's JSON (key order included) must equal the file in
``tests/wire/golden/``. A deliberate change of the wire format or of an analysis re-records them:
``REPSTRIDE_UPDATE_GOLDEN=1 pytest tests/wire/test_wire_golden.py`` (then review the diff).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from repstride.analysis.running.block_start import _attribute
from repstride.analysis.running.field_markers import YARD_M, FieldMarker, FieldMarkers
from repstride.analysis.running.gait import Contact, GaitEvent
from repstride.analysis.track import PoseTrack
from repstride.i18n import translate_tree
from repstride.pipeline import analyze_running_track, analyze_track, track_to_j2p
from repstride.pose.extract import PoseResult
from repstride.service.running.bodies import frames_wire
from repstride.service.running.content import analysis_content
from repstride.service.videos.jobs import objects_to_wire
from repstride.testing.exercise import synthesize
from repstride.testing.running import synthesize_run

import wire_convert as W

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REPSTRIDE_UPDATE_GOLDEN") == "1"


def _squat() -> dict[str, Any]:
    clip = synthesize("squat", n_reps=3, seed=1)
    return W.activity(analyze_track(clip.track, domain="weightlifting", activity="squat"))


def _recognised_push_up() -> dict[str, Any]:
    clip = synthesize("push_up", n_reps=3, seed=2)
    return W.activity(analyze_track(clip.track, rep_count=3))


def _failed_exercise() -> dict[str, Any]:
    track = synthesize("lunge", n_reps=3, seed=3).track
    rng = np.random.default_rng(0)
    score = track.score.copy()
    score[rng.random(len(track)) < 0.8] = 0.1
    return W.activity(analyze_track(track.replace(score=score), activity="lunge"))


def _sprint_run():  # noqa: ANN202
    return synthesize_run(fps=120.0, treadmill=False, duration_s=2.6, px_per_m=70.0,
                          speed_m_s=7.0, cadence_spm=200, contact_ms=130, strike="forefoot",
                          noise_px=0.5, seed=11)


def _sprint() -> dict[str, Any]:
    return W.activity(analyze_track(_sprint_run().track, activity="sprint"))


def _sprint_with_markers() -> dict[str, Any]:
    run = _sprint_run()
    t = run.track
    x0 = float(np.nanmean(t.pixels()[0, [23, 24], 0])) + run.truth.px_per_m

    def line(x: float) -> FieldMarker:
        return FieldMarker("YARD_LINE", x - 5, 300.0, x + 5, 700.0, frame_idx=0, timestamp_ms=0)

    markers = FieldMarkers(start_line=line(x0),
                           middle_line=line(x0 + 5 * YARD_M * run.truth.px_per_m),
                           cones=(FieldMarker("CONE", 90, 400, 110, 440, 3, 100),))
    from repstride.analysis.running.sprint import analyze_sprint

    return W.activity(analyze_sprint(t, markers=markers, slow_motion_factor=2.0))


def _block_clearance() -> dict[str, Any]:
    fps = 30.0

    def c(side: str, td: float, to: float) -> Contact:
        return Contact(side, GaitEvent("TD", side, td / fps, int(td), 0.9),  # type: ignore[arg-type]
                       GaitEvent("TO", side, to / fps, int(to), 0.9))  # type: ignore[arg-type]

    steps = [c("left", 27, 32), c("right", 34, 39)]
    both = _attribute(0.0, 17 / fps, [c("right", 18, 24), c("left", 17, 19)], steps)
    lone = _attribute(0.0, 17 / fps, [c("left", 17, 19)], steps)
    return {"both": W.block(both, 1.0), "both_slow": W.block(both, 4.0),
            "lone": W.block(lone, 1.0)}


def _side_treadmill() -> dict[str, Any]:
    run = synthesize_run(fps=60.0, speed_m_s=3.5, cadence_spm=170, contact_ms=240,
                         strike="rearfoot", noise_px=1.0, seed=21)
    return W.running(analyze_running_track(run.track, view="side_view", height_cm=175,
                                           weight_kg=70, treadmill=True, pace_s_per_km=300.0))


def _side_overground_low_fps() -> dict[str, Any]:
    run = synthesize_run(fps=30.0, treadmill=False, duration_s=3.0, px_per_m=110.0,
                         speed_m_s=4.0, cadence_spm=176, contact_ms=210, strike="midfoot",
                         seed=22)
    return W.running(analyze_running_track(run.track, view="side_view", height_cm=180,
                                           weight_kg=65))


def _back(full_body: bool) -> dict[str, Any]:
    run = synthesize_run(view="back", fps=60.0, eversion_deg=8.0, pelvic_drop_deg=5.0,
                         knee_varus_deg=-12.0, noise_px=0.5, seed=31)
    return W.running(analyze_running_track(run.track, view="back_view", height_cm=170,
                                           weight_kg=70, full_body=full_body))


def _running_translated() -> dict[str, Any]:
    side, back = _side_treadmill(), _back(True)
    return {"side_fr": translate_tree(side, "fr"),
            "side_content_de": analysis_content(side, "side_view", "de"),
            "back_content_ja": analysis_content(back, "back_view", "ja")}


def _short_track() -> PoseTrack:
    return synthesize_run(fps=30.0, duration_s=0.4, noise_px=1.0, seed=5).track


def _j2p() -> dict[str, Any]:
    return track_to_j2p(_short_track())


def _raw_frames() -> dict[str, Any]:
    return frames_wire(_short_track())


def _objects() -> list[dict[str, Any]]:
    track = _short_track()
    n = len(track)
    boxes = np.full((n, 5), np.nan)
    boxes[1:, :4] = [0.1, 0.2, 0.45, 0.9]
    boxes[2:, 4] = 0.87
    other = np.tile([0.6, 0.1, 1.2, 0.8, 0.5], (n, 1))
    pose = PoseResult(info=None, track=track, people={3: boxes, 7: other},  # type: ignore[arg-type]
                      subject_id=3)
    return objects_to_wire(pose)


CASES: dict[str, Callable[[], Any]] = {
    "video_analysis_squat": _squat,
    "video_analysis_push_up_recognised": _recognised_push_up,
    "video_analysis_failed": _failed_exercise,
    "video_analysis_sprint": _sprint,
    "video_analysis_sprint_markers": _sprint_with_markers,
    "video_sprint_block_clearance": _block_clearance,
    "video_j2p": _j2p,
    "video_objects": _objects,
    "running_side_treadmill": _side_treadmill,
    "running_side_overground_30fps": _side_overground_low_fps,
    "running_back_full_body": lambda: _back(True),
    "running_back_pronation_only": lambda: _back(False),
    "running_translated": _running_translated,
    "running_raw_frames": _raw_frames,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_wire_json_is_unchanged(name: str) -> None:
    body = CASES[name]()
    text = json.dumps(body, indent=1, allow_nan=False) + "\n"
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: record it with REPSTRIDE_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name}: the wire JSON changed"
