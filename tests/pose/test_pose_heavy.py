"""The opt-in BlazePose Heavy model: choosing it, its install step, and a real clip.

The real-clip test needs the model installed by ``make models`` (``make test`` does it): it
skips when the file is missing locally and fails in CI (``CI=true``).
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import numpy as np
import pytest

from repstride.errors import InvalidInput, PoseBackendUnavailable
from repstride.pose import install_model, models, track_people
from repstride.pose.models import PoseLandmarker, landmark_model_path, resolve_model

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CLIP = "calimiro-ai__WorkoutTracker/data/raw/squats/squat_17.mp4"


def test_full_is_the_default_and_the_env_variable_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(models.MODEL_ENV, raising=False)
    assert resolve_model() == "full"
    monkeypatch.setenv(models.MODEL_ENV, "Heavy")
    assert resolve_model() == "heavy"
    assert resolve_model("full") == "full"  # the caller's choice wins over the environment


@pytest.mark.parametrize("source", ["arg", "env"])
def test_an_unknown_model_is_invalid_input(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    if source == "env":
        monkeypatch.setenv(models.MODEL_ENV, "ultra")
    with pytest.raises(InvalidInput) as exc:
        resolve_model("ultra" if source == "arg" else None)
    assert "ultra" in exc.value.message and "heavy" in exc.value.message


def test_a_missing_heavy_model_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv(install_model.MODEL_DIR_ENV, str(tmp_path))
    with pytest.raises(PoseBackendUnavailable) as exc:
        PoseLandmarker(model="heavy")
    assert exc.value.code == "pose_backend_unavailable"
    assert "make models" in exc.value.message and str(tmp_path) in exc.value.message


def test_a_heavy_file_with_another_hash_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv(install_model.MODEL_DIR_ENV, str(tmp_path))
    (tmp_path / "pose_landmark_heavy.tflite").write_bytes(b"not the model")
    with pytest.raises(PoseBackendUnavailable, match="sha256"):
        landmark_model_path("heavy")
    assert not install_model.is_installed("heavy")


def _fake_npm(bin_dir: Path, payload: bytes) -> None:
    """An ``npm`` that 'packs' a tarball holding ``payload`` as the heavy model."""
    tgz = bin_dir / "fake.tgz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/pose_landmark_heavy.tflite")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    tgz.write_bytes(buf.getvalue())
    npm = bin_dir / "npm"
    # args: pack SPEC --pack-destination DIR --silent
    npm.write_text(f'#!/bin/sh\ncp "{tgz}" "$4/mediapipe-pose.tgz"\n')
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)


def test_install_refuses_a_tarball_whose_sha256_is_not_pinned(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_npm(bin_dir, b"tampered")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    dest = tmp_path / "models"
    with pytest.raises(install_model.ModelInstallError, match="sha256"):
        install_model.install("heavy", dest)
    assert not (dest / "pose_landmark_heavy.tflite").exists()
    assert install_model.main(["heavy", "--dest", str(dest)]) == 1
    assert install_model.main(["heavy", "--dest", str(dest), "--check"]) == 1


def test_install_without_npm_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(install_model.ModelInstallError, match="npm"):
        install_model.install("heavy", tmp_path, npm="no-such-npm-client")


@pytest.fixture(scope="module")
def heavy_installed() -> Path:
    if not install_model.is_installed("heavy"):
        msg = (f"BlazePose Heavy not installed at {install_model.installed_path('heavy')} "
               f"(run {install_model.INSTALL_HINT})")
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return install_model.installed_path("heavy")


@pytest.mark.slow
def test_heavy_on_a_real_clip_finds_the_subject_close_to_full(heavy_installed: Path,
                                                             dev_data: Path) -> None:
    clip = dev_data / CLIP
    full = track_people(clip, max_frames=40, model="full").result()
    heavy = track_people(clip, max_frames=40, model="heavy").result()
    assert heavy.track.meta["backend"] == "blazepose-heavy/litert"
    assert full.track.meta["backend"] == "blazepose-full/litert"
    assert heavy.track.detected.mean() > 0.95
    both = full.track.detected & heavy.track.detected
    px = np.array([heavy.track.width, heavy.track.height], float)
    shift = np.linalg.norm((full.track.xy[both] - heavy.track.xy[both]) * px, axis=-1)
    body_h = float(np.nanmedian((full.track.bbox[both, 3] - full.track.bbox[both, 1])
                                * heavy.track.height))
    # another model (not Full again) that sees the same body: landmarks a few % of its height away
    assert 0.0 < float(np.nanmean(shift)) < 0.05 * body_h
