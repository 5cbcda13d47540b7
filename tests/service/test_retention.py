"""Retention (``service.retention``): a fake ``now`` frees exactly the expired blobs of both APIs
and nothing else; what was freed reads as expired over HTTP (never a 500); dry runs delete
nothing; running and queued work is never touched; overlapping sweeps do not double-delete."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from svc_helpers import FastPipeline, make_video

from repstride.service import Settings, build_services
from repstride.service.retention import (
    DAY_S, SWEEP_JOB_ID, RetentionScheduler, schedule_sweep, sweep,
)
from repstride.service.running.jobs import RealRunningPipeline, RunningOutcome
from repstride.service.running.service import attach_running
from repstride.service.running.settings import RunningSettings
from repstride.service.settings import RetentionSettings
from repstride.service.videos.service import VideoCreate
from repstride.wire import to_json
from repstride.wire.videos import J2POut, ObjectsOut, VideoOut

T0 = 1_800_000_000.0


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class MediaPipeline:
    """The Running Analysis job's work: a synthetic runner, the real analysis, and two small
    files standing for the annotated video and its thumbnail."""

    def __call__(self, video: Path, params, *, workdir: Path, progress) -> RunningOutcome:  # noqa: ANN001
        from repstride.testing.running import synthesize_run

        run = synthesize_run(view="side", fps=60.0, duration_s=3.0, seed=7)
        result = RealRunningPipeline.analyze(run.track, params)
        (workdir / "t.jpg").write_bytes(b"jpeg" * 100)
        (workdir / "a.mp4").write_bytes(b"mp4-" * 1000)
        return RunningOutcome(track=run.track, analysis=to_json(result),
                              thumbnail=workdir / "t.jpg", output_video=workdir / "a.mp4")


@dataclass
class World:
    services: object
    clock: Clock
    http: object
    token: str
    api_key: str
    videos: dict[str, str]
    analyses: dict[str, str]

    def h(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def running(self, analysis_id: str, level: str = ""):  # noqa: ANN201
        path = f"/analysis/{analysis_id}/results" + (f"/{level}" if level else "")
        return self.http.get(path, params={"apiKey": self.api_key}, headers=self.h())

    def blobs(self) -> set[str]:
        return set(self.services.blobs.list_prefix("videos")) | set(
            self.services.blobs.list_prefix("running"))


def make_settings(tmp_path: Path, db_url: str, **retention: float) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, workers=0, job_lease_s=60,
                    secret_key="k" * 32, token_ttl_s=10**9,
                    retention=RetentionSettings(**retention))


def build_world(services, clock: Clock, clip: Path, t0: float = T0) -> World:  # noqa: ANN001
    """Videos / analyses uploaded at t0 (``old``) and t0 + 20 days (``new``), finished; one of
    each kind left unfinished at t0 (``busy``: a queued re-analysis, a pending analysis)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from repstride.api import create_app

    attach_running(services, pipeline=MediaPipeline(),
                   settings=RunningSettings(max_bytes=200_000, max_duration_s=10.0))
    http = TestClient(create_app(services, start_workers=False), raise_server_exceptions=False)
    c = services.clients.create("app", credits=10)
    token = services.clients.issue_token(c.id, c.secret).access_token
    w = World(services, clock, http, token, services.running.issue_api_key(c.id), {}, {})
    for name, t in (("old", t0), ("new", t0 + 20 * DAY_S), ("busy", t0)):
        clock.t = t
        video, _ = services.videos.create(c.id, VideoCreate(filename="c.mp4",
                                                           size=clip.stat().st_size),
                                          base_url="http://test")
        services.blobs.put_file(video.video_key, clip)
        assert services.runner.run_job(services.videos.upload_received(
            video.id, clip.stat().st_size)) == "done"
        w.videos[name] = video.id
        r = http.post("/analysis/start", params={"apiKey": w.api_key}, headers=w.h(),
                      data={"analysis_type": "side_view"},
                      files={"video": ("c.mp4", clip.read_bytes(), "video/mp4")})
        assert r.status_code == 202, r.text
        w.analyses[name] = r.json()["analysis_id"]
        if name != "busy":
            assert [services.runner.run_job(j) for j in services.jobs.ready_ids()] == ["done"]
    services.videos.update(c.id, w.videos["busy"], {"rep_count": 1})  # re-analysis queued
    assert len(services.jobs.ready_ids()) == 2
    return w


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_video(tmp_path_factory.mktemp("clips") / "c.mp4", 20)


