"""The dashboard in headless Chromium on the test pipelines (fast; the real clips are in
test_dashboard_real.py): sign-in (wrong secret, then right), both uploads with progress, results,
the list and its filters, downloads, sign-out, narrow screens, offline /docs and /redoc."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_helpers import (
    browser_page, chart_points, need_chromium, no_horizontal_scroll, shot, sign_in,
    upload_running, upload_video, wait_js, wait_video_ready,
)
from dash_helpers import make_video, make_world
from svc_helpers import ThreadServer


@pytest.fixture
def live(tmp_path: Path):  # noqa: ANN201
    need_chromium()
    world = make_world(tmp_path, workers=1)
    with ThreadServer(world.services) as server:
        yield world, server
    world.services.close()


def test_dashboard_flows_on_the_test_pipelines(live, tmp_path: Path) -> None:
    world, server = live
    url = server.url
    clip = make_video(tmp_path / "squats.mp4", 20, size=96)  # FastPipeline: one rep per 2 frames
    run_clip = make_video(tmp_path / "run.mp4", 30, size=96)
    with browser_page(url) as (page, watch, _context):
        # wrong secret: a clear message, still signed out
        page.goto(url + "/", wait_until="load")
        assert page.evaluate("document.activeElement.dataset.testid") == "client-id"
        page.get_by_test_id("client-id").fill(world.client_id)
        page.get_by_test_id("client-secret").fill("not-the-secret")
        watch.expect_error("401")
        page.get_by_test_id("sign-in").click()
        err = page.get_by_test_id("sign-in-error")
        err.wait_for(state="visible")
        assert err.inner_text() == "Wrong client id or secret. Check both and try again."
        assert page.evaluate("sessionStorage.length") == 0
        shot(page, "signin-wrong-secret")

        sign_in(page, url, world.client_id, world.client_secret)
        stored = page.evaluate("JSON.parse(sessionStorage.getItem('repstride.session'))")
        assert stored["clientId"] == world.client_id and stored["apiKey"].startswith("rk_") \
            or stored["apiKey"]
        # the cookie jar stays empty: the token lives in sessionStorage only
        assert _context.cookies() == []
        options = page.eval_on_selector_all("[data-testid=upload-activity] option",
                                            "els => els.map(e => e.value)")
        assert "bodyweight_squat" in options and "push_up" in options and options[0] == ""

        upload_video(page, clip, "bodyweight_squat")
        rep = page.get_by_test_id("rep-count")
        rep.wait_for(state="visible", timeout=60_000)
        assert rep.inner_text().startswith("10 reps")
        assert page.locator("[data-testid=rep-row]").count() == 10
        assert chart_points(page) == 20
        assert page.locator(".rep-band").count() == 10
        state = wait_video_ready(page)
        assert state[0] >= 2 and state[1] is None and state[2] == 96
        wait_js(page, "document.querySelector('[data-testid=thumbnail]').complete && "
                               "document.querySelector('[data-testid=thumbnail]').naturalWidth > 0")
        with page.expect_download() as dl:
            page.get_by_test_id("download-trc").click()
        trc = Path(dl.value.path()).read_text()
        assert trc.startswith("PathFileType\t4\t(X/Y/Z)\tsquats.trc") and dl.value.suggested_filename == "squats.trc"
        with page.expect_download() as dl:
            page.get_by_test_id("download-j2p").click()
        assert '"jointToPoints"' in Path(dl.value.path()).read_text()
        shot(page, "video-result-1280")

        page.goto(url + "/", wait_until="load")
        page.wait_for_selector("#app:not([hidden])")
        upload_running(page, run_clip, view="side_view", language="fr")
        metrics = page.get_by_test_id("running-metrics")
        metrics.wait_for(state="visible", timeout=60_000)
        text = metrics.inner_text()
        assert "Cadence" in text and "170" in text  # the synthetic runner's cadence, in French
        assert "Attaque" in text or "talon" in text.lower()
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert chart_points(page) > 100
        page.get_by_test_id("result-language").select_option("en")
        wait_js(page, "document.documentElement.lang === 'en'")
        wait_js(page, "document.querySelector('[data-testid=running-metrics]')"
                               ".innerText.includes('Ground contact time')")
        with page.expect_download() as dl:
            page.get_by_test_id("download-mot").click()
        assert Path(dl.value.path()).read_text().startswith("run\nversion=1\n")
        shot(page, "running-result-1280")

        page.goto(url + "/", wait_until="load")
        rows = page.get_by_test_id("video-row")
        rows.first.wait_for()
        assert rows.count() == 2
        assert [r.get_attribute("data-kind") for r in rows.all()] == ["running", "video"]
        assert "10" in rows.nth(1).inner_text()
        page.get_by_test_id("filter-kind").select_option("running")
        wait_js(page, "document.querySelectorAll('[data-testid=video-row]').length === 1")
        page.get_by_test_id("filter-kind").select_option("all")
        page.get_by_test_id("filter-q").fill("squats")
        wait_js(page, "document.querySelectorAll('[data-testid=video-row]').length === 1"
                               " && document.querySelector('[data-testid=video-row]')"
                               ".dataset.kind === 'video'")
        page.get_by_test_id("filter-q").fill("")
        wait_js(page, "document.querySelectorAll('[data-testid=video-row]').length === 2")
        shot(page, "list-1280")

        # 360 px: nothing wider than the screen
        page.set_viewport_size({"width": 360, "height": 800})
        assert no_horizontal_scroll(page)
        shot(page, "list-360")
        page.locator("[data-testid=video-row] a").nth(1).click()
        page.get_by_test_id("rep-count").wait_for(state="visible")
        chart_points(page)
        assert no_horizontal_scroll(page)
        shot(page, "video-result-360")

        # keyboard: the sign-out button is reachable and works with Enter
        page.goto(url + "/", wait_until="load")
        page.get_by_test_id("sign-out").focus()
        page.keyboard.press("Enter")
        page.get_by_test_id("client-id").wait_for(state="visible")
        assert page.evaluate("sessionStorage.length") == 0
        # the session's apiKey is revoked; the token itself expires on its own
        from repstride.errors import InvalidApiKey
        with pytest.raises(InvalidApiKey):
            world.running.check_api_key(world.client_id, stored["apiKey"])

        # offline API docs
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url + "/docs", wait_until="load")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() >= 15
        page.wait_for_selector(".swagger-ui .btn.authorize")
        shot(page, "docs-1280", full_page=False)
        page.goto(url + "/redoc", wait_until="load")
        page.wait_for_selector("[role=menuitem], .menu-content", timeout=30_000)
        wait_js(page, "document.body.innerText.includes('/analysis/start')")
        shot(page, "redoc-1280", full_page=False)

    assert watch.foreign == []
    assert watch.errors == []
    assert watch.expected_errors == []
    assert any(u.startswith(url + "/blobs/") for u in watch.requests)  # the signed media URLs
