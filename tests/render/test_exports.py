"""TRC / MOT / CSV exports: parsed back by strict readers written from the formats' specs (and by
OpenSim's own adapters when the ``opensim`` package imports here), values round-tripped."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest

from repstride.testing.running import synthesize_run
from repstride.analysis.track import Joint
from repstride.errors import InvalidInput
from repstride.render.exports import (
    angle_names, csv_text, export_text, joint_angles, marker_names, markers, mot_text, stature_px,
    trc_text,
)
from synthetic_media import figure_track

TRC_KEYS = ["DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units", "OrigDataRate",
            "OrigDataStartFrame", "OrigNumFrames"]


def _num(cell: str) -> float:
    # NaN is the only non-numeric value allowed; float() alone would also accept "inf", "1e999"
    if cell == "NaN":
        return math.nan
    value = float(cell)
    assert math.isfinite(value), cell
    return value


def read_trc(text: str) -> dict:
    """Strict TRC reader (OpenSim's "PathFileType 4" layout): 5 header lines, a blank line,
    then ``Frame#``, ``Time`` and X/Y/Z per marker on every row, all tab-separated."""
    assert text.endswith("\n") and "\r" not in text
    lines = text.split("\n")[:-1]
    first = lines[0].split("\t")
    assert first[:3] == ["PathFileType", "4", "(X/Y/Z)"] and len(first) == 4
    assert lines[1].split("\t") == TRC_KEYS
    meta = dict(zip(TRC_KEYS, lines[2].split("\t"), strict=True))
    n_frames, n_markers = int(meta["NumFrames"]), int(meta["NumMarkers"])
    assert float(meta["DataRate"]) > 0 and meta["Units"] in ("m", "mm")
    names_row = lines[3].split("\t")
    assert names_row[:2] == ["Frame#", "Time"]
    names = names_row[2::3]
    assert len(names) == n_markers and all(names) and all(c == "" for i, c in
                                                          enumerate(names_row[2:]) if i % 3)
    axes = lines[4].split("\t")
    assert axes[:2] == ["", ""]
    assert axes[2:] == [f"{a}{i}" for i in range(1, n_markers + 1) for a in "XYZ"]
    assert lines[5] == ""
    rows = lines[6:]
    assert len(rows) == n_frames
    frames, times, xyz = [], [], []
    for r in rows:
        cells = r.split("\t")
        assert len(cells) == 2 + 3 * n_markers
        frames.append(int(cells[0]))
        times.append(float(cells[1]))
        xyz.append([_num(c) for c in cells[2:]])
    assert frames == list(range(1, n_frames + 1))
    assert all(b > a for a, b in zip(times, times[1:]))
    return {"header": first[3], "meta": meta, "names": names, "time": np.array(times),
            "xyz": np.array(xyz).reshape(n_frames, n_markers, 3)}


def read_mot(text: str) -> dict:
    """Strict OpenSim Storage (.mot) reader: name line, ``key=value`` lines (version, nRows,
    nColumns, inDegrees) and free comments up to ``endheader``, then a column row and data."""
    lines = text.split("\n")[:-1]
    end = lines.index("endheader")
    meta = dict(line.split("=", 1) for line in lines[1:end] if "=" in line)
    assert meta["version"] == "1" and meta["inDegrees"] in ("yes", "no")
    cols = lines[end + 1].split("\t")
    assert cols[0] == "time" and len(cols) == int(meta["nColumns"])
    data = np.array([[_num(c) for c in ln.split("\t")] for ln in lines[end + 2:]])
    assert data.shape == (int(meta["nRows"]), len(cols))
    return {"name": lines[0], "meta": meta, "columns": cols, "data": data}


@pytest.fixture(scope="module")
def run_track():
    track = synthesize_run(view="side", fps=60.0, duration_s=1.0, seed=3).track
    # a few gaps: a lost frame and a lost knee
    xy, world, score = track.xy.copy(), track.world.copy(), track.score.copy()
    xy[5], world[5], score[5] = np.nan, np.nan, 0.0
    xy[9, Joint.LEFT_KNEE] = np.nan
    world[9, Joint.LEFT_KNEE] = np.nan
    return track.replace(xy=xy, world=world, score=score)


@pytest.mark.parametrize("coordinates", ["image", "world"])
def test_trc_round_trips_the_markers(run_track, coordinates) -> None:
    text = trc_text(run_track, name="run.trc", coordinates=coordinates, height_m=1.8)
    trc = read_trc(text)
    want = markers(run_track, coordinates=coordinates, height_m=1.8).xyz
    assert trc["names"] == list(marker_names()) and len(trc["names"]) == 33
    assert float(trc["meta"]["DataRate"]) == pytest.approx(60.0)
    np.testing.assert_allclose(trc["time"], run_track.timestamps_s, atol=1e-6)
    np.testing.assert_allclose(trc["xyz"], want, atol=1e-6)  # NaN where NaN
    assert np.isnan(trc["xyz"][5]).all() and np.isnan(trc["xyz"][9, Joint.LEFT_KNEE]).all()
    assert np.isfinite(trc["xyz"][9, Joint.RIGHT_KNEE]).all()
    word = "2D image plane" if coordinates == "image" else "world coordinates"
    assert word in trc["header"] and "Y up" in trc["header"]


def test_image_coordinates_are_scaled_by_the_subject_height() -> None:
    # the standing figure: ankles at y=0.85, shoulders 0.30 of a 1000 px frame
    track = figure_track(5, width=1000, height=1000)
    stature = stature_px(track)
    xyz = markers(track, coordinates="image", height_m=1.80).xyz
    ankle_y, shoulder_y = xyz[0, Joint.LEFT_ANKLE, 1], xyz[0, Joint.LEFT_SHOULDER, 1]
    # Y is up; ankle->knee->hip->shoulder lengths over 0.779 of stature
    assert shoulder_y > ankle_y
    seg = (math.hypot(0, 150) + math.hypot(10, 150) + math.hypot(30, 250)) / 0.779
    assert stature == pytest.approx(seg, rel=1e-6)
    assert (shoulder_y - ankle_y) == pytest.approx(550 * 1.80 / seg, rel=1e-6)
    assert "assumed" in trc_text(track) and "1.70 m" in trc_text(track)
    assert "given" in trc_text(track, height_m=1.8)


def test_mot_round_trips_the_joint_angles(run_track) -> None:
    mot = read_mot(mot_text(run_track, name="run"))
    assert mot["columns"] == ["time", *angle_names()]
    assert mot["meta"]["inDegrees"] == "yes"
    want = joint_angles(run_track)
    np.testing.assert_allclose(mot["data"][:, 0], run_track.timestamps_s, atol=1e-6)
    for i, name in enumerate(angle_names(), start=1):
        np.testing.assert_allclose(mot["data"][:, i], want[name], atol=1e-6)
    assert np.isnan(mot["data"][5, 1:]).all()
    knee = mot["columns"].index("left_knee")
    assert np.isnan(mot["data"][9, knee]) and np.isfinite(mot["data"][9, knee + 5])


def test_angle_conventions_match_the_docs() -> None:
    track = figure_track(3, width=1000, height=1000)
    track = track.replace(world=np.full_like(track.world, np.nan))  # no world: image pixels
    a = joint_angles(track)
    # left hip (0.55,0.55) knee (0.56,0.70) ankle (0.56,0.85): nearly straight
    expected = 180 - math.degrees(math.atan2(10, 150))
    assert a["left_knee"][0] == pytest.approx(expected, abs=1e-6)
    assert a["trunk_inclination"][0] == pytest.approx(0.0, abs=1e-9)  # upright
    # a horizontal torso: 90
    xy = track.xy.copy()
    xy[:, [Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER], 0] = 0.2
    xy[:, [Joint.LEFT_SHOULDER, Joint.RIGHT_SHOULDER], 1] = 0.55
    assert joint_angles(track.replace(xy=xy))["trunk_inclination"][0] == pytest.approx(90.0)


def test_csv_has_one_row_per_frame(run_track) -> None:
    rows = list(csv.reader(io.StringIO(csv_text(run_track))))
    head, body = rows[0], rows[1:]
    assert len(body) == len(run_track) and all(len(r) == len(head) for r in body)
    assert head[:3] == ["frame", "time_s", "detected"] and head[-1] == "trunk_inclination_deg"
    col = head.index("left_knee_x_px")
    px = run_track.pixels()
    assert float(body[0][col]) == pytest.approx(px[0, Joint.LEFT_KNEE, 0], abs=1e-6)
    assert body[5][2] == "0" and body[5][col] == "NaN"
    wz = head.index("nose_world_z_m")
    assert float(body[0][wz]) == pytest.approx(run_track.world[0, 0, 2], abs=1e-6)


def test_unknown_format_and_coordinates_are_invalid_input(run_track) -> None:
    with pytest.raises(InvalidInput, match="format must be one of trc, mot, csv"):
        export_text(run_track, "c3d")
    with pytest.raises(InvalidInput, match="coordinates"):
        export_text(run_track, "trc", coordinates="camera")


def test_opensim_reads_the_files(run_track, tmp_path: Path) -> None:
    """OpenSim's own TRC and Storage readers (the PyPI ``opensim`` package; it requires numpy 2,
    so it is not a declared dependency: install it beside the project to run this test)."""
    osim = pytest.importorskip("opensim")
    trc = tmp_path / "run.trc"
    trc.write_text(trc_text(run_track, name=trc.name, height_m=1.8))
    table = osim.TimeSeriesTableVec3(str(trc))  # TRCFileAdapter under the hood
    assert table.getNumRows() == len(run_track) and table.getNumColumns() == 33
    assert list(table.getColumnLabels())[:2] == ["Nose", "LeftEyeInner"]
    want = markers(run_track, height_m=1.8).xyz
    knee = table.getDependentColumn("LeftKnee")
    for t in (0, 9, 20):
        v = knee[t]
        got = np.array([v.get(0), v.get(1), v.get(2)])
        np.testing.assert_allclose(got, want[t, Joint.LEFT_KNEE], atol=1e-6)
    mot = tmp_path / "run.mot"
    mot.write_text(mot_text(run_track, name="run"))
    sto = osim.TimeSeriesTable(str(mot))
    assert list(sto.getColumnLabels()) == list(angle_names())
    col = sto.getDependentColumn("right_knee").to_numpy()
    np.testing.assert_allclose(col, joint_angles(run_track)["right_knee"], atol=1e-6)
