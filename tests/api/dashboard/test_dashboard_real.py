"""The dashboard in headless Chromium on real dev clips and the production pose model: a coach
signs in, uploads a barbell-squat clip (2 reps) and a treadmill run, and reads the results."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_helpers import (
    browser_page, chart_points, need_chromium, no_horizontal_scroll, shot, sign_in,
    upload_running, upload_video, wait_js, wait_video_ready,
)
from dash_helpers import make_world
from svc_helpers import ThreadServer

pytestmark = [pytest.mark.slow, pytest.mark.devdata]

SQUAT = "calimiro-ai__WorkoutTracker/data/raw/squats/squat_13.mp4"  # 2 barbell squats, back view
RUN = "mhuang24__Running-Form/IMG_5396.mp4"  # treadmill, side view, 60 fps, 6.5 s


@pytest.fixture
def live(tmp_path: Path, dev_data: Path):  # noqa: ANN201
    need_chromium()
    world = make_world(tmp_path, workers=1, real=True)
    with ThreadServer(world.services) as server:
        yield world, server
    world.services.close()


def test_real_clips_in_the_dashboard(live, dev_data: Path) -> None:
    world, server = live
    url = server.url
    with browser_page(url) as (page, watch, _context):
        sign_in(page, url, world.client_id, world.client_secret)
        upload_video(page, dev_data / SQUAT, "squat", timeout_s=600)
        rep = page.get_by_test_id("rep-count")
        rep.wait_for(state="visible", timeout=120_000)
        assert rep.inner_text().startswith("2 reps")
        assert page.locator("[data-testid=rep-row]").count() == 2
        # every opinion of the analysis is shown, and no other: a back view withholds the
        # sagittal verdicts (null with not_observable_from_view), so count what the API gave
        from repstride.service.models import Video

        with world.services.db.session() as s:
            analysis = s.get(Video, page.url.rstrip("/").rsplit("/", 1)[-1]).analysis
        opinions = sum(1 for r in analysis["reps"] for a in r["analyses"]
                       if a.get("analysisOpinion"))
        assert page.locator("td.good, td.bad").count() == opinions
        assert "good ≤ 10" in page.locator("#reps-head").inner_text()  # a threshold
        assert chart_points(page) > 60  # 130 frames, the knee not seen in some
        state = wait_video_ready(page, timeout_s=120)
        assert state[0] >= 2 and state[1] is None and state[2] > 0, state
        assert state[3] == pytest.approx(5.42, abs=0.2)
        wait_js(page, "document.querySelector('[data-testid=thumbnail]').naturalWidth > 0")
        shot(page, "real-video-result-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        assert no_horizontal_scroll(page)
        shot(page, "real-video-result-360")
        page.set_viewport_size({"width": 1280, "height": 900})

        page.goto(url + "/", wait_until="load")
        page.wait_for_selector("#app:not([hidden])")
        upload_running(page, dev_data / RUN, view="side_view", language="en", height_cm="175",
                       treadmill_pace="05:00", timeout_s=900)
        metrics = page.get_by_test_id("running-metrics")
        metrics.wait_for(state="visible", timeout=120_000)
        text = metrics.inner_text()
        for word in ("Cadence", "Ground contact time", "Foot landing", "Joint angles"):
            assert word in text, text[:500]
        assert page.locator("#metrics-body table").count() >= 2
        assert chart_points(page) > 100
        state = wait_video_ready(page, timeout_s=120)
        assert state[0] >= 2 and state[1] is None and state[2] > 0, state
        shot(page, "real-running-result-1280")
        page.set_viewport_size({"width": 360, "height": 800})
        assert no_horizontal_scroll(page)
        shot(page, "real-running-result-360")

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url + "/", wait_until="load")
        page.get_by_test_id("video-row").first.wait_for()
        assert page.get_by_test_id("video-row").count() == 2
        shot(page, "real-list-1280")

    assert watch.foreign == []
    assert watch.errors == []
