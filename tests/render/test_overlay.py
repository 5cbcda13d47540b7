"""Overlay videos on a synthetic clip: timing, orientation, and the skeleton where the joints are."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from repstride.analysis.track import Joint, PoseTrack
from repstride.errors import InvalidInput
from repstride.media import iter_frames, probe
from repstride.render import render_overlay, render_overlays, render_running_video
from synthetic_media import GREY, squat_result

CHECK_JOINTS = (Joint.LEFT_KNEE, Joint.RIGHT_KNEE, Joint.LEFT_HIP, Joint.RIGHT_SHOULDER,
                Joint.LEFT_ANKLE)


def _frames(path: Path) -> list[np.ndarray]:
    return [f.rgb for f in iter_frames(path)]


def _changed_near(rgb: np.ndarray, xy: np.ndarray, r: int = 2) -> bool:
    """Some pixel within ``r`` of the point differs clearly from the flat grey input."""
    h, w = rgb.shape[:2]
    x, y = int(round(xy[0] * w)), int(round(xy[1] * h))
    patch = rgb[max(0, y - r): y + r + 1, max(0, x - r): x + r + 1].astype(int)
    return bool((np.abs(patch - GREY).max(axis=2) > 60).any())


@pytest.fixture(scope="module")
def rendered(landscape: tuple[Path, PoseTrack], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, Path]:
    video, track = landscape
    out = tmp_path_factory.mktemp("out")
    analysis = squat_result([(100, 300, 500), (600, 800, 1000)])
    # A second person standing left of the subject, and the subject's own box (id 0).
    other = np.tile([0.02, 0.30, 0.25, 0.95, 0.9], (len(track), 1))
    people = {0: np.concatenate([track.bbox, np.ones((len(track), 1))], axis=1), 1: other}
    return render_overlays(video, track, {"skeleton": out / "s.mp4", "all": out / "a.mp4"},
                           analysis=analysis, people=people, subject_id=0,
                           thumbnail_path=out / "t.jpg")


@pytest.mark.parametrize("kind", ["skeleton", "all"])
def test_overlay_keeps_frame_count_fps_and_duration(landscape, rendered, kind) -> None:
    video, _ = landscape
    src, out = probe(video), probe(rendered[kind])
    assert out.codec == "h264" and out.pix_fmt == "yuv420p"
    assert (out.width, out.height) == (src.width, src.height)
    assert abs(out.frames - src.frames) <= 1
    assert out.fps == pytest.approx(src.fps, rel=1e-3)
    assert out.duration_s == pytest.approx(src.duration_s, abs=1.0 / src.fps)
    assert len(_frames(rendered[kind])) == len(_frames(video))


@pytest.mark.parametrize("kind", ["skeleton", "all"])
def test_skeleton_drawn_at_projected_joints(landscape, rendered, kind) -> None:
    _, track = landscape
    frames = _frames(rendered[kind])
    for i in (0, len(frames) // 2, len(frames) - 1):
        for j in CHECK_JOINTS:
            assert _changed_near(frames[i], track.xy[i, int(j)]), (kind, i, j.name)


def test_skeleton_overlay_leaves_the_rest_alone(landscape, rendered) -> None:
    """Away from the figure and the other person's box the frame is the input frame."""
    frames = _frames(rendered["skeleton"])
    empty = frames[10][int(0.05 * 240): int(0.25 * 240), int(0.75 * 320): int(0.95 * 320)]
    assert np.abs(empty.astype(int) - GREY).max() < 12


def test_other_person_box_is_faint_and_subject_unboxed(landscape, rendered) -> None:
    frames = _frames(rendered["skeleton"])
    f = frames[5].astype(int)
    # The left edge of person 1's box (x = 0.02 * 320 = 6) is drawn, but dimmer than the skeleton.
    col = f[int(0.5 * 240), 4:10]
    diff = np.abs(col - GREY).max()
    assert 8 < diff < 120
    # No box is drawn around the subject: the subject box's right edge column stays grey mid-way.
    _, track = landscape
    x2 = int(round(track.bbox[5, 2] * 320)) + 3
    assert np.abs(f[int(0.62 * 240), x2] - GREY).max() < 12


def test_all_overlay_counts_reps(rendered) -> None:
    """The counter panel (top-left) changes when a rep ends and stays between reps."""
    frames = _frames(rendered["all"])
    panel = [f[:60, :120].astype(int) for f in frames]
    # rep 1 ends at 0.5 s (frame 15): panel before (frame 12) and after (frame 17) differ
    assert np.abs(panel[12] - panel[17]).max() > 60
    skel = _frames(rendered["skeleton"])
    assert np.abs(frames[17][:60, :120].astype(int) - skel[17][:60, :120]).max() > 60


def test_thumbnail_decodes_with_the_skeleton(landscape, rendered) -> None:
    _, track = landscape
    with av.open(str(rendered["thumbnail"])) as c:
        img = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert img.shape == (240, 320, 3)
    assert sum(_changed_near(img, track.xy[:, int(j)].mean(axis=0), r=4) for j in CHECK_JOINTS) >= 3


