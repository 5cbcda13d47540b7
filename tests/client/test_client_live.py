"""The SDK and ``repstride remote`` against a real ``repstride serve`` (started on a free port by
the ``live_server`` fixture), on real footage: the Sports2D demo clip (fetched from PyPI, so these
run in CI too) and, when present, a development clip with a known rep count.

Tests marked ``slow`` run the pose model on the server; the others only exercise auth, errors and
bookkeeping and take well under a second each.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from client_fakes import LiveServer

from repstride.cli import _register, cli
from repstride.client import (
    AnalysisFailed, AsyncClient, AuthError, Client, FileTokenCache, InvalidInput, NotFound,
    PollPolicy, Progress,
)

POLL = PollPolicy(initial_s=0.5, factor=1.5, max_interval_s=2.0, timeout_s=600.0)


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


def _client(live: LiveServer, token_file: Path, **kw) -> Client:
    return Client(base_url=live.url, client_id=live.client_id, client_secret=live.client_secret,
                  api_key=live.api_key, token_cache=token_file, poll=POLL, **kw)


def _check_analysis_shape(wire: dict) -> None:
    assert wire["status"] == "Complete"
    assert wire["reps"], "no reps on real footage"
    for rep in wire["reps"]:
        assert rep["startTimestampMs"] <= rep["midTimestampMs"] <= rep["endTimestampMs"]
        assert all("analysisType" in a for a in rep["analyses"])


# --- fast: auth, errors, bookkeeping -----------------------------------------------------------


def test_live_token_is_cached_across_clients_and_styles(live_server: LiveServer,
                                                        token_file: Path) -> None:
    with _client(live_server, token_file) as c:
        with pytest.raises(NotFound):
            c.get_analysis("no-such-video")
        assert c.auth.token_requests == 1
    # a second client (and the async one) reuse the cached token; the server accepts it raw and
    # as a Bearer token
    with _client(live_server, token_file, auth_header_style="bearer") as c:
        with pytest.raises(NotFound):
            c.get_video("no-such-video")
        assert c.auth.token_requests == 0

    async def main() -> int:
        async with AsyncClient(base_url=live_server.url, client_id=live_server.client_id,
                               client_secret=live_server.client_secret,
                               token_cache=token_file) as ac:
            with pytest.raises(NotFound):
                await ac.get_j2p("no-such-video")
            return ac.auth.token_requests

    assert asyncio.run(main()) == 0
    assert json.loads(token_file.read_text())  # one persisted entry


def test_live_refresh_after_server_side_revocation(live_server: LiveServer, token_file: Path) -> None:
    cache = FileTokenCache(token_file)
    with _client(live_server, token_file) as c:
        with pytest.raises(NotFound):
            c.get_analysis("no-such-video")
        good = cache.load(c.auth.key)
        # the cached token is corrupted (as if revoked): the 401 triggers exactly one refresh
        cache.save(c.auth.key, type(good)("not-a-valid-token", obtained_at=good.obtained_at,
                                           expires_at=good.expires_at))
        c.auth._token = None
        with pytest.raises(NotFound):
            c.get_analysis("no-such-video")
        assert c.auth.token_requests == 2
        assert cache.load(c.auth.key).access_token not in ("not-a-valid-token", good.access_token)


def test_live_wrong_secret(live_server: LiveServer, tmp_path: Path) -> None:
    with Client(base_url=live_server.url, client_id=live_server.client_id, client_secret="wrong",
                token_cache=False) as c:
        with pytest.raises(AuthError) as info:
            c.get_analysis("anything")
    assert info.value.status == 401 and info.value.code == "invalid_client"


def test_live_bad_input(live_server: LiveServer, token_file: Path, tmp_path: Path) -> None:
    with _client(live_server, token_file) as c:
        with pytest.raises(InvalidInput) as info:
            c.create_video(filename="a.mp4", size=10, activity="interpretive_dance")
        assert info.value.status == 400 and info.value.code == "unknown_activity"
        with pytest.raises(InvalidInput):
            c.create_video(filename="a.mp4", size=10, domain="yoga", activity="squat")
        # a file that is not a video: uploaded fine, the analysis then fails with a reason
        junk = tmp_path / "notes.mp4"
        junk.write_bytes(b"this is not a video\n" * 100)
        with pytest.raises(AnalysisFailed) as failed:
            c.analyze(junk, timeout=120)
        assert failed.value.reason


def test_live_running_api_errors(live_server: LiveServer, token_file: Path, tmp_path: Path) -> None:
    if "/analysis/start" not in live_server.paths:
        pytest.skip("the server does not mount the Running Analysis API (/analysis/start) yet")
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    with _client(live_server, token_file) as c:
        with pytest.raises(InvalidInput) as info:
            c.start_running_analysis(text, view="side")
        assert info.value.code == "invalid_file_type" and info.value.status == 400
        with pytest.raises(NotFound):
            c.get_results("no-such-analysis")
        requests_so_far = c.auth.token_requests
    with Client(base_url=live_server.url, client_id=live_server.client_id,
                client_secret=live_server.client_secret, token_cache=token_file,
                api_key=None) as c:
        c.api_key = None  # an environment REPSTRIDE_API_KEY must not hide the missing key
        with pytest.raises(AuthError) as info:
            c.get_results("no-such-analysis")
        assert info.value.code == "missing_api_key" and info.value.status == 401
        assert c.auth.token_requests == 0  # no refresh for a 401 a new token cannot cure
    assert requests_so_far <= 1


# --- slow: the pose model on real footage -------------------------------------------------------


@pytest.mark.slow
def test_live_sync_end_to_end(live_server: LiveServer, token_file: Path, demo_video: Path,
                              tmp_path: Path) -> None:
    events: list[Progress] = []
    with _client(live_server, token_file) as c:
        analysis = c.analyze(demo_video, progress=events.append)
        wire = analysis.to_wire()
        _check_analysis_shape(wire)
        vid = analysis.video_id
        assert [e.stage for e in events][0] == "upload"
        assert events[-1].stage == "processing" and events[-1].status == "Complete"
        assert max(e.done for e in events if e.stage == "upload") == demo_video.stat().st_size

        video = c.get_video(vid, include=["analysis", "j2p", "objects"])
        assert video.status == "Success" and video.fps == pytest.approx(30, abs=0.5)
        assert video.analysis.to_wire() == wire
        assert set(video.overlays) >= {"skeleton", "all"}
        assert video.objects, "objects requested but not returned"

        j2p = c.get_j2p(vid)
        assert (j2p.resolution_width, j2p.resolution_height) == (1768, 994)
        knee = j2p.joint_to_points["leftKnee"]
        assert len(knee) > 100
        assert all(0 <= f.position.x <= 1 and 0 <= f.position.y <= 1 for f in knee if f.position)

        # the raw upload comes back byte for byte through the signed URL
        raw = tmp_path / "raw.mp4"
        raw.write_bytes(httpx.get(video.uri, timeout=60).content)
        assert raw.read_bytes() == demo_video.read_bytes()

        # changing the rep count recomputes the analysis from the stored pose track
        c.update_video(vid, rep_count=len(analysis.reps))
        again = c.wait_for_analysis(vid)
        assert again.is_complete and again.reps

        c.delete_video(vid)
        with pytest.raises(NotFound):
            c.get_video(vid)


@pytest.mark.slow
def test_live_async_end_to_end(live_server: LiveServer, token_file: Path, demo_video: Path) -> None:
    async def main() -> None:
        async with AsyncClient(base_url=live_server.url, client_id=live_server.client_id,
                               client_secret=live_server.client_secret, token_cache=token_file,
                               poll=POLL) as ac:
            pending = await ac.analyze(demo_video, wait=False)
            assert pending.is_pending
            # several coroutines wait on the same video with one shared token
            results = await asyncio.gather(*(ac.wait_for_analysis(pending.video_id)
                                             for _ in range(3)))
            assert ac.auth.token_requests == 1
            wires = [r.to_wire() for r in results]
            _check_analysis_shape(wires[0])
            assert wires[0] == wires[1] == wires[2]
            j2p, video = await asyncio.gather(ac.get_j2p(pending.video_id),
                                              ac.get_video(pending.video_id, include="analysis"))
            assert j2p.analysis.reps and video.analysis.is_complete
            await ac.delete_video(pending.video_id)

    asyncio.run(main())


@pytest.mark.slow
def test_live_overlay_download(live_server: LiveServer, token_file: Path, demo_video: Path,
                               tmp_path: Path) -> None:
    import repstride.api  # noqa: F401 - registers what the server process registers
    from repstride.service.videos.jobs import ARTIFACT_STEPS

    if not ARTIFACT_STEPS:
        pytest.skip("the server has no overlay renderers (service.worker.ARTIFACT_STEPS is "
                    "empty), so overlays stay Pending")
    with _client(live_server, token_file) as c:
        analysis = c.analyze(demo_video)
        events: list[Progress] = []
        dest = c.download_overlay(analysis.video_id, tmp_path / "all.mp4", timeout=300,
                                  progress=events.append)
        data = dest.read_bytes()
        assert len(data) > 10_000 and data[4:8] == b"ftyp"
        assert events[-1].stage == "download" and events[-1].done == len(data)


@pytest.mark.slow
def test_live_running_api(live_server: LiveServer, token_file: Path, demo_video: Path) -> None:
    if "/analysis/start" not in live_server.paths:
        pytest.skip("the server does not mount the Running Analysis API (/analysis/start) yet")
    with _client(live_server, token_file) as c:
        run_id = c.start_running_analysis(demo_video, view="side", height=175)
        results = c.wait_for_results(run_id)
        assert results.status == "success"
        calc = c.get_calculated_data(run_id)
        assert calc.to_wire()
        raw = c.get_raw_data(run_id)
        assert raw.video_input_information and raw.frames
        with pytest.raises(NotFound):
            c.get_results("no-such-analysis")


@pytest.mark.slow
@pytest.mark.devdata
def test_live_cli_counts_reps_on_a_dev_clip(live_server: LiveServer, dev_data: Path,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = dev_data / "dylan-plummer__speed-counting/data/videos/020_fitness.mp4"  # 5 lunges
    if not clip.is_file():
        pytest.skip(f"{clip} not present")
    for key, value in live_server.env(REPSTRIDE_TOKEN_CACHE=str(tmp_path / "t.json")).items():
        if key.startswith("REPSTRIDE_"):
            monkeypatch.setenv(key, value)
    _register()
    result = CliRunner().invoke(cli, ["remote", "analyze", str(clip), "--json", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    _check_analysis_shape(out["analysis"])
    assert abs(len(out["analysis"]["reps"]) - 5) <= 1