@pytest.fixture
def world(tmp_path: Path, db_url: str, clip: Path) -> Iterator[World]:
    clock = Clock(T0)
    services = build_services(make_settings(tmp_path, db_url, uploads_days=30, overlays_days=30,
                                            tracks_days=45, results_days=0),
                              pipeline=FastPipeline(), clock=clock)
    w = build_world(services, clock, clip)
    yield w
    w.http.close()
    services.close()


def vkeys(w: World, name: str, *names: str) -> set[str]:
    return {f"videos/{w.videos[name]}/{n}" for n in names}


def rkeys(w: World, name: str, *names: str) -> set[str]:
    return {f"running/{w.analyses[name]}/{n}" for n in names}


def test_sweep_frees_exactly_the_expired_blobs_of_both_apis(world: World) -> None:
    w, s = world, world.services
    before = w.blobs()
    old_video = vkeys(w, "old", "source", "overlay_skeleton.mp4", "overlay_all.mp4",
                      "thumbnail.jpg")
    old_run = rkeys(w, "old", "source.mp4", "thumbnail.jpg", "annotated.mp4")
    assert old_video | old_run <= before

    now = T0 + 31 * DAY_S
    dry = sweep(s, now=now, dry_run=True)
    assert {i.key for i in dry.items} == old_video | old_run
    assert w.blobs() == before  # a dry run deletes nothing ...
    assert w.http.get(f"/videos/{w.videos['old']}/overlays",
                      headers=w.h()).json()["all"]["status"] == "Complete"  # ... nor marks
    sizes = s.blobs.list_prefix("videos") | s.blobs.list_prefix("running")
    assert dry.total_bytes == sum(sizes[k] for k in old_video | old_run)
    assert all("kept 30 days" in i.reason for i in dry.items)

    report = sweep(s, now=now)
    assert sorted((i.key, i.size) for i in report.items) == sorted((i.key, i.size)
                                                                   for i in dry.items)
    assert w.blobs() == before - old_video - old_run
    assert sweep(s, now=now).items == ()  # nothing twice

    # what was freed reads as expired, never a 500
    vid = w.videos["old"]
    body = w.http.get(f"/videos/{vid}", headers=w.h()).json()
    assert "uri" not in body and body["expired"] == ["uploads", "overlays"]
    assert {k: o["status"] for k, o in body["overlays"].items()} == {"skeleton": "Expired",
                                                                     "all": "Expired"}
    assert body["thumbnail"] == {"status": "Expired", "reason": "retention"}
    assert w.http.get(f"/videos/{vid}/j2p", headers=w.h()).json()["status"] == "Complete"
    res = w.running(w.analyses["old"]).json()
    assert (res["thumbnail"], res["output_video"]) == (None, None)
    assert "retention" in res["media_reason"]
    assert w.running(w.analyses["old"], "raw_data").status_code == 200
    fresh = w.running(w.analyses["new"]).json()
    assert fresh["thumbnail"] and fresh["output_video"]
    # the video and analysis that were still at work were not touched
    for key in vkeys(w, "busy", "source", "track.npz", "overlay_all.mp4") | rkeys(
            w, "busy", "source.mp4"):
        assert key in w.blobs()


