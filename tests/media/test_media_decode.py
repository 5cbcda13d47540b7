"""iter_frames(): identity of every frame, seeking, downscaling, damaged files, real clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_synth import frame_number, write_resolution_switch, write_video

from repstride.media import DecodeStats, iter_frames, probe

GOP10 = {"g": "10"}


def test_every_frame_knows_its_index_and_time(make_video):
    path = make_video("clip.mp4", frames=60, width=160, height=120, options=GOP10)
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(60))
    assert [frame_number(f.rgb) for f in frames] == list(range(60))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(60) / 30, atol=1e-3)


def test_iter_frames_is_lazy(make_video):
    gen = iter_frames(make_video("clip.mp4", frames=30))
    first = next(gen)
    assert first.index == 0
    gen.close()


@pytest.mark.parametrize("muxer", ["mp4", "matroska", "webm"])
def test_start_and_end_seek_to_exact_frames(make_video, muxer):
    codec = "libvpx" if muxer == "webm" else "libx264"
    opts = {**GOP10, "deadline": "realtime", "cpu-used": "8"} if muxer == "webm" else GOP10
    path = make_video("clip." + ("mkv" if muxer == "matroska" else muxer), fmt=muxer, codec=codec,
                      frames=60, width=160, height=120, options=opts)
    stats = DecodeStats()
    frames = list(iter_frames(path, start_s=1.0, end_s=1.5, stats=stats))
    assert [f.index for f in frames] == list(range(30, 46))
    assert [frame_number(f.rgb) for f in frames] == list(range(30, 46))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(30, 46) / 30, atol=2e-3)
    assert stats.frames == 16
    assert stats.decoded < 60  # it seeked instead of decoding everything from the start


def test_start_past_the_end_yields_nothing(make_video):
    path = make_video("clip.mp4", frames=30, options=GOP10)
    stats = DecodeStats()
    assert list(iter_frames(path, start_s=5.0, stats=stats)) == []
    assert stats.frames == 0


@pytest.mark.parametrize(("max_side", "shape"), [
    (None, (120, 160, 3)), (80, (60, 80, 3)), (1000, (120, 160, 3)), (33, (25, 33, 3)),
])
def test_max_side_downscales_in_the_decoder(make_video, max_side, shape):
    path = make_video("clip.mp4", frames=3, width=160, height=120)
    assert {f.rgb.shape for f in iter_frames(path, max_side=max_side)} == {shape}


@pytest.mark.parametrize(("max_side", "shape"), [(None, (72, 96, 3)), (48, (36, 48, 3))])
def test_resolution_change_mid_stream_keeps_one_shape(tmp_path, max_side, shape):
    path = write_resolution_switch(tmp_path / "switch.webm", [(96, 72), (64, 48), (160, 120)])
    frames = list(iter_frames(path, max_side=max_side))
    assert len(frames) == 30
    assert {f.rgb.shape for f in frames} == {shape}
    assert [f.index for f in frames] == list(range(30))


@pytest.mark.parametrize(("width", "max_side"), [(90, None), (218, None), (160, 77)])
def test_frames_are_c_contiguous(make_video, width, max_side):
    """FFmpeg pads rows to 32/64 bytes; consumers (MediaPipe, OpenCV) need packed rows."""
    for f in iter_frames(make_video("clip.mp4", frames=2, width=width, height=64),
                         max_side=max_side):
        assert f.rgb.flags.c_contiguous


def test_max_side_must_be_positive(make_video):
    with pytest.raises(ValueError, match="max_side"):
        next(iter_frames(make_video("clip.mp4", frames=3), max_side=0))


# --- damaged files: decode what is decodable, never raise, never hang ------------------------


def _damage(src: Path, kind: str, rng: np.random.Generator) -> Path:
    data = bytearray(src.read_bytes())
    mid = len(data) // 2
    if kind == "corrupt":
        data[mid: mid + 1500] = rng.integers(0, 256, 1500, dtype=np.uint8).tobytes()
    else:
        del data[mid:]
    out = src.with_name(f"{kind}-{src.name}")
    out.write_bytes(bytes(data))
    return out


DAMAGEABLE = [
    ("mp4", "libx264", {"movflags": "+faststart"}),  # index first, so a cut keeps it
    ("mp4", "libx264", {"movflags": "frag_keyframe+empty_moov+default_base_moof"}),  # fMP4
    ("matroska", "libx264", None),
    ("avi", "mpeg4", None),
    ("webm", "libvpx", None),
]
DAMAGEABLE_IDS = ["mp4-faststart", "mp4-fragmented", "mkv", "avi", "webm"]


@pytest.mark.parametrize("kind", ["corrupt", "truncated"])
@pytest.mark.parametrize(("muxer", "codec", "copts"), DAMAGEABLE, ids=DAMAGEABLE_IDS)
def test_damaged_files_decode_what_is_decodable(tmp_path, muxer, codec, copts, kind):
    opts = {"deadline": "realtime", "cpu-used": "8"} if codec == "libvpx" else GOP10
    src = write_video(tmp_path / f"src.{muxer}", fmt=muxer, codec=codec, frames=60, width=160,
                      height=120, options=opts, container_options=copts)
    path = _damage(src, kind, np.random.default_rng(3))
    info = probe(path)
    assert 1 <= info.frames <= 60
    stats = DecodeStats()
    frames = list(iter_frames(path, stats=stats))
    assert 1 <= len(frames) < 60 or stats.bad_packets + stats.corrupt_frames > 0
    idx = [f.index for f in frames]
    assert idx == sorted(set(idx)) and idx[0] == 0
    ts = [f.timestamp_s for f in frames]
    assert all(b > a for a, b in zip(ts, ts[1:]))
    assert frame_number(frames[0].rgb) == 0  # the part before the damage is intact
    assert all(f.rgb.shape == (120, 160, 3) for f in frames)


def test_corrupt_packets_are_counted(tmp_path):
    src = write_video(tmp_path / "src.mp4", frames=60, width=160, height=120, options=GOP10)
    path = _damage(src, "corrupt", np.random.default_rng(0))
    stats = DecodeStats()
    n = sum(1 for _ in iter_frames(path, stats=stats))
    assert stats.frames == n < 60
    assert stats.bad_packets + stats.corrupt_frames > 0


# --- real clips (skip cleanly when ../shared/data is absent) ------------------------------------


@pytest.mark.devdata
def test_probe_matches_manifest_on_dev_clips(manifest, dev_data):
    for row in manifest:
        info = probe(dev_data / row["file"])
        assert (info.width, info.height) == (int(row["width"]), int(row["height"])), row["file"]
        assert info.fps == pytest.approx(float(row["fps"]), rel=0.02), row["file"]
        # judged by content: QuickTime files (brand ``qt  ``, .mov clips) are ``mov``
        expected = "mov" if row["file"].lower().endswith(".mov") else "mp4"
        assert info.frames > 0 and info.container == expected, row["file"]


#: MP4 edit lists: pre-roll packets with negative timestamps (and one past the end) are not shown.
EDIT_LIST_CLIPS = ["k-minsik__project", "Jintao-Xu__Pose_Estimation/9.mp4"]


@pytest.mark.devdata
@pytest.mark.parametrize("needle", EDIT_LIST_CLIPS)
def test_frame_count_excludes_edit_list_preroll(manifest, dev_data, needle):
    row = next(r for r in manifest if needle in r["file"] and r["file"].endswith(".mp4"))
    path = dev_data / row["file"]
    info = probe(path)
    frames = list(iter_frames(path, max_side=64))
    assert info.frames == len(frames)
    assert [f.index for f in frames] == list(range(len(frames)))
    assert frames[0].timestamp_s == pytest.approx(0.0, abs=1e-6)
    assert info.duration_s == pytest.approx(float(row["duration_s"]), abs=0.1)
