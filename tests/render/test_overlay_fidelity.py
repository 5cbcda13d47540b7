"""The fast overlay path (skeleton drawn once, OpenCV's BT.601 conversion, x264 ultrafast) keeps
the overlays visually what was drawn: decoded with the matrix the file is tagged with, colours
of the footage stay put, the wireframe is where and what colour it was drawn, and the thumbnail
matches the overlay frame."""

from __future__ import annotations

from pathlib import Path

import av
import av.video.reformatter as avr
import numpy as np
import pytest

from repstride.analysis.track import PoseTrack
from repstride.media import iter_frames
from repstride.render import draw, render_overlays, style
from repstride.render.style import Sizes
from synthetic_media import figure_track, squat_result

W, H, N = 1280, 720, 20
#: saturated bars: a matrix mismatch between conversion and tag shifts these by several levels
BARS = [(220, 30, 30), (30, 200, 40), (40, 60, 220), (230, 210, 40), (200, 40, 200),
        (40, 200, 210), (120, 120, 120), (250, 250, 250)]


def _bars_video(path: Path) -> Path:
    img = np.zeros((H, W, 3), np.uint8)
    for i, c in enumerate(BARS):
        img[:, i * W // len(BARS):(i + 1) * W // len(BARS)] = c
    img[: H // 6] = np.linspace(0, 255, W, dtype=np.uint8)[None, :, None]  # a grey ramp on top
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=30, options={"crf": "12"})
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        for _ in range(N):
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


#: FFmpeg AVColorSpace of a stream -> the matrix to decode it with (what a player does)
_MATRIX = {1: avr.Colorspace.ITU709, 5: avr.Colorspace.ITU601, 6: avr.Colorspace.ITU601}


def _decoded_as_tagged(path: Path) -> tuple[list[np.ndarray], int]:
    out, tag = [], -1
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            tag = int(f.colorspace)
            out.append(f.to_ndarray(format="rgb24", src_colorspace=_MATRIX[tag],
                                    src_color_range=avr.ColorRange.MPEG))
    return out, tag


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PoseTrack, dict[str, Path]]:
    d = tmp_path_factory.mktemp("fidelity")
    video = _bars_video(d / "bars.mp4")
    track = figure_track(N, width=W, height=H)
    outs = render_overlays(video, track, {"skeleton": d / "s.mp4", "all": d / "a.mp4"},
                           analysis=squat_result([(100, 300, 500)]), thumbnail_path=d / "t.jpg")
    return video, track, outs


def _expected(video: Path, track: PoseTrack) -> list[np.ndarray]:
    """The source frames with the wireframe drawn, as the renderer draws it."""
    sz = Sizes.for_frame(W, H)
    px = np.asarray(track.xy, float) * np.array([W, H], float)
    frames = []
    for i, f in enumerate(iter_frames(video)):
        img = np.array(f.rgb, copy=True)
        draw.skeleton(img, px[i], track.score[i], sz)
        frames.append(img)
    return frames


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(float) - b.astype(float)) ** 2))
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-9))


def test_skeleton_overlay_is_the_drawn_frames(case) -> None:  # noqa: ANN001
    video, track, outs = case
    got, tag = _decoded_as_tagged(outs["skeleton"])
    assert tag in _MATRIX
    want = _expected(video, track)
    assert len(got) == len(want) == N
    # (the 4:2:0 chroma of the sharp bars and lines bounds this: worst frame 37.4 dB with the
    # former superfast / CRF 23 / swscale path, 36.2 dB now)
    for g, w in zip(got, want):
        assert _psnr(g, w) > 35.0
    # the footage away from the figure keeps its colours (no matrix shift): the bars' centres
    src = next(iter(iter_frames(video))).rgb.astype(int)
    g = got[N // 2].astype(int)
    for i in (0, 1, 2, 3, 4, 5):  # bars left and right of the figure
        x = (2 * i + 1) * W // (2 * len(BARS))
        if abs(x - W / 2) < W / 5:
            continue
        patch = (slice(H // 2 - 10, H // 2 + 10), slice(x - 5, x + 5))
        # 1 level now; 2 with the former path, which encoded RGB decoded as BT.601 with BT.709
        assert np.abs(g[patch].mean(axis=(0, 1)) - src[patch].mean(axis=(0, 1))).max() < 1.6


def test_wireframe_keeps_its_colours(case) -> None:  # noqa: ANN001
    """Pixels inside the areas the renderer painted in the pure left / right limb colour (joint
    discs, line middles: away from the edges that 4:2:0 chroma blurs) decode to it."""
    import cv2

    video, track, outs = case
    got, _ = _decoded_as_tagged(outs["skeleton"])
    want = _expected(video, track)
    for colour in (style.LEFT, style.RIGHT):
        mask = np.all(want[N // 2] == np.array(colour, np.uint8), axis=2).astype(np.uint8)
        mask = cv2.erode(mask, np.ones((3, 3), np.uint8)).astype(bool)
        assert mask.sum() > 10
        mean = got[N // 2][mask].astype(float).mean(axis=0)
        assert np.abs(mean - np.array(colour)).max() < 8.0, (colour, mean)


def test_all_overlay_is_the_skeleton_overlay_plus_its_panels(case) -> None:  # noqa: ANN001
    """Drawn once and shared: outside the panels the two overlays are the same picture."""
    _, _, outs = case
    skel, _ = _decoded_as_tagged(outs["skeleton"])
    full, _ = _decoded_as_tagged(outs["all"])
    s, a = skel[N // 2].astype(int), full[N // 2].astype(int)
    # bottom band: below the panel and the gauge, where only the wireframe is
    band = (slice(int(H * 0.75), H), slice(0, W))
    assert np.abs(s[band] - a[band]).mean() < 1.5
    assert np.abs(s - a).max() > 60  # the panels are there


def test_thumbnail_is_an_overlay_frame(case) -> None:  # noqa: ANN001
    from PIL import Image

    _, _, outs = case
    thumb = np.asarray(Image.open(outs["thumbnail"]).convert("RGB"))
    skel, _ = _decoded_as_tagged(outs["skeleton"])
    assert thumb.shape == skel[0].shape
    assert max(_psnr(thumb, f) for f in skel) > 30.0
