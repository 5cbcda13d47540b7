"""pipeline.analyze_video: the sprint path looks for field markers in the video and uses them."""

import re
from pathlib import Path

import numpy as np
import pytest

from repstride import pipeline
from repstride.analysis.running.field_markers import FieldMarker, FieldMarkers
from repstride.analysis.running.sprint import DISTANCE_FROM_MARKERS
from repstride.testing.running import synthesize_run
from repstride.pose import PoseResult


def _fake_pose(track):
    def extract(path, *, progress=None, **_):
        if progress is not None:
            progress(len(track), len(track))
        return PoseResult(info=None, track=track, people={}, subject_id=None)  # type: ignore[arg-type]

    return extract


def test_sprint_uses_markers_found_in_the_video(monkeypatch, tmp_path: Path) -> None:
    run = synthesize_run(fps=120.0, treadmill=False, duration_s=2.6, px_per_m=70.0,
                         speed_m_s=7.0, cadence_spm=200, contact_ms=130, strike="forefoot",
                         noise_px=0.5, seed=11)
    t = run.track
    x0 = float(np.nanmean(t.pixels()[0, [23, 24], 0])) + 70.0
    line = lambda x: FieldMarker("YARD_LINE", x - 5, 300.0, x + 5, 700.0, 0, 0)  # noqa: E731
    seen: dict = {}

    def markers(path, *, direction=1, people=None, **_):
        seen["direction"] = direction
        seen["people"] = people
        return FieldMarkers(start_line=line(x0), middle_line=line(x0 + 5 * 0.9144 * 70.0))

    monkeypatch.setattr(pipeline, "extract_pose", _fake_pose(t))
    monkeypatch.setattr("repstride.vision.field_markers.detect_field_markers_in_video", markers)
    stages: list[str] = []
    out = pipeline.analyze_video(tmp_path / "x.mp4", activity="sprint",
                                 progress=lambda stage, f: stages.append(stage))
    assert seen["direction"] == 1  # the synthetic runner moves towards +x
    # The runner's own box (pixels) is left out of the search, frame by frame.
    i = int(np.flatnonzero(np.isfinite(t.bbox).all(axis=1))[0])
    (box,) = seen["people"][int(t.frame_index[i])]
    assert box == pytest.approx(tuple(t.bbox[i] * [t.width, t.height, t.width, t.height]))
    assert out.analysis.info["distanceSource"] == DISTANCE_FROM_MARKERS
    assert out.analysis.extra["fieldMarkers"].start_line is not None
    assert stages[0] == "pose" and stages[-1] == "analysis"


def test_non_sprint_does_not_look_for_markers(monkeypatch, tmp_path: Path) -> None:
    run = synthesize_run(fps=60.0, duration_s=2.0, seed=3)
    monkeypatch.setattr(pipeline, "extract_pose", _fake_pose(run.track))

    def boom(*a, **k):
        raise AssertionError("markers looked for on a non-sprint")

    monkeypatch.setattr("repstride.vision.field_markers.detect_field_markers_in_video", boom)
    out = pipeline.analyze_video(tmp_path / "x.mp4", activity="squat")
    assert out.analysis.activity == "squat"


def test_sprint_without_a_visible_runner_fails_cleanly(monkeypatch, tmp_path: Path) -> None:
    """No legs to follow: no marker search, and the sprint answer is Failed with the stable
    reason (not an exception out of the marker step)."""
    from repstride.analysis.track import PoseTrack

    def boom(*a, **k):
        raise AssertionError("markers looked for without a runner")

    monkeypatch.setattr("repstride.vision.field_markers.detect_field_markers_in_video", boom)
    empty = PoseTrack.empty(60, fps=30.0, width=640, height=360)
    res = pipeline.analyze_track(empty, activity="sprint", video_path=tmp_path / "x.mp4")
    assert res.status == "Failed" and res.reason == "LOW_QUALITY_POSE_ESTIMATE"


#: What composing video -> pose -> analysis looks like in code. Outside ``pipeline.py`` no
#: service module and no CLI command may do it itself.
_COMPOSING = re.compile(
    r"extract_pose\(|\banalyze_(side|back)_view\b|\banalyze_activity\b"
    r"|^\s*(from\s+repstride\.pose\b|import\s+repstride\.pose\b)", re.MULTILINE)


def test_the_chain_is_composed_only_in_pipeline() -> None:
    src = Path(pipeline.__file__).parent
    offenders = []
    for sub in ("service", "cli"):
        for path in sorted((src / sub).rglob("*.py")):
            for m in _COMPOSING.finditer(path.read_text()):
                line = path.read_text().count("\n", 0, m.start()) + 1
                offenders.append(f"{path.relative_to(src)}:{line}: {m.group(0).strip()}")
    assert offenders == []


def test_the_composition_check_sees_a_violation() -> None:
    """The pattern above catches each form it is meant to (so the test can fail)."""
    for code in ("pose = extract_pose(video)\n", "from repstride.pose import PoseResult\n",
                 "    from repstride.pose.j2p import to_j2p\n", "import repstride.pose\n",
                 "r = analyze_side_view(track)\n", "analyze_activity(track)\n"):
        assert _COMPOSING.search(code), code
    assert not _COMPOSING.search("from repstride.pipeline import extract_video_pose\n")


def test_track_bytes_round_trip() -> None:
    run = synthesize_run(fps=60.0, duration_s=1.0, seed=5)
    back = pipeline.track_from_bytes(pipeline.track_to_bytes(run.track))
    for name, arr in run.track.to_arrays().items():
        np.testing.assert_array_equal(back.to_arrays()[name], arr)


def test_analyze_running_composes_pose_and_the_view(monkeypatch, tmp_path: Path) -> None:
    run = synthesize_run(fps=60.0, duration_s=3.0, seed=7)
    monkeypatch.setattr(pipeline, "extract_pose", _fake_pose(run.track))
    seen: list[tuple[int, int]] = []
    out = pipeline.analyze_running(tmp_path / "x.mp4", height_cm=175.0, weight_kg=70.0,
                                   progress=lambda d, t: seen.append((d, t)))
    assert out.pose.track is run.track and seen
    assert out.analysis.metrics["cadence"].value == pytest.approx(170.0, rel=0.02)
    with pytest.raises(ValueError, match="unknown running view"):
        pipeline.analyze_running_track(run.track, view="top_view",  # type: ignore[arg-type]
                                       height_cm=175.0, weight_kg=70.0)