def test_work_in_progress_is_never_touched(world: World) -> None:
    """A finished analysis whose job still runs (the overlays render after the analysis is
    written) or is queued again is left alone until the job ends."""
    w, s = world, world.services
    video_job = s.jobs.create("reanalyze_video", {"video_id": w.videos["old"], "rev": -1})
    assert s.jobs.acquire(video_job, "elsewhere:1:abc") is not None
    run_job = s.jobs.create("running_analysis", {"analysis_id": w.analyses["old"]})
    before = w.blobs()
    assert sweep(s, now=T0 + 31 * DAY_S).items == () and w.blobs() == before
    assert s.jobs.complete(video_job, "elsewhere:1:abc")
    assert s.runner.run_job(run_job) == "done"  # a duplicate delivery: a no-op
    assert {i.resource_id for i in sweep(s, now=T0 + 31 * DAY_S).items} == {
        w.videos["old"], w.analyses["old"]}


def test_expired_pose_data_reads_410_or_expired(world: World) -> None:
    w, s = world, world.services
    sweep(s, now=T0 + 31 * DAY_S)
    before = w.blobs()
    report = sweep(s, now=T0 + 46 * DAY_S)  # tracks: 45 days; "new" is 26 days old
    tracks = vkeys(w, "old", "track.npz", "j2p.json", "objects.json") | rkeys(
        w, "old", "track.npz")
    assert {i.key for i in report.items} == tracks
    assert w.blobs() == before - tracks
    vid = w.videos["old"]
    j2p = w.http.get(f"/videos/{vid}/j2p", headers=w.h()).json()
    assert (j2p["status"], j2p["reason"], j2p["jointToPoints"]) == ("Expired", "retention", {})
    assert w.http.get(f"/videos/{vid}/objects", headers=w.h()).json() == {
        "status": "Expired", "reason": "retention", "objects": []}
    full = w.http.get(f"/videos/{vid}", params={"include": "j2p,objects,analysis"},
                      headers=w.h())
    assert full.status_code == 200 and full.json()["analysis"]["status"] == "Complete"
    # the declared response models (OpenAPI) describe what expired reads as
    VideoOut.model_validate(full.json(), strict=True)
    J2POut.model_validate(j2p, strict=True)
    ObjectsOut.model_validate(w.http.get(f"/videos/{vid}/objects", headers=w.h()).json())
    for r in (w.http.put(f"/videos/{vid}", json={"repCount": 3}, headers=w.h()),
              w.http.get(f"/videos/{vid}/export", headers=w.h()),
              w.running(w.analyses["old"], "raw_data"),
              w.http.get(f"/analysis/{w.analyses['old']}/results/export",
                         params={"apiKey": w.api_key}, headers=w.h())):
        assert (r.status_code, r.json()["code"]) == (410, "expired"), r.text
    assert w.running(w.analyses["old"], "calculated_data").status_code == 200


def test_results_retention_deletes_the_records(world: World) -> None:
    w, s = world, world.services
    s.settings = s.settings.model_copy(update={"retention": RetentionSettings(
        uploads_days=0, overlays_days=0, tracks_days=0, results_days=60)})
    before = w.blobs()
    report = sweep(s, now=T0 + 61 * DAY_S)
    gone = {k for k in before if w.videos["old"] in k or w.analyses["old"] in k}
    assert report.records == 2 and {i.key for i in report.items} == gone
    assert w.blobs() == before - gone
    assert w.http.get(f"/videos/{w.videos['old']}", headers=w.h()).status_code == 404
    assert w.running(w.analyses["old"]).status_code == 404
    assert w.http.get(f"/videos/{w.videos['new']}", headers=w.h()).status_code == 200
    assert w.http.get(f"/videos/{w.videos['busy']}", headers=w.h()).status_code == 200


def test_a_re_analysis_after_the_source_expired_marks_the_overlays(world: World) -> None:
    w, s = world, world.services
    sweep(s, now=T0 + 31 * DAY_S)
    vid = w.videos["old"]
    assert w.http.put(f"/videos/{vid}", json={"repCount": 2}, headers=w.h()).status_code == 200
    for job_id in s.jobs.ready_ids():
        s.runner.run_job(job_id)
    body = w.http.get(f"/videos/{vid}", params={"include": "analysis"}, headers=w.h()).json()
    assert body["analysis"]["status"] == "Complete" and len(body["analysis"]["reps"]) == 2
    assert body["overlays"]["all"]["status"] == "Expired"
    # a sprint needs the video itself
    r = w.http.put(f"/videos/{vid}", json={"activity": "sprint"}, headers=w.h())
    assert (r.status_code, r.json()["code"]) == (410, "expired")


