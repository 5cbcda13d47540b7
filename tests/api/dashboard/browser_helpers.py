"""Headless Chromium (Playwright) against a live server: a page that records console errors and
every request, blocks (and records) any request to another host, and the dashboard steps."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM = os.environ.get("REPSTRIDE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def need_chromium():  # noqa: ANN201
    if not Path(CHROMIUM).is_file():
        if IN_CI:
            pytest.fail(f"chromium not installed at {CHROMIUM} (make test installs it)")
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    return pytest.importorskip("playwright.sync_api")


@dataclass
class Watch:
    """What the browser did: console errors, page errors, requests, foreign requests."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)

    def expect_error(self, fragment: str) -> None:
        """The next console error containing ``fragment`` is part of the test (e.g. a 401)."""
        self.expected_errors.append(fragment)

    def on_console(self, msg) -> None:  # noqa: ANN001
        if msg.type != "error":
            return
        for i, frag in enumerate(self.expected_errors):
            if frag in msg.text:
                del self.expected_errors[i]
                return
        self.errors.append(f"console: {msg.text}")


@contextlib.contextmanager
def browser_page(server_url: str, *, width: int = 1280, height: int = 900) -> Iterator[tuple]:
    """``(page, watch, context)``; requests off ``server_url``'s host:port are aborted."""
    sync_api = need_chromium()
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(server_url))
    watch = Watch(origin=origin)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height},
                                          accept_downloads=True)

            def route(r) -> None:  # noqa: ANN001
                url = r.request.url
                watch.requests.append(url)
                parts = urlsplit(url)
                if parts.scheme in ("data", "blob") or \
                        f"{parts.scheme}://{parts.netloc}" == origin:
                    r.continue_()
                else:
                    watch.foreign.append(url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", watch.on_console)
            page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
            yield page, watch, context
        finally:
            browser.close()


def wait_js(page, expression: str, *, timeout_s: float = 30) -> object:  # noqa: ANN001
    """Poll ``expression`` until truthy. (Playwright's ``wait_for_function`` evaluates strings
    with ``eval``, which the dashboard's Content-Security-Policy forbids; ``evaluate`` is not
    subject to it.)"""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def shot(page, name: str, *, full_page: bool = True) -> Path:  # noqa: ANN001
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(out), full_page=full_page)
    return out


def sign_in(page, url: str, client_id: str, secret: str) -> None:  # noqa: ANN001
    page.goto(url + "/", wait_until="load")
    page.get_by_test_id("client-id").fill(client_id)
    page.get_by_test_id("client-secret").fill(secret)
    page.get_by_test_id("sign-in").click()
    page.wait_for_selector("#app:not([hidden])", timeout=20_000)


def upload_video(page, clip: Path, activity: str | None, *, timeout_s: float = 120) -> None:  # noqa: ANN001
    page.get_by_test_id("upload-api-video").check()
    page.get_by_test_id("upload-file").set_input_files(str(clip))
    if activity:
        page.get_by_test_id("upload-activity").select_option(activity)
    page.get_by_test_id("upload-submit").click()
    page.wait_for_url("**/ui/videos/*", timeout=timeout_s * 1000)


def upload_running(page, clip: Path, *, view: str = "side_view", language: str = "en",  # noqa: ANN001
                   height_cm: str = "175", treadmill_pace: str | None = None,
                   timeout_s: float = 120) -> None:
    page.get_by_test_id("upload-api-running").check()
    page.get_by_test_id("upload-file").set_input_files(str(clip))
    page.get_by_test_id("upload-view").select_option(view)
    page.get_by_test_id("upload-language").select_option(language)
    page.locator("#upload-height").fill(height_cm)
    if treadmill_pace:
        page.locator("#upload-treadmill").check()
        page.locator("#upload-pace").fill(treadmill_pace)
    page.get_by_test_id("upload-submit").click()
    page.wait_for_url("**/ui/running/*", timeout=timeout_s * 1000)


def wait_video_ready(page, timeout_s: float = 60) -> list:  # noqa: ANN001
    """Wait until the annotated ``<video>`` has data (readyState >= 2) or failed."""
    wait_js(page,
            "(() => { const v = document.querySelector('[data-testid=annotated-video]');"
            " return v && v.getAttribute('src') && (v.readyState >= 2 || v.error !== null); })()",
            timeout_s=timeout_s)
    return page.evaluate(
        "(() => { const v = document.querySelector('[data-testid=annotated-video]');"
        " return [v.readyState, v.error && v.error.code, v.videoWidth, v.duration]; })()")


def chart_points(page) -> int:  # noqa: ANN001
    page.wait_for_selector("[data-testid=angle-chart][data-points]", timeout=30_000)
    d = page.get_attribute("[data-testid=angle-chart] path.series", "d") or ""
    assert d.startswith("M"), d[:80]
    return int(page.get_attribute("[data-testid=angle-chart]", "data-points") or 0)


def no_horizontal_scroll(page) -> bool:  # noqa: ANN001
    return bool(page.evaluate("document.documentElement.scrollWidth <= "
                              "document.documentElement.clientWidth + 1"))
