"""End to end on real running footage: upload -> pose -> side-view analysis -> render -> results.

Uses the dev clip ``mhuang24__Running-Form/IMG_5396.mp4`` (treadmill, side view, 60 fps, 6.5 s,
under the 10 s limit) with hand-marked gait events in ``gait_truth.json``; skips without it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from running_helpers import Api, fresh_database, make_api

from repstride.service.running.settings import RunningSettings

CLIP = "mhuang24__Running-Form/IMG_5396.mp4"
SLOW_CLIP = "mhuang24__Running-Form/slow.mp4"


@pytest.fixture
def real_api(tmp_path: Path) -> Api:
    with fresh_database("sqlite", tmp_path) as url:
        # The production pipeline (pose model, real analysis, renderer) and seed 002's limits.
        a = make_api(url, tmp_path, None, limits=RunningSettings())
        yield a
        a.http.close()
        a.services.close()


@pytest.mark.devdata
def test_real_clip_over_ten_seconds_is_refused(real_api: Api, dev_data: Path) -> None:
    clip = dev_data / SLOW_CLIP  # 31.7 s slow-motion treadmill clip
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    r = real_api.start(clip)
    assert r.status_code == 400 and r.json()["code"] == "video_too_long"
    assert real_api.balance() == 10


@pytest.mark.slow
@pytest.mark.devdata
def test_side_view_end_to_end_on_real_treadmill_clip(real_api: Api, dev_data: Path) -> None:
    api = real_api
    clip = dev_data / CLIP
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    truth = json.loads((dev_data / "gait_truth.json").read_text())[CLIP]

    r = api.start(clip, treadmill="true", pace="05:00", height="175", language="fr")
    assert r.status_code == 202, r.text
    aid = r.json()["analysis_id"]
    assert api.results(aid).json()["status"] == "pending"

    (job_id,) = api.job_ids()
    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(api.services.runner.run_job(job_id)))
    worker.start()
    seen: list[tuple[int, str, int]] = []
    media_seen: list[tuple[str, bool]] = []
    while worker.is_alive():
        worker.join(1.0)  # poll the API about once a second while the job runs
        resp = api.results(aid)
        body = resp.json()
        seen.append((resp.status_code, body["status"], body.get("percentage", -1)))
        if body["status"] == "success":  # results first: the video may still be rendering
            media_seen.append((body["media_status"], body["output_video"] is None))
    assert outcome == ["done"], seen
    assert all(m in (("pending", True), ("ready", False)) for m in media_seen), media_seen

    analyzing = [p for code, st, p in seen if st == "analyzing"]
    assert all(code == 202 for code, st, _ in seen if st == "analyzing")
    assert len(set(analyzing)) >= 3 and analyzing == sorted(analyzing), seen  # really advances

    res = api.results(aid)
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "success" and body["percentage"] == 100
    assert body["media_status"] == "ready"
    # Rendered media behind signed URLs.
    base = str(api.http.base_url)
    thumb = api.http.get(body["thumbnail"].replace(base, ""))
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
    video = api.http.get(body["output_video"].replace(base, ""))
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert body["biomechanical_analysis"]["metrics"]["cadence"]["title"] == "Cadence"

    calc = api.results(aid, "calculated_data").json()
    m = calc["metrics"]
    assert m["cadence"]["value"] == pytest.approx(truth["cadence_spm"], rel=0.05)
    assert m["ground_contact_time"]["value"] == pytest.approx(truth["mean_gct_ms"], abs=50)
    assert m["speed"]["value"] == pytest.approx(1000 / 300, rel=0.01)  # treadmill: from pace
    assert 0.0 <= calc["total_score"] <= 1.0
    assert calc["overstride"]["angle"] is not None
    assert calc["foot_landing"]["steps"]
    assert calc["joint_angles"]["knee"]["touch_down"] is not None
    assert calc["running_styles"]

    raw = api.results(aid, "raw_data").json()
    info = raw["video_input_information"]
    assert info["resolution"] == {"width": 1080, "height": 1920}
    assert info["fps"] == pytest.approx(60.0) and info["duration"] == pytest.approx(6.47, abs=0.05)
    assert len(raw["frames"]) == 388
    with_body = [f for f in raw["frames"].values() if len(f["landmarks"]) == 33]
    assert len(with_body) > 0.9 * 388
    assert api.balance() == 9


FRONT_CLIP = "omartarek198__Pose-estimation-using-dollarpy/videos/running.mp4"


@pytest.mark.slow
@pytest.mark.devdata
def test_back_view_end_to_end_on_real_frontal_clip(real_api: Api, dev_data: Path) -> None:
    """The dev set has no runner filmed from behind; a real runner coming towards the camera
    is the frontal view it has: every back-view field is answered, pronation null with a
    translated reason."""
    api = real_api
    clip = dev_data / FRONT_CLIP
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    r = api.start(clip, analysis_type="back_view", language="de")
    assert r.status_code == 202, r.text
    aid = r.json()["analysis_id"]
    assert api.run_jobs() == ["done"]
    res = api.results(aid)
    assert res.status_code == 200 and res.json()["status"] == "success"
    body = res.json()
    base = str(api.http.base_url)
    assert api.http.get(body["thumbnail"].replace(base, "")).status_code == 200
    assert api.http.get(body["output_video"].replace(base, "")).status_code == 200

    calc = api.results(aid, "calculated_data").json()
    gc = calc["gait_cycle"]
    assert gc["full_body"] is True and "runner_faces_camera" in calc["flags"]
    assert calc["info"]["view"]["facing"] == "camera"
    for side in ("left", "right"):
        leg = gc["stance_means"][side]
        assert leg["n_steps"] >= 2
        for m in ("hip_adduction", "knee_adduction", "pelvic_drop"):
            assert leg[m]["value"] is not None and leg[m]["advice"], (side, m, leg[m])
        assert leg["pronation"]["value"] is None
        assert "Ferse" in leg["pronation"]["reason"]  # reason.heel_hidden, in German
    steps = gc["steps"]
    assert len(steps) >= 4 and {s["side"] for s in steps} == {"left", "right"}
    assert all(s["hip_adduction"] is not None and s["pronation"] is None for s in steps)
    raw = api.results(aid, "raw_data").json()
    assert raw["video_input_information"]["resolution"] == {"width": 1280, "height": 720}
    assert len(raw["frames"]) == 169
    assert api.balance() == 9


@pytest.mark.slow
@pytest.mark.devdata
def test_back_view_of_real_side_view_clip_fails_with_view_mismatch(real_api: Api,
                                                                    dev_data: Path) -> None:
    api = real_api
    clip = dev_data / CLIP
    if not clip.is_file():
        pytest.skip(f"{clip} absent")
    aid = api.start(clip, analysis_type="back_view", language="es").json()["analysis_id"]
    api.run_jobs()
    res = api.results(aid)
    body = res.json()
    assert res.status_code == 400 and body["status"] == "failed", body
    assert body["code"] == "view_mismatch"
    assert "side_view" in body["reason"] and "corredor" in body["reason"]  # in Spanish
    assert body["credit_refunded"] is False  # the upload's fault, like a pose failure
    assert api.balance() == 9
    assert api.results(aid, "calculated_data").status_code == 400