class Interleaved:
    """A blob store that runs ``between()`` once, right after its first listing: another
    sweep runs to its end between this sweep's look at a video and its claim of it."""

    def __init__(self, inner, between) -> None:  # noqa: ANN001
        self.inner, self.between, self.done = inner, between, False

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)

    def list_prefix(self, prefix: str) -> dict[str, int]:
        out = self.inner.list_prefix(prefix)
        if not self.done:
            self.done = True
            self.between()
        return out


def test_overlapping_sweeps_free_each_blob_once(tmp_path: Path, db_url: str, clip: Path) -> None:
    """Two Services on one database and blob directory (two worker processes) sweep at once:
    interleaved at the worst point, then freely in two threads."""
    clock = Clock(T0)
    settings = make_settings(tmp_path, db_url, uploads_days=30, overlays_days=30,
                             tracks_days=40, results_days=0)
    a = build_services(settings, pipeline=FastPipeline(), clock=clock)
    b = build_services(settings, pipeline=FastPipeline(), clock=clock, migrate=False)
    w = build_world(a, clock, clip)
    try:
        now = T0 + 31 * DAY_S
        expected = {i.key for i in sweep(a, now=now, dry_run=True).items}
        reports = {}
        b.blobs = Interleaved(b.blobs, lambda: reports.setdefault("a", sweep(a, now=now)))
        reports["b"] = sweep(b, now=now)
        keys = [i.key for r in reports.values() for i in r.items]
        assert sorted(keys) == sorted(expected)  # every one freed, none by both
        assert not expected & w.blobs()

        now = T0 + 41 * DAY_S  # the old pose data, swept by both threads at once
        expected = {i.key for i in sweep(a, now=now, dry_run=True).items}
        assert expected == vkeys(w, "old", "track.npz", "j2p.json", "objects.json") | rkeys(
            w, "old", "track.npz")
        barrier = threading.Barrier(2)

        def run(name: str, services) -> None:  # noqa: ANN001
            barrier.wait()
            reports[name] = sweep(services, now=now)

        threads = [threading.Thread(target=run, args=(n, s)) for n, s in (("a", a), ("b", b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        keys = [i.key for n in "ab" for i in reports[n].items]
        assert sorted(keys) == sorted(expected) and not expected & w.blobs()
    finally:
        w.http.close()
        b.close()
        a.close()


def test_the_sweep_job_is_scheduled_once_across_processes(tmp_path: Path, db_url: str) -> None:
    clock = Clock(T0)
    settings = make_settings(tmp_path, db_url, uploads_days=30)
    a = build_services(settings, pipeline=FastPipeline(), clock=clock)
    b = build_services(settings, pipeline=FastPipeline(), clock=clock, migrate=False)
    try:
        submitted: list[str] = []
        scheds = [RetentionScheduler(s.jobs, submitted.append, interval_s=3600, clock=clock)
                  for s in (a, b)]
        assert [s.tick() for s in scheds] == [True, False] and submitted == [SWEEP_JOB_ID]
        assert b.runner.run_job(SWEEP_JOB_ID) == "done"
        assert a.runner.run_job(SWEEP_JOB_ID) is None  # done: not run again
        clock.t += 1800
        assert not any(s.tick() for s in scheds)  # not due yet
        clock.t += 1800
        assert [s.tick() for s in scheds] == [True, False]
        assert schedule_sweep(a.jobs, interval_s=3600, now=clock.t) is False  # queued already
        assert a.runner.run_job(SWEEP_JOB_ID) == "done"
    finally:
        b.close()
        a.close()
