"""Results first: a running analysis is ``success`` before its annotated video is rendered, the
media are ``pending`` meanwhile (null URLs, no reason), then ``ready`` (signed URLs) or
``failed`` (a reason); a job stopped while rendering renders only when it runs again."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from running_helpers import Api, ScriptedPipeline

from repstride.i18n import translate
from repstride.service.running.jobs import RunningMedia, RunningOutcome


class RenderingPipeline:
    """The scripted analysis plus a ``render_media`` that waits for the test at its start."""

    def __init__(self, inner: ScriptedPipeline) -> None:
        self.inner = inner
        self.started = threading.Event()
        self.release = threading.Event()
        self.renders = 0
        self.error: BaseException | None = None
        self.reason: str | None = None
        self.seen: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, *a: Any, **k: Any) -> RunningOutcome:
        out = self.inner(*a, **k)
        return RunningOutcome(track=out.track, analysis=out.analysis)  # media: rendered later

    def render_media(self, video: Path, params, track, analysis, *, workdir: Path,  # noqa: ANN001
                     progress) -> RunningMedia:  # noqa: ANN001
        self.renders += 1
        self.seen.append((len(track), analysis))
        self.started.set()
        if not self.release.wait(30):
            raise TimeoutError("test never released the render")
        progress(0.5)  # a shutdown requested meanwhile stops the job here
        if self.error is not None:
            raise self.error
        if self.reason is not None:
            return RunningMedia(media_reason=self.reason)
        (workdir / "t.jpg").write_bytes(b"\xff\xd8thumb")
        (workdir / "v.mp4").write_bytes(video.read_bytes())
        return RunningMedia(thumbnail=workdir / "t.jpg", output_video=workdir / "v.mp4")


@pytest.fixture
def rendering(api: Api) -> RenderingPipeline:
    assert api.pipeline is not None
    pipe = RenderingPipeline(api.pipeline)
    api.running.pipeline = pipe
    return pipe


def _start(api: Api, video: Path) -> str:
    r = api.start(video)
    assert r.status_code == 202, r.text
    return r.json()["analysis_id"]


def _run_in_thread(api: Api) -> tuple[threading.Thread, list[str | None]]:
    (job_id,) = api.job_ids()
    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(api.services.runner.run_job(job_id)))
    worker.start()
    return worker, outcome


def _run_all(api: Api) -> None:
    for _ in range(10):
        if not api.run_jobs():
            return
    raise AssertionError("jobs keep coming back")


def test_results_are_success_while_the_annotated_video_renders(
        api: Api, rendering: RenderingPipeline, videos: dict[str, Path]) -> None:
    aid = _start(api, videos["mp4"])
    worker, outcome = _run_in_thread(api)
    try:
        assert rendering.started.wait(30)
        r = api.results(aid)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "success" and body["percentage"] == 100
        assert body["media_status"] == "pending"
        assert body["output_video"] is None and body["thumbnail"] is None
        assert body["urls_expire_at"] is None and "media_reason" not in body
        assert isinstance(body["biomechanical_analysis"]["total_score"], float)
        # every result level is readable while the video renders
        assert api.results(aid, "calculated_data").status_code == 200
        assert api.results(aid, "raw_data").status_code == 200
    finally:
        rendering.release.set()
        worker.join(60)
    assert outcome == ["done"]
    body = api.results(aid).json()
    assert body["status"] == "success" and body["media_status"] == "ready"
    assert "media_reason" not in body and body["urls_expire_at"] is not None
    video = api.http.get(body["output_video"].replace(str(api.http.base_url), ""))
    assert video.status_code == 200 and video.content == videos["mp4"].read_bytes()
    thumb = api.http.get(body["thumbnail"].replace(str(api.http.base_url), ""))
    assert thumb.status_code == 200 and thumb.content == b"\xff\xd8thumb"
    # the render got the analysis' own track and results
    (frames, analysis), = rendering.seen
    assert frames > 0 and analysis == api.running.load(aid).result


def test_shutdown_while_rendering_keeps_the_results_and_the_restart_renders_only(
        api: Api, rendering: RenderingPipeline, videos: dict[str, Path]) -> None:
    aid = _start(api, videos["mp4"])
    worker, outcome = _run_in_thread(api)
    assert rendering.started.wait(30)
    api.services.runner.interrupt.set()  # what stop_workers() does on shutdown
    rendering.release.set()
    worker.join(60)
    assert outcome == ["queued"]  # released, not failed
    body = api.results(aid).json()
    assert body["status"] == "success" and body["media_status"] == "pending"

    api.services.runner.interrupt.clear()  # the next server start
    _run_all(api)
    body = api.results(aid).json()
    assert body["media_status"] == "ready" and body["output_video"] is not None
    assert api.pipeline.calls == 1 and rendering.renders == 2  # the analysis ran once
    # the render after the restart used the stored track
    assert rendering.seen[0][0] == rendering.seen[1][0]
    assert api.balance() == 9


def test_a_render_that_fails_leaves_the_results_and_says_why(
        api: Api, rendering: RenderingPipeline, videos: dict[str, Path]) -> None:
    rendering.reason = "running_api.media.render_failed"
    rendering.release.set()
    aid = _start(api, videos["mp4"])
    _run_all(api)
    body = api.results(aid, language="de").json()
    assert body["status"] == "success" and body["media_status"] == "failed"
    assert body["output_video"] is None and body["thumbnail"] is None
    assert body["media_reason"] == translate("running_api.media.render_failed", "de")


def test_a_render_that_crashes_on_every_attempt_ends_failed_not_pending(
        api: Api, rendering: RenderingPipeline, videos: dict[str, Path]) -> None:
    rendering.error = RuntimeError("renderer bug")
    rendering.release.set()
    aid = _start(api, videos["mp4"])
    _run_all(api)
    body = api.results(aid).json()
    assert body["status"] == "success" and body["media_status"] == "failed"
    assert body["media_reason"] == translate("running_api.media.render_failed", "en")
    assert api.pipeline.calls == 1 and rendering.renders == 3  # the job's retries
    assert api.balance() == 9  # the analysis succeeded: no refund


def test_a_pipeline_without_render_media_has_no_media_pending(
        api: Api, videos: dict[str, Path]) -> None:
    """A pipeline that can neither render later nor returned media: failed at once, with the
    renderer-unavailable reason (never pending forever)."""
    inner = api.pipeline
    assert inner is not None

    def bare(video, params, *, workdir, progress):  # noqa: ANN001, ANN202
        out = inner(video, params, workdir=workdir, progress=progress)
        return RunningOutcome(track=out.track, analysis=out.analysis)

    api.running.pipeline = bare
    aid = _start(api, videos["mp4"])
    _run_all(api)
    body = api.results(aid).json()
    assert body["status"] == "success" and body["media_status"] == "failed"
    assert body["media_reason"] == translate("running_api.media.renderer_unavailable", "en")
