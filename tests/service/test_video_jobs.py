"""``JobRunner.run_job(job_id)`` called directly, with the fast injected pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from svc_helpers import make_video

from repstride.errors import LowQualityPose
from repstride.service.videos.service import VideoCreate
from repstride.service.jobs.runner import JobControl
from repstride.service.videos.jobs import load_track


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c.mp4", 12)


def _uploaded(services, path: Path, **kw):  # noqa: ANN001, ANN202
    client = services.clients.create("app")
    video, post = services.videos.create(
        client.id, VideoCreate(filename=path.name, size=path.stat().st_size, **kw),
        base_url="http://test")
    services.blobs.put_file(video.video_key, path)
    job_id = services.videos.upload_received(video.id, path.stat().st_size)
    return client, video, job_id


def test_run_job_stores_track_j2p_objects_and_analysis(services, pipeline, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip, activity="push_up")
    assert services.runner.run_job(job_id) == "done"
    v = services.videos.get(client.id, video.id)
    assert (v.status, v.pose_status, v.analysis_status) == ("Success", "Complete", "Complete")
    assert v.fps == pytest.approx(10.0) and (v.width, v.height) == (64, 64)
    assert len(load_track(services, video.id)) == 12
    a = services.videos.analysis_wire(v)
    assert (a["domain"], a["activity"], len(a["reps"])) == ("calisthenics", "push_up", 6)
    j2p = services.videos.j2p_wire(v)
    assert j2p["status"] == "Complete" and len(j2p["jointToPoints"]["leftAnkle"]) == 12
    assert j2p["analysis"]["reps"] == a["reps"]
    objs = services.videos.objects_wire(v)
    assert [o["subject"] for o in objs] == [True, False]
    assert len(objs[0]["boundingBoxes"]) == 12 and objs[0]["type"] == "person"
    # the render step (service.worker.render_overlays_step) stored both overlays
    assert {k: o["status"] for k, o in v.overlays.items()} == {"skeleton": "Complete",
                                                               "all": "Complete",
                                                               "thumbnail": "Complete"}
    assert services.runner.run_job(job_id) is None  # done: not run twice


def test_put_reanalyses_from_the_stored_track_without_pose(services, pipeline, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip)
    services.runner.run_job(job_id)
    assert pipeline.pose_calls == 1
    v = services.videos.update(client.id, video.id, {"rep_count": 2, "activity": "squat"})
    assert services.videos.analysis_wire(v)["status"] == "Pending"
    (job2,) = services.jobs.ready_ids()
    assert services.runner.run_job(job2) == "done"
    a = services.videos.analysis_wire(services.videos.get(client.id, video.id))
    assert (a["status"], a["domain"], a["activity"], len(a["reps"])) == \
        ("Complete", "weightlifting", "squat", 2)
    assert pipeline.pose_calls == 1 and pipeline.analyze_calls == 2


def test_superseded_reanalysis_does_not_overwrite(services, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip)
    services.runner.run_job(job_id)
    services.videos.update(client.id, video.id, {"rep_count": 1})
    services.videos.update(client.id, video.id, {"rep_count": 3})
    first, second = services.jobs.ready_ids()
    services.runner.run_job(second)
    services.runner.run_job(first)  # stale revision: no-op
    a = services.videos.analysis_wire(services.videos.get(client.id, video.id))
    assert len(a["reps"]) == 3


def test_non_video_upload_fails_with_a_reason(services, tmp_path: Path) -> None:  # noqa: ANN001
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"this is not a video at all" * 100)
    client, video, job_id = _uploaded(services, junk)
    assert services.runner.run_job(job_id) == "failed"
    v = services.videos.get(client.id, video.id)
    assert (v.status, v.reason) == ("Failed", "invalid_file_type")
    a = services.videos.analysis_wire(v)
    assert (a["status"], a["reason"]) == ("Failed", "invalid_file_type")


def test_analysis_error_is_reported_not_retried(services, pipeline, clip, monkeypatch) -> None:  # noqa: ANN001
    def low_quality(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise LowQualityPose()

    monkeypatch.setattr(pipeline, "analyze", low_quality)
    client, video, job_id = _uploaded(services, clip)
    assert services.runner.run_job(job_id) == "done"
    v = services.videos.get(client.id, video.id)
    assert v.status == "Success"  # the upload itself was fine
    a = services.videos.analysis_wire(v)
    assert (a["status"], a["reason"]) == ("Failed", "LOW_QUALITY_POSE_ESTIMATE")
    assert services.videos.j2p_wire(v)["status"] == "Failed"


def test_infrastructure_error_is_retried_then_given_up(services, pipeline, clip, monkeypatch) -> None:  # noqa: ANN001
    calls = []

    def flaky(path, *, progress=None):  # noqa: ANN001, ANN202
        calls.append(1)
        raise OSError("disk hiccup")

    monkeypatch.setattr(pipeline, "pose", flaky)
    client, video, job_id = _uploaded(services, clip)
    states = [services.runner.run_job(job_id) for _ in range(3)]
    assert states == ["queued", "queued", "failed"] and len(calls) == 3
    v = services.videos.get(client.id, video.id)
    assert (v.status, v.reason, v.analysis_status) == ("Failed", "processing_failed", "Failed")


def test_job_of_a_dead_worker_is_resumed(services, clip, clock) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip)
    assert services.jobs.acquire(job_id, "worker-that-dies") is not None
    assert services.runner.run_job(job_id) is None  # leased
    clock.advance(services.settings.job_lease_s + 1)
    assert services.runner.run_job(job_id) == "done"
    assert services.videos.get(client.id, video.id).analysis_status == "Complete"


def test_shutdown_releases_the_running_job(services, pipeline, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip)
    services.runner.interrupt.set()
    assert services.runner.run_job(job_id) == "queued"
    services.runner.interrupt.clear()
    assert services.jobs.get(job_id).attempts == 0
    assert services.runner.run_job(job_id) == "done"


def test_deleted_video_job_is_a_no_op(services, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip)
    services.videos.delete(client.id, video.id)
    assert services.jobs.get(job_id) is None
    assert not services.blobs.exists(video.video_key)


def test_job_control_interrupt() -> None:
    import threading

    from repstride.service.jobs.runner import Interrupted

    ev = threading.Event()
    ctl = JobControl(ev)
    ctl.progress(1, 2)
    ev.set()
    with pytest.raises(Interrupted):
        ctl.progress(2, 2)


def test_too_long_video_fails_with_a_reason(services, pipeline, clip, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(services.settings, "max_video_duration_s", 0.5)  # the clip lasts 1.2 s
    client, video, job_id = _uploaded(services, clip)
    assert services.runner.run_job(job_id) == "failed"
    v = services.videos.get(client.id, video.id)
    assert (v.status, v.reason, v.fps) == ("Failed", "video_too_long", pytest.approx(10.0))
    assert pipeline.pose_calls == 0


def test_database_outage_during_a_job_is_retried_not_failed(services, pipeline, clip,
                                                            monkeypatch) -> None:  # noqa: ANN001
    from repstride.errors import ServiceUnavailable

    def outage(path, *, progress=None):  # noqa: ANN001, ANN202
        raise ServiceUnavailable()

    client, video, job_id = _uploaded(services, clip)
    monkeypatch.setattr(pipeline, "pose", outage)
    assert services.runner.run_job(job_id) == "queued"
    assert services.videos.get(client.id, video.id).status == "Success"
    monkeypatch.undo()
    assert services.runner.run_job(job_id) == "done"


def test_unreachable_database_is_service_unavailable() -> None:
    from repstride.errors import ServiceUnavailable
    from repstride.service.db import Database

    db = Database("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(ServiceUnavailable) as ei, db.session() as s:
        s.execute(__import__("sqlalchemy").text("SELECT 1"))
    assert ei.value.http_status == 503
    db.dispose()


def test_sprint_reanalysis_gets_the_video_for_its_field_markers(services, pipeline, clip) -> None:  # noqa: ANN001
    client, video, job_id = _uploaded(services, clip, activity="push_up")
    services.runner.run_job(job_id)
    services.videos.update(client.id, video.id, {"rep_count": 1})
    services.runner.run_job(services.jobs.ready_ids()[0])
    services.videos.update(client.id, video.id, {"activity": "sprint"})
    services.runner.run_job(services.jobs.ready_ids()[0])
    # first analysis: the source is at hand; a PUT re-analysis downloads it only for a sprint
    assert pipeline.video_paths == [("push_up", True), ("push_up", False), ("sprint", True)]


def _flaky_pose(path, *, progress=None):  # noqa: ANN001, ANN202
    raise OSError("disk hiccup")


def _analysis_bug(*a, **k):  # noqa: ANN002, ANN003, ANN202
    raise ZeroDivisionError("a bug in an analysis")


def _low_quality(*a, **k):  # noqa: ANN002, ANN003, ANN202
    raise LowQualityPose()


@pytest.mark.parametrize("path", ["invalid_file", "corrupt", "too_long", "low_quality_pose",
                                  "analysis_error", "render_error", "gave_up", "worker_killed"])
def test_every_failure_leaves_no_artifact_pending(services, pipeline, clip, clock, tmp_path,
                                                   monkeypatch, path: str) -> None:  # noqa: ANN001
    """A failed video or analysis marks the overlays and thumbnail that will never be made
    Failed with the reason, so a client polling them stops."""
    from repstride.errors import RenderFailed

    source = clip
    if path == "invalid_file":
        source = tmp_path / "notes.mp4"
        source.write_bytes(b"this is not a video at all" * 100)
    elif path == "corrupt":
        source = tmp_path / "cut.mp4"
        source.write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])
    elif path == "too_long":
        monkeypatch.setattr(services.settings, "max_video_duration_s", 0.5)
    elif path == "low_quality_pose":
        monkeypatch.setattr(pipeline, "analyze", _low_quality)
    elif path == "analysis_error":
        monkeypatch.setattr(pipeline, "analyze", _analysis_bug)
    elif path == "render_error":
        def broken(*a, **k):  # noqa: ANN002, ANN003, ANN202
            raise RenderFailed("the encoder refused the frames")
        monkeypatch.setattr("repstride.render.artifacts.render_video_artifacts", broken)
    elif path == "gave_up":
        monkeypatch.setattr(pipeline, "pose", _flaky_pose)
    client, video, job_id = _uploaded(services, source)
    if path == "worker_killed":
        for n in range(services.jobs.max_attempts):  # every holder dies mid-job
            assert services.jobs.acquire(job_id, f"dead-{n}") is not None
            clock.advance(services.settings.job_lease_s + 1)
    for _ in range(services.jobs.max_attempts):
        if services.runner.run_job(job_id) != "queued":
            break
    v = services.videos.get(client.id, video.id)
    if path != "render_error":
        assert "Failed" in (v.status, v.analysis_status), (v.status, v.analysis_status)
    ov = services.videos.overlays_wire(v, base_url="http://test")
    ov["thumbnail"] = services.videos.thumbnail_wire(v, base_url="http://test")
    assert {name: o["status"] for name, o in ov.items()} == \
        {"skeleton": "Failed", "all": "Failed", "thumbnail": "Failed"}
    reason = v.reason if v.status == "Failed" else v.analysis_reason
    expected = "render_failed" if path == "render_error" else reason
    assert {o["reason"] for o in ov.values()} == {expected}
