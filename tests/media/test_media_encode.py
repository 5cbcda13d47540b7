"""VideoWriter (H.264 MP4) and write_jpeg round trips."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from media_synth import frame_number, pattern

from repstride.media import VideoWriter, encode_jpeg, iter_frames, probe, write_jpeg


def top_level_boxes(path: Path) -> list[str]:
    """ISO-BMFF top-level box types, in file order."""
    data, pos, boxes = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos: pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8: pos + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        pos += size
    return boxes


def stream_facts(path: Path) -> tuple[str, str, str, int]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        f = next(c.decode(s))
        return s.codec_context.name, f.format.name, c.format.name, int(f.colorspace)


@pytest.mark.parametrize(("fps", "n"), [(30, 45), (Fraction(30000, 1001), 30), (25, 10), (60, 90)])
def test_constant_rate_round_trip(tmp_path, fps, n):
    path = tmp_path / "out.mp4"
    with VideoWriter(path, fps=float(fps), width=192, height=108) as w:
        for i in range(n):
            w.write(pattern(i, 192, 108))
    info = probe(path)
    assert (info.container, info.codec, info.pix_fmt) == ("mp4", "h264", "yuv420p")
    assert (info.width, info.height, info.frames) == (192, 108, n)
    assert info.fps == pytest.approx(float(fps), rel=1e-3)
    assert info.duration_s == pytest.approx(n / float(fps), abs=1e-3)
    assert not info.vfr
    codec, pix_fmt, _, colorspace = stream_facts(path)
    assert (codec, pix_fmt, colorspace) == ("h264", "yuv420p", 1)  # 1 = BT.709
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart
    frames = list(iter_frames(path))
    assert [frame_number(f.rgb) for f in frames] == [i % 95 for i in range(n)]
    err = np.abs(frames[0].rgb.astype(int) - pattern(0, 192, 108)).mean()
    assert err < 4, err


def test_bt601_writer_takes_converted_planes_and_tags_them(tmp_path):
    """``colorspace="bt601"`` + ``write_yuv420p``: planes go in unconverted (the renderer's
    OpenCV conversion), the file says BT.601, and an odd side is refused with its shape."""
    import cv2

    path = tmp_path / "601.mp4"
    with VideoWriter(path, fps=30, width=193, height=108, colorspace="bt601") as w:
        assert (w.encoded_width, w.encoded_height) == (192, 108)
        with pytest.raises(ValueError, match="planes must be uint8 of shape"):
            w.write_yuv420p(np.zeros((108 * 3 // 2, 193), np.uint8))
        for i in range(10):
            w.write_yuv420p(cv2.cvtColor(pattern(i, 192, 108), cv2.COLOR_RGB2YUV_I420),
                            timestamp_s=i / 30)
    codec, pix_fmt, _, colorspace = stream_facts(path)
    assert (codec, pix_fmt, colorspace) == ("h264", "yuv420p", 5)  # 5 = BT.470BG (BT.601)
    assert [frame_number(f.rgb) for f in iter_frames(path)] == list(range(10))
    with pytest.raises(ValueError, match="colorspace"):
        VideoWriter(tmp_path / "x.mp4", fps=30, width=64, height=64, colorspace="srgb")


def test_vfr_timestamps_are_kept_exactly(tmp_path):
    steps = [1 / 30 if i % 3 else 1 / 15 for i in range(29)]
    times = np.concatenate([[0.0], np.cumsum(steps)])
    end = times[-1] + 0.05  # not the last interval: the writer must honour duration_s
    path = tmp_path / "vfr.mp4"
    with VideoWriter(path, fps=30, width=64, height=48, duration_s=end) as w:
        for i, t in enumerate(times):
            w.write(pattern(i, 64, 48), timestamp_s=float(t))
    info = probe(path)
    assert info.vfr and info.frames == 30
    assert info.duration_s == pytest.approx(end, abs=1e-3)
    got = [f.timestamp_s for f in iter_frames(path)]
    np.testing.assert_allclose(got, times, atol=1e-4)


def test_overlay_of_a_vfr_clip_matches_its_timing(make_video, tmp_path):
    """What a renderer does: decode a VFR source, write every frame at its own timestamp."""
    steps = [0.04 if i % 4 else 0.09 for i in range(39)]
    times = np.concatenate([[0.0], np.cumsum(steps)])
    src = make_video("src.mkv", fmt="matroska", frames=40, width=96, height=64,
                     times=times.tolist())
    src_info = probe(src)
    out = tmp_path / "overlay.mp4"
    with VideoWriter(out, fps=src_info.fps, width=src_info.width, height=src_info.height,
                     duration_s=src_info.duration_s) as w:
        for f in iter_frames(src):
            w.write(f.rgb, timestamp_s=f.timestamp_s)
    out_info = probe(out)
    assert out_info.frames == src_info.frames
    assert out_info.duration_s == pytest.approx(src_info.duration_s, abs=1e-3)
    assert out_info.fps == pytest.approx(src_info.fps, rel=1e-3)
    np.testing.assert_allclose([f.timestamp_s for f in iter_frames(out)],
                               [f.timestamp_s for f in iter_frames(src)], atol=1e-4)


def test_odd_size_is_cropped_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, fps=30, width=65, height=49) as w:
        assert (w.encoded_width, w.encoded_height) == (64, 48)
        for i in range(3):
            w.write(pattern(i, 65, 49))
    info = probe(path)
    assert (info.width, info.height, info.frames) == (64, 48, 3)


@pytest.mark.parametrize(("writes", "match"), [
    ([(np.zeros((48, 64, 3), np.uint8), None), (np.zeros((48, 64, 3), np.uint8), 0.5)],
     "every frame"),
    ([(np.zeros((48, 64, 3), np.uint8), 0.5), (np.zeros((48, 64, 3), np.uint8), 0.5)],
     "increase"),
    ([(np.zeros((64, 48, 3), np.uint8), None)], "shape"),
    ([(np.zeros((48, 64, 3), np.float32), None)], "uint8"),
])
def test_writer_rejects_misuse(tmp_path, writes, match):
    with VideoWriter(tmp_path / "x.mp4", fps=30, width=64, height=48) as w:
        with pytest.raises(ValueError, match=match):
            for rgb, t in writes:
                w.write(rgb, timestamp_s=t)


def test_timestamps_closer_than_a_tick_stay_distinct(tmp_path):
    path = tmp_path / "close.mp4"
    with VideoWriter(path, fps=30, width=64, height=48) as w:
        for i, t in enumerate([0.0, 0.000001, 0.000002, 0.1]):
            w.write(pattern(i, 64, 48), timestamp_s=t)
    assert probe(path).frames == 4


def test_writer_rejects_bad_rate(tmp_path):
    with pytest.raises(ValueError, match="fps"):
        VideoWriter(tmp_path / "x.mp4", fps=0, width=64, height=48)


@pytest.mark.parametrize(("width", "height"), [(64, 48), (63, 47)])
def test_write_jpeg_round_trip(tmp_path, width, height):
    img = pattern(5, width, height)
    path = tmp_path / "thumb.jpg"
    write_jpeg(path, img, quality=90)
    data = path.read_bytes()
    assert data == encode_jpeg(img, quality=90)
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    with av.open(str(path)) as c:
        got = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert got.shape == (height, width, 3)
    assert np.abs(got.astype(int) - img).mean() < 6


def test_write_jpeg_quality_trades_size(tmp_path):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    sizes = []
    for q in (20, 60, 95):
        p = tmp_path / f"q{q}.jpg"
        write_jpeg(p, img, quality=q)
        sizes.append(p.stat().st_size)
    assert sizes[0] < sizes[1] < sizes[2]
    with pytest.raises(ValueError, match="quality"):
        write_jpeg(tmp_path / "bad.jpg", img, quality=0)