def test_rotated_input_keeps_displayed_orientation(portrait, tmp_path) -> None:
    video, track = portrait
    out = render_overlay(video, track, kind="skeleton", out_path=tmp_path / "p.mp4")
    info = probe(out)
    assert (info.width, info.height, info.rotation) == (240, 320, 0)
    first = _frames(out)[0]
    # stored top-left marker is top-right once turned 90 degrees clockwise
    assert first[5, 235, 0] > 200 and first[5, 235, 1] < 60
    assert first[5, 5, 0] < 200
    for j in CHECK_JOINTS:
        assert _changed_near(first, track.xy[0, int(j)])


def test_running_video_draws_metrics_and_events(landscape, tmp_path) -> None:
    video, track = landscape
    events = [{"time_s": 0.1, "kind": "contact", "side": "left"},
              {"time_s": 0.35, "kind": "toe_off", "side": "left"},
              {"time_ms": 500, "type": "foot_strike", "foot": "right"},
              {"time_ms": 750, "type": "toe_off", "foot": "right"}]
    out = render_running_video(video, track, metrics={"cadence_spm": 176.0, "speed": None},
                               events=events, out_path=tmp_path / "r.mp4",
                               thumbnail_path=tmp_path / "r.jpg")
    frames = _frames(out["running"])
    assert len(frames) == 45
    # the contact strip runs along the top edge, over the full width
    strip = frames[20][:20, 200:300].astype(int)
    assert np.abs(strip - GREY).max() > 60
    assert np.abs(frames[20][-30:, 200:300].astype(int) - GREY).max() < 12  # feet area left clear
    assert out["thumbnail"].stat().st_size > 0


def test_bad_arguments_raise_our_errors(landscape, tmp_path) -> None:
    video, track = landscape
    with pytest.raises(InvalidInput):
        render_overlay(video, track, kind="wireframe", out_path=tmp_path / "x.mp4")
    with pytest.raises(InvalidInput):
        render_overlays(video, track, {"skeleton": tmp_path / "x.mp4"},
                        people={3: np.zeros((2, 5))})


def test_large_inputs_are_capped_at_max_side(landscape, tmp_path) -> None:
    """Overlays of big inputs are downscaled (aspect kept); timing and the skeleton stay."""
    video, track = landscape
    out = render_overlay(video, track, kind="skeleton", out_path=tmp_path / "small.mp4",
                         max_side=160)
    info = probe(out)
    assert (info.width, info.height) == (160, 120)
    assert abs(info.frames - probe(video).frames) <= 1
    first = _frames(out)[0]
    assert sum(_changed_near(first, track.xy[0, int(j)]) for j in CHECK_JOINTS) >= 4


def test_background_writer_keeps_order_and_surfaces_errors() -> None:
    from repstride.render._sink import BackgroundWriter

    class Fake:
        def __init__(self, fail_at: int | None) -> None:
            self.got: list[float] = []
            self.closed = 0
            self.fail_at = fail_at

        def write(self, rgb, timestamp_s=None) -> None:  # noqa: ANN001
            if len(self.got) == self.fail_at:
                raise ValueError("encoder broke")
            self.got.append(timestamp_s)

        def close(self) -> None:
            self.closed += 1

    ok = Fake(None)
    with BackgroundWriter(ok) as w:
        for i in range(20):
            w.write(np.zeros((2, 2, 3), np.uint8), timestamp_s=i / 10)
    assert ok.got == [i / 10 for i in range(20)] and ok.closed == 1

    bad = Fake(3)
    with pytest.raises(ValueError, match="encoder broke"):
        with BackgroundWriter(bad) as w:
            for i in range(10):
                w.write(np.zeros((2, 2, 3), np.uint8), timestamp_s=float(i))
    assert bad.got == [0.0, 1.0, 2.0] and bad.closed == 1


def test_prefetched_keeps_order_raises_producer_errors_and_stops_early() -> None:
    from repstride.render._sink import prefetched

    with prefetched(iter(range(50)), depth=3) as items:
        assert list(items) == list(range(50))

    def broken():  # noqa: ANN202
        yield 1
        yield 2
        raise ValueError("decoder broke")

    got: list[int] = []
    with pytest.raises(ValueError, match="decoder broke"):
        with prefetched(broken()) as items:
            got.extend(items)
    assert got == [1, 2]

    produced: list[int] = []
    closed: list[bool] = []

    def endless():  # noqa: ANN202
        try:
            i = 0
            while True:
                produced.append(i)
                yield i
                i += 1
        finally:
            closed.append(True)

    with prefetched(endless(), depth=2) as items:
        for i in items:
            if i == 5:
                break
    n = len(produced)
    assert closed == [True] and n < 5 + 2 + 3  # stopped a few items ahead, the source closed
