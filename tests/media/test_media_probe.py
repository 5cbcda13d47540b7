"""probe(): accepted containers by content, displayed size and rotation, real fps, bad input codes."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from media_synth import CONTAINERS, pattern, red_corner, write_audio_only, write_video

from repstride.errors import RepstrideError
from repstride.media import iter_frames, probe, validate
from repstride.media._container import check_dimensions

EXT = {"mp4": ".mp4", "mov": ".mov", "matroska": ".mkv", "webm": ".webm", "avi": ".avi"}
#: a misleading extension for each muxer
WRONG_EXT = {"mp4": ".avi", "mov": ".webm", "matroska": ".mp4", "webm": ".mov", "avi": ".mkv"}


@pytest.mark.parametrize(("muxer", "codec", "pix_fmt", "opts", "container", "codec_name"),
                         [c[1:] for c in CONTAINERS], ids=[c[0] for c in CONTAINERS])
@pytest.mark.parametrize("ext_kind", ["right", "wrong"])
def test_accepted_containers_judged_by_content(make_video, muxer, codec, pix_fmt, opts, container,
                                               codec_name, ext_kind):
    ext = EXT[muxer] if ext_kind == "right" else WRONG_EXT[muxer]
    path = make_video("clip" + ext, fmt=muxer, codec=codec, pix_fmt=pix_fmt, options=opts)
    info = probe(path)
    assert (info.container, info.codec) == (container, codec_name)
    assert (info.width, info.height, info.rotation, info.mirrored) == (64, 48, 0, False)
    assert info.frames == 30
    assert info.fps == pytest.approx(30.0, rel=0.01)
    assert info.duration_s == pytest.approx(1.0, abs=0.02)
    assert not info.vfr
    assert info.size_bytes == path.stat().st_size
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(30))
    assert all(f.rgb.shape == (48, 64, 3) and f.rgb.dtype == np.uint8 for f in frames)
    ts = np.array([f.timestamp_s for f in frames])
    np.testing.assert_allclose(ts, np.arange(30) / 30.0, atol=0.002)


# (CCW degrees given to FFmpeg's display matrix, hflip) -> (rotation clockwise, mirrored,
# displayed (h, w), corner where the stored top-left red block is displayed). Pure rotations were
# cross-checked against OpenCV's independent FFmpeg 5.1 auto-rotation.
ROTATIONS = [
    ((0, False), (0, False, (48, 64), "tl")),
    ((-90, False), (90, False, (64, 48), "tr")),  # portrait phone clip: "rotate=90"
    ((180, False), (180, False, (48, 64), "br")),
    ((90, False), (270, False, (64, 48), "bl")),
    ((0, True), (0, True, (48, 64), "tr")),
    ((90, True), (90, True, (64, 48), "br")),
]


@pytest.mark.parametrize(("matrix", "expected"), ROTATIONS, ids=[f"{m[0]}{'-flip' if m[1] else ''}"
                                                                 for m, _ in ROTATIONS])
@pytest.mark.parametrize(("muxer", "codec"), [("mp4", "libx264"), ("mov", "libx264"),
                                              ("matroska", "libx264"), ("webm", "libvpx")])
def test_rotation_gives_displayed_size_and_orientation(make_video, muxer, codec, matrix,
                                                       expected):
    ccw, hflip = matrix
    rotation, mirrored, shape, corner = expected
    path = make_video("rot" + EXT[muxer], fmt=muxer, codec=codec, rotation=ccw, hflip=hflip,
                      frames=3)
    info = probe(path)
    assert (info.rotation, info.mirrored) == (rotation, mirrored)
    assert (info.height, info.width) == shape
    frames = list(iter_frames(path))
    assert len(frames) == 3
    for f in frames:
        assert f.rgb.shape[:2] == shape
        assert f.rgb.flags.c_contiguous
        assert red_corner(f.rgb) == corner
    # the whole picture, not just the corner: stored frame mirrored, then turned clockwise
    stored = pattern(0, 64, 48)
    want = np.rot90(stored[:, ::-1] if mirrored else stored, k=-(rotation // 90))
    assert np.abs(frames[0].rgb.astype(int) - want).mean() < 8


def test_portrait_phone_clip_downscaled_keeps_orientation(make_video):
    path = make_video("phone.mov", fmt="mov", width=192, height=108, rotation=-90, frames=2)
    info = probe(path)
    assert (info.width, info.height, info.rotation) == (108, 192, 90)
    f = next(iter(iter_frames(path, max_side=96)))
    assert f.rgb.shape == (96, 54, 3)
    assert red_corner(f.rgb) == "tr"


VFR_STEPS = [1 / 30 if i % 3 else 1 / 15 for i in range(29)]


@pytest.mark.parametrize("muxer", ["mp4", "matroska"])
def test_vfr_fps_comes_from_timestamps(make_video, muxer):
    times = np.concatenate([[0.0], np.cumsum(VFR_STEPS)])
    path = make_video("vfr" + EXT[muxer], fmt=muxer, times=times.tolist())
    info = probe(path)
    span = times[-1] - times[0]
    assert info.vfr
    assert info.frames == 30
    assert info.fps == pytest.approx(29 / span, rel=0.005)
    assert info.duration_s == pytest.approx(span + 1 / 30, abs=0.02)
    got = np.array([f.timestamp_s for f in iter_frames(path)])
    np.testing.assert_allclose(got, times, atol=0.0015)


@pytest.mark.parametrize("muxer", ["matroska", "avi"])
def test_header_rate_that_lies_is_ignored(tmp_path, muxer):
    """Declared 30 fps, frames actually every 50 ms: fps is 20, from the timestamps."""
    path = write_video(tmp_path / ("lie" + EXT[muxer]), fmt=muxer,
                       codec="mpeg4" if muxer == "avi" else "libx264", frames=20,
                       times=[i * 0.05 for i in range(20)])
    info = probe(path)
    assert info.fps == pytest.approx(20.0, rel=0.005)
    assert info.frames == 20
    assert not info.vfr


def test_audio_track_is_reported(tmp_path):
    path = tmp_path / "av.mp4"
    with av.open(str(path), "w") as c:
        v = c.add_stream("libx264", rate=30)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        a = c.add_stream("aac", rate=16000)
        c.start_encoding()
        for i in range(10):
            c.mux(v.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8),
                                                      format="rgb24")))
        fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                        layout="mono")
        fr.sample_rate, fr.pts = 16000, 0
        c.mux(a.encode(fr))
        c.mux(a.encode(None))
        c.mux(v.encode(None))
    info = probe(path)
    assert info.has_audio and info.frames == 10


# --- bad input ---------------------------------------------------------------------------------


def _text(tmp: Path) -> Path:
    p = tmp / "notes.mp4"
    p.write_text("this is not a video\n" * 20)
    return p


def _empty(tmp: Path) -> Path:
    p = tmp / "empty.mp4"
    p.write_bytes(b"")
    return p


def _jpeg(tmp: Path) -> Path:
    from repstride.media import write_jpeg

    p = tmp / "photo.mp4"
    write_jpeg(p, np.zeros((48, 64, 3), np.uint8))
    return p


def _mpegts(tmp: Path) -> Path:  # a real video, but not a container we accept
    return write_video(tmp / "clip.mp4", fmt="mpegts")


def _random(tmp: Path) -> Path:
    p = tmp / "random.mov"
    p.write_bytes(np.random.default_rng(7).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    return p


def _heif_brand(tmp: Path) -> Path:
    p = tmp / "photo.mov"
    p.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100)
    return p


def _audio_mp4(tmp: Path) -> Path:
    return write_audio_only(tmp / "voice.mp4")


def _audio_webm(tmp: Path) -> Path:
    return write_audio_only(tmp / "voice.webm", fmt="webm", codec="libopus")


def _zero_frames(muxer: str, codec: str = "libx264"):
    def make(tmp: Path) -> Path:
        return write_video(tmp / ("zero" + EXT[muxer]), fmt=muxer, codec=codec, frames=0)

    return make


def _truncated_mp4(tmp: Path) -> Path:  # moov at the end: cut at 50% loses the index
    src = write_video(tmp / "src.mp4", frames=60, width=160, height=120)
    data = src.read_bytes()
    p = tmp / "cut.mp4"
    p.write_bytes(data[: len(data) // 2])
    return p


def _garbage_payload(tmp: Path) -> Path:  # valid index (faststart), every sample random bytes
    src = write_video(tmp / "src.mp4", frames=30, width=160, height=120,
                      container_options={"movflags": "+faststart"})
    data = bytearray(src.read_bytes())
    k = data.find(b"mdat") + 4
    data[k:] = np.random.default_rng(1).integers(0, 256, len(data) - k, dtype=np.uint8).tobytes()
    p = tmp / "garbage.mp4"
    p.write_bytes(bytes(data))
    return p


def _dims(width: int, height: int, codec: str = "libx264", muxer: str = "mp4",
          pix_fmt: str = "yuv420p"):
    def make(tmp: Path) -> Path:
        return write_video(tmp / ("dims" + EXT[muxer]), fmt=muxer, codec=codec, width=width,
                           height=height, frames=2, pix_fmt=pix_fmt)

    return make


def _missing(tmp: Path) -> Path:
    return tmp / "nope.mp4"


def _unknown_codec_tag(tmp: Path) -> Path:  # an AVI whose fourcc no decoder knows
    src = write_video(tmp / "src.avi", fmt="avi", codec="mpeg4", frames=5)
    p = tmp / "unknown.avi"
    p.write_bytes(src.read_bytes().replace(b"FMP4", b"ZQ\x00\x01"))
    return p


def _directory(tmp: Path) -> Path:
    p = tmp / "folder.mp4"
    p.mkdir()
    return p


BAD = [
    ("text-renamed-mp4", _text, "invalid_file_type"),
    ("jpeg-renamed-mp4", _jpeg, "invalid_file_type"),
    ("mpegts-renamed-mp4", _mpegts, "invalid_file_type"),
    ("random-bytes", _random, "invalid_file_type"),
    ("heif-still", _heif_brand, "invalid_file_type"),
    ("empty-file", _empty, "empty_video"),
    ("audio-only-mp4", _audio_mp4, "no_video_stream"),
    ("audio-only-webm", _audio_webm, "no_video_stream"),
    ("zero-frames-mp4", _zero_frames("mp4"), "empty_video"),
    ("zero-frames-mkv", _zero_frames("matroska"), "empty_video"),
    ("zero-frames-avi", _zero_frames("avi", "mpeg4"), "empty_video"),
    ("truncated-mp4-no-moov", _truncated_mp4, "corrupt_video"),
    ("nothing-decodes", _garbage_payload, "corrupt_video"),
    ("tiny-8x8", _dims(8, 8), "unsupported_dimensions"),
    ("sliver-8320x16", _dims(8320, 16, "mjpeg", "avi", "yuvj420p"), "unsupported_dimensions"),
    ("missing-file", _missing, "invalid_input"),
    ("directory", _directory, "invalid_input"),
    ("unknown-codec-tag", _unknown_codec_tag, "invalid_file_type"),
]


@pytest.mark.parametrize(("make", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_has_stable_code(tmp_path, make, code):
    path = make(tmp_path)
    with pytest.raises(RepstrideError) as probed:
        probe(path)
    assert probed.value.code == code
    with pytest.raises(RepstrideError) as decoded:
        list(iter_frames(path))
    assert decoded.value.code == code


@pytest.mark.parametrize(("width", "height", "ok"), [
    (16, 16, True), (15, 100, False), (8192, 4096, True), (8193, 100, False),
    (8192, 5000, False),  # 41 Mpx
    (7680, 4320, True),   # 8K UHD, 33 Mpx
])
def test_dimension_limits(width, height, ok):
    if ok:
        check_dimensions(width, height)
    else:
        with pytest.raises(RepstrideError) as err:
            check_dimensions(width, height)
        assert err.value.code == "unsupported_dimensions"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"max_duration_s": 0.5}, "video_too_long"),
    ({"max_bytes": 100}, "file_too_large"),
    ({"max_duration_s": 2.0, "max_bytes": 10_000_000}, None),
])
def test_validate_limits(make_video, kwargs, code):
    info = probe(make_video("clip.mp4"))
    if code is None:
        assert validate(info, **kwargs) is info
    else:
        with pytest.raises(RepstrideError) as err:
            validate(info, **kwargs)
        assert err.value.code == code


def test_undecodable_metadata_text_is_not_an_error(make_video, tmp_path):
    """Tag names and values are free text; FFmpeg hands over raw bytes (here not UTF-8)."""
    src = make_video("src.mkv", fmt="matroska", frames=5)
    data = src.read_bytes()
    assert b"DURATION" in data
    path = tmp_path / "tags.mkv"
    path.write_bytes(data.replace(b"DURATION", b"DUR\xbbTION"))
    info = probe(path)
    assert info.frames == 5
    assert len(list(iter_frames(path))) == 5


@pytest.mark.parametrize("seed", [0, 1])
def test_mutated_files_never_crash(tmp_path, seed):
    """Seeded fuzzing: byte flips, cuts and header damage on every accepted container. Whatever
    happens, the outcome is frames or one of our stable errors, quickly."""
    rng = np.random.default_rng(seed)
    sources = [write_video(tmp_path / f"src-{c[0]}", fmt=c[1], codec=c[2], pix_fmt=c[3],
                           options=c[4], frames=20, width=64, height=48) for c in CONTAINERS]
    outcomes: dict[str, int] = {}
    for k in range(70):
        data = bytearray(sources[k % len(sources)].read_bytes())
        mode = k % 3
        if mode == 0:
            for _ in range(int(rng.integers(1, 40))):
                data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        elif mode == 1:
            data = data[: int(rng.integers(1, len(data)))]
        else:
            for _ in range(int(rng.integers(1, 10))):
                data[int(rng.integers(0, min(300, len(data))))] = int(rng.integers(0, 256))
        path = tmp_path / f"mutant-{k}"
        path.write_bytes(bytes(data))
        try:
            probe(path)
            sum(1 for _ in iter_frames(path))
            code = "ok"
        except RepstrideError as exc:
            code = exc.code
        outcomes[code] = outcomes.get(code, 0) + 1
    assert set(outcomes) <= {"ok", "corrupt_video", "empty_video", "invalid_file_type",
                             "no_video_stream", "unsupported_dimensions"}, outcomes
    assert outcomes.get("ok", 0) > 0
