"""Video API and Running API methods against the scripted fake — each test runs on ``Client`` and
on ``AsyncClient`` (the ``make_client`` fixture)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from client_fakes import BASE, FakeClock, FakeServer, parse_multipart

from repstride.client import (
    AnalysisFailed, AuthError, Conflict, InvalidInput, NotFound, PollPolicy, Progress, Timeout,
)

PENDING = {"status": "Pending"}
COMPLETE = {
    "status": "Complete", "domain": "weightlifting", "activity": "squat",
    "reps": [{"startTimestampMs": 100, "midTimestampMs": 900, "endTimestampMs": 1700,
              "analyses": [{"analysisType": "HIP_KNEE_ANGLE_DEGREES", "analysisScalar": 12.34,
                            "analysisOpinion": "good"}]},
             {"startTimestampMs": 1800, "midTimestampMs": 2500, "endTimestampMs": 3300,
              "analyses": []}],
}


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "squat.mp4"
    path.write_bytes(os.urandom(300_000))  # several 64 KiB chunks
    return path


# --- Video API ---------------------------------------------------------------------------------


def test_analyze_creates_uploads_and_polls(make_client, fake: FakeServer, clock: FakeClock,
                                           video: Path) -> None:
    fake.analysis_script = [PENDING, PENDING, COMPLETE]
    events: list[Progress] = []
    analysis = make_client().analyze(video, activity="squat", rep_count=2, progress=events.append)

    assert analysis.is_complete and analysis.rep_count == 2 and analysis.video_id == "vid-1"
    assert analysis.reps[0].value("HIP_KNEE_ANGLE_DEGREES") == pytest.approx(12.34)
    assert analysis.reps[0].analyses[0].analysis_opinion == "good"
    assert analysis.to_wire() == COMPLETE

    create = fake.api_calls("/videos")[0]
    assert (create.method, create.path) == ("POST", "/videos")
    assert create.json() == {"filename": "squat.mp4", "size": 300_000, "source": "repstride-sdk",
                             "domain": "weightlifting", "activity": "squat", "repCount": 2}
    assert [s.path for s in fake.seen] == ["/oauth2/token", "/videos", "/upload",
                                           "/videos/vid-1/analysis", "/videos/vid-1/analysis",
                                           "/videos/vid-1/analysis"]
    assert clock.sleeps == [1.0, 1.5]
    uploads = [e for e in events if e.stage == "upload"]
    assert uploads[-1].done == uploads[-1].total == 300_000
    assert [e.status for e in events if e.stage == "processing"] == ["Pending", "Pending", "Complete"]


def test_upload_is_multipart_fields_first_file_last_streamed(make_client, fake: FakeServer,
                                                             video: Path) -> None:
    events: list[Progress] = []
    make_client().analyze(video, wait=False, progress=events.append)
    up = next(s for s in fake.seen if s.path == "/upload")
    assert up.method == "POST"
    assert "authorization" not in up.headers  # presigned: the signature is in the fields
    # a Content-Length, not chunked: S3-style targets require it
    assert int(up.headers["content-length"]) == len(up.body)
    parts = parse_multipart(up.headers["content-type"], up.body)
    assert [p[0] for p in parts] == ["key", "policy", "x-amz-signature", "file"]
    assert [p[2] for p in parts[:3]] == [b"uploads/vid-1", b"cG9s", b"sig"]
    name, filename, data, ctype = parts[-1]
    assert (filename, ctype, data) == ("squat.mp4", "video/mp4", video.read_bytes())
    # streamed in chunks, never the whole file at once
    steps = [e.done for e in events if e.stage == "upload"]
    assert len(steps) >= 5
    assert max(b - a for a, b in zip([0, *steps], steps)) <= 64 * 1024


def test_upload_to_our_own_host_carries_the_token(make_client, fake: FakeServer, video: Path) -> None:
    fake.upload_url = f"{BASE}/upload/vid-1"
    make_client().analyze(video, wait=False)
    up = next(s for s in fake.seen if s.path == "/upload/vid-1")
    assert up.headers["authorization"] == "tok-1"


def test_relative_upload_url_is_resolved_against_base_url(make_client, fake: FakeServer,
                                                          video: Path) -> None:
    fake.upload_url = "/upload/rel"
    make_client().analyze(video, wait=False)
    assert any(s.path == "/upload/rel" for s in fake.seen)


def test_analyze_no_wait(make_client, fake: FakeServer, video: Path) -> None:
    analysis = make_client().analyze(video, wait=False)
    assert analysis.is_pending and analysis.video_id == "vid-1"
    assert not fake.api_calls("/videos/vid-1/analysis")


def test_backoff_grows_to_the_cap(make_client, fake: FakeServer, clock: FakeClock) -> None:
    fake.analysis_script = [PENDING] * 8 + [COMPLETE]
    make_client().wait_for_analysis("vid-1")
    assert clock.sleeps == pytest.approx([1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0, 5.0])


def test_overall_timeout(make_client, fake: FakeServer, clock: FakeClock) -> None:
    fake.analysis_script = [PENDING]
    start = clock.t
    with pytest.raises(Timeout) as info:
        make_client(poll=PollPolicy(initial_s=2, factor=2, max_interval_s=8, timeout_s=30)
                    ).wait_for_analysis("vid-1")
    assert clock.t - start == pytest.approx(30)  # never sleeps past the deadline
    assert clock.sleeps == pytest.approx([2, 4, 8, 8, 8])
    assert "30 s" in info.value.message


def test_timeout_argument_overrides_policy(make_client, fake: FakeServer, clock: FakeClock) -> None:
    fake.analysis_script = [PENDING]
    with pytest.raises(Timeout):
        make_client().wait_for_analysis("vid-1", timeout=3)
    assert sum(clock.sleeps) == pytest.approx(3)


def test_transient_errors_are_retried_while_polling(make_client, fake: FakeServer,
                                                    clock: FakeClock) -> None:
    fake.analysis_script = [(503, {"code": "unavailable"}), (429, {"code": "rate_limited"}),
                            PENDING, COMPLETE]
    assert make_client().wait_for_analysis("vid-1").is_complete
    assert len(clock.sleeps) == 3


def test_client_errors_while_polling_are_not_retried(make_client, fake: FakeServer,
                                                     clock: FakeClock) -> None:
    fake.analysis_script = [(404, {"code": "not_found", "message": "gone"})]
    with pytest.raises(NotFound):
        make_client().wait_for_analysis("vid-1")
    assert clock.sleeps == []


def test_failed_analysis_raises_with_reason(make_client, fake: FakeServer, video: Path) -> None:
    fake.analysis_script = [PENDING, {"status": "Failed", "reason": "LOW_QUALITY_POSE_ESTIMATE"}]
    with pytest.raises(AnalysisFailed) as info:
        make_client().analyze(video)
    assert info.value.reason == "LOW_QUALITY_POSE_ESTIMATE"
    # get_analysis itself reports Failed without raising
    assert make_client().get_analysis("vid-1").is_failed


def test_get_video_with_includes_and_overlays(make_client, fake: FakeServer) -> None:
    fake.video = {"status": "Success", "fps": 29.97, "uri": f"{BASE}/files/raw.mp4",
                  "overlays": {"skeleton": {"status": "Complete", "uri": f"{BASE}/files/s.mp4"},
                               "all": {"status": "Pending"}},
                  "analysis": COMPLETE,
                  "objects": [{"type": "person", "subject": True, "boundingBoxes": [
                      {"frame_idx": 0, "timestamp": 0, "x1": 0.1, "y1": 0.2, "x2": 0.5,
                       "y2": 0.9, "score": 0.9}]}]}
    v = make_client().get_video("vid-1", include=["analysis", "objects"])
    assert fake.api_calls("/videos/vid-1")[0].query == {"include": "analysis,objects"}
    assert v.fps == pytest.approx(29.97) and v.status == "Success"
    assert v.overlays["skeleton"].uri.endswith("/files/s.mp4")
    assert v.overlays["all"].uri is None
    assert v.analysis.rep_count == 2
    assert v.objects[0].bounding_boxes[0].x2 == 0.5
    assert v.objects[0].model_extra == {"subject": True}  # unknown fields are kept
    make_client().get_video("vid-1", include="j2p")
    assert fake.api_calls("/videos/vid-1")[-1].query == {"include": "j2p"}


def test_get_j2p(make_client) -> None:
    j2p = make_client().get_j2p("vid-1")
    assert (j2p.resolution_width, j2p.resolution_height) == (720, 1280)
    frame = j2p.joint_to_points["leftAnkle"][1]
    assert (frame.frame_idx, frame.position.x, frame.score, frame.timestamp) == (4, 0.5, 0.86, 0.1)
    assert j2p.analysis.reps[0].mid_timestamp_ms == 456


def test_update_and_delete(make_client, fake: FakeServer) -> None:
    client = make_client()
    assert client.update_video("vid-1", rep_count=10) == {"id": "vid-1"}
    put = fake.api_calls("/videos/vid-1")[0]
    assert (put.method, put.json()) == ("PUT", {"repCount": 10})
    client.update_video("vid-1", activity="deadlift", domain="weightlifting")
    assert fake.api_calls("/videos/vid-1")[-1].json() == {"domain": "weightlifting",
                                                          "activity": "deadlift"}
    client.delete_video("vid-1")
    assert fake.api_calls("/videos/vid-1")[-1].method == "DELETE"
    with pytest.raises(InvalidInput):
        client.update_video("vid-1")


def test_download_overlay_waits_then_streams_to_disk(make_client, fake: FakeServer,
                                                     clock: FakeClock, tmp_path: Path) -> None:
    fake.video_script = [
        {"status": "Success", "overlays": {"all": {"status": "Pending"}}},
        {"status": "Success", "overlays": {"all": {"status": "Complete",
                                                   "uri": "https://cdn.test/files/all.mp4?sig=1"}}},
    ]
    dest = tmp_path / "all.mp4"
    events: list[Progress] = []
    assert make_client().download_overlay("vid-1", dest, progress=events.append) == dest
    assert dest.read_bytes() == b"overlay-bytes" * 1000
    assert not (tmp_path / "all.mp4.part").exists()
    get = next(s for s in fake.seen if s.path == "/files/all.mp4")
    assert "authorization" not in get.headers and get.query == {"sig": "1"}
    assert clock.sleeps == [1.0]
    assert events[-1].stage == "download" and events[-1].done == 13_000


def test_download_overlay_not_ready_without_wait(make_client, fake: FakeServer, tmp_path: Path) -> None:
    fake.video = {"status": "Success", "overlays": {"skeleton": {"status": "Pending"}}}
    with pytest.raises(Conflict):
        make_client().download_overlay("vid-1", tmp_path / "s.mp4", kind="skeleton", wait=False)


def test_download_overlay_failed(make_client, fake: FakeServer, tmp_path: Path) -> None:
    fake.video = {"status": "Success", "overlays": {"all": {"status": "Failed", "reason": "encoder"}}}
    with pytest.raises(AnalysisFailed) as info:
        make_client().download_overlay("vid-1", tmp_path / "a.mp4")
    assert info.value.reason == "encoder"


def test_download_error_leaves_no_partial_file(make_client, fake: FakeServer, tmp_path: Path) -> None:
    fake.video = {"status": "Success", "overlays": {"all": {"status": "Complete",
                                                            "uri": f"{BASE}/files/gone.mp4"}}}
    fake.routes[("GET", "/files/gone.mp4")] = lambda r: httpx.Response(404, json={"code": "not_found"})
    with pytest.raises(NotFound):
        make_client().download_overlay("vid-1", tmp_path / "a.mp4")
    assert list(tmp_path.iterdir()) == []


def test_missing_file_is_invalid_input_before_any_request(make_client, fake: FakeServer,
                                                          tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        make_client().analyze(tmp_path / "nope.mp4")
    assert info.value.code == "file_not_found"
    assert fake.seen == []


# --- Running Analysis API ----------------------------------------------------------------------


def test_start_running_analysis_form(make_client, fake: FakeServer, video: Path) -> None:
    run_id = make_client().start_running_analysis(
        video, view="side", height=182, weight=75.5, pace="4:45", language="fr", treadmill=True)
    assert run_id == "run-1"
    start = fake.api_calls("/analysis/start")[0]
    assert start.headers["authorization"] == "tok-1"
    parts = parse_multipart(start.headers["content-type"], start.body)
    assert [p[0] for p in parts] == ["analysis_type", "height", "weight", "pace", "language",
                                     "treadmill", "video"]
    assert {p[0]: p[2] for p in parts[:-1]} == {
        "analysis_type": b"side_view", "height": b"182", "weight": b"75.5", "pace": b"4:45",
        "language": b"fr", "treadmill": b"true"}
    assert parts[-1][1:] == ("squat.mp4", video.read_bytes(), "video/mp4")


@pytest.mark.parametrize("answer", [
    {"id": "run-1"}, {"analysis_id": "run-1", "status": "pending"}, "run-1",
    {"message": "Analysis started for ID: run-1", "video_id": "run-1"},  # Ochy's 202 answer
])
def test_start_accepts_id_spellings(make_client, fake: FakeServer, video: Path, answer) -> None:
    fake.start_answer = answer
    assert make_client().start_running_analysis(video, view="back_view", full_body=False,
                                                slow_motion_factor=8.0) == "run-1"
    parts = parse_multipart(fake.api_calls("/analysis/start")[0].headers["content-type"],
                            fake.api_calls("/analysis/start")[0].body)
    assert {p[0]: p[2] for p in parts[:-1]} == {"analysis_type": b"back_view",
                                                "full_body": b"false",
                                                "slow_motion_factor": b"8"}


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"view": "front"}, "view"),
    ({"pace": "4.45"}, "MM:SS"),
    ({"treadmill": True}, "required"),
    ({"language": "nl"}, "language"),
    ({"height": -3}, "height"),
    ({"slow_motion_factor": 0.5}, "slow_motion_factor"),
])
def test_running_input_checked_before_sending(make_client, fake: FakeServer, video: Path,
                                              kwargs, fragment) -> None:
    with pytest.raises(InvalidInput) as info:
        make_client().start_running_analysis(video, **kwargs)
    assert fragment in info.value.message
    assert fake.seen == []


def test_wait_for_results_follows_the_lifecycle(make_client, fake: FakeServer, clock: FakeClock) -> None:
    fake.results_script = [
        {"status": "pending"},
        (202, {"status": "analyzing", "percentage": 35}),
        (202, {"status": "analyzing", "percentage": 80}),
        {"status": "success", "id": "run-1", "thumbnail_url": "https://x/t.jpg",
         "biomechanical_analysis": {"total_score": 0.7}},
    ]
    events: list[Progress] = []
    results = make_client().wait_for_results("run-1", progress=events.append)
    assert results.is_done and results.id == "run-1"
    assert results.biomechanical_analysis == {"total_score": 0.7}
    assert results.model_extra["thumbnail_url"] == "https://x/t.jpg"
    assert [(e.status, e.done) for e in events] == [("pending", None), ("analyzing", 35.0),
                                                    ("analyzing", 80.0), ("success", None)]
    assert len(clock.sleeps) == 3


def test_failed_running_analysis(make_client, fake: FakeServer) -> None:
    fake.results_script = [(202, {"status": "analyzing", "percentage": 10}),
                           (400, {"status": "failed", "reason": "video_too_long"})]
    with pytest.raises(AnalysisFailed) as info:
        make_client().wait_for_results("run-1")
    assert info.value.reason == "video_too_long" and info.value.status == 400


def test_running_timeout(make_client, fake: FakeServer) -> None:
    fake.results_script = [(202, {"status": "analyzing", "percentage": 1})]
    with pytest.raises(Timeout):
        make_client().wait_for_results("run-1", timeout=10)


def test_calculated_and_raw_data(make_client) -> None:
    client = make_client()
    calc = client.get_calculated_data("run-1")
    assert calc.total_score == pytest.approx(0.72) and calc.metrics == {"cadence": 172}
    raw = client.get_raw_data("run-1")
    assert raw.video_input_information == {"fps": 60} and raw.frames["0"] == {"nose": [0.5, 0.2]}


def test_unknown_running_id(make_client) -> None:
    with pytest.raises(NotFound):
        make_client().get_results("nope")


def test_http_timeout_setting_reaches_httpx(make_client) -> None:
    client = make_client(timeout=4.5)
    assert client.timeout.read == 4.5


def test_api_key_goes_only_to_running_requests(make_client, fake: FakeServer, video: Path) -> None:
    client = make_client(api_key="k-123")
    run_id = client.start_running_analysis(video, view="side")
    client.wait_for_results(run_id)
    client.get_calculated_data(run_id)
    client.get_raw_data(run_id)
    client.get_analysis("vid-1")
    running = fake.api_calls("/analysis/")
    assert len(running) == 4 and all(s.query == {"apiKey": "k-123"} for s in running)
    assert fake.api_calls("/videos/")[0].query == {}


def test_running_failed_with_200_still_raises(make_client, fake: FakeServer) -> None:
    fake.results_script = [{"status": "failed", "reason": "no_runner"}]
    with pytest.raises(AnalysisFailed) as info:
        make_client().wait_for_results("run-1")
    assert info.value.reason == "no_runner"


def test_unknown_interim_status_keeps_polling(make_client, fake: FakeServer, clock: FakeClock) -> None:
    fake.analysis_script = [{"status": "Processing"}, PENDING, COMPLETE]
    assert make_client().wait_for_analysis("vid-1").is_complete
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize(("status", "code"), [(429, "rate_limited"), (503, "service_unavailable")])
def test_retry_after_is_honoured(make_client, fake: FakeServer, clock: FakeClock, status, code) -> None:
    fake.analysis_script = [httpx.Response(status, json={"code": code},
                                           headers={"Retry-After": "7"}), COMPLETE]
    assert make_client().wait_for_analysis("vid-1").is_complete
    assert clock.sleeps == [7.0]


def test_failed_upload_deletes_the_created_video(make_client, fake: FakeServer, video: Path) -> None:
    fake.routes[("POST", "/upload")] = lambda r: httpx.Response(
        403, json={"code": "policy_expired", "message": "The upload policy has expired."})
    with pytest.raises(AuthError) as info:
        make_client().analyze(video)
    assert info.value.code == "policy_expired"
    assert [s.method for s in fake.api_calls("/videos/vid-1")] == ["DELETE"]
