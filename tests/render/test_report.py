"""The offline HTML report: content, self-containment, and a real render in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from repstride.analysis.results import ActivityResult, Rep, RepAnalysis
from repstride.render.report import report_html, write_report
from repstride.render.svg import nice_ticks
from synthetic_media import figure_track, squat_result

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("REPSTRIDE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

EVENTS = [
    {"time_s": 0.10, "kind": "contact", "side": "left"},
    {"time_s": 0.30, "kind": "toe_off", "side": "left"},
    {"time_s": 0.45, "kind": "contact", "side": "right"},
    {"time_s": 0.66, "kind": "toe_off", "side": "right"},
    {"time_s": 0.80, "kind": "contact", "side": "left"},
    {"time_s": 1.01, "kind": "toe_off", "side": "left"},
    {"time_s": 1.15, "kind": "contact", "side": "right"},
]


def _squat_track():
    track = figure_track(60, width=640, height=360)
    # bend the left knee over time so the angle chart has a shape
    xy = track.xy.copy()
    xy[:, 25, 0] += 0.08 * np.sin(np.linspace(0, 4 * np.pi, 60)) ** 2
    return track.replace(xy=xy)


def _squat_report(**kw) -> str:
    return report_html(track=_squat_track(),
                       analysis=squat_result([(100, 400, 800), (900, 1200, 1600)]), **kw)


def test_report_has_the_angle_chart_with_reps_and_marks() -> None:
    html = _squat_report(title="Squat <session>")
    assert 'data-chart="angle"' in html
    assert html.count('class="rep-band"') == 2
    # rep 1 is "bad", rep 2 "good" (one analysis each with an opinion)
    marks = re.findall(r'class="rep-mark"[^>]*fill="(#[0-9a-f]+)"', html)
    assert marks == ["#d83a3a", "#2fa84f"]
    assert "Squat &lt;session&gt;" in html and "<session>" not in html
    assert html.count("<tr>") == 3  # header + two reps
    assert 'class="bad"' in html and 'class="good"' in html and ">n/a<" in html


def test_report_is_self_contained() -> None:
    html = _squat_report(video_uri="overlay_all.mp4")
    assert "<script" not in html
    urls = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert urls == {"overlay_all.mp4"}
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_running_report_has_gait_charts() -> None:
    html = report_html(track=figure_track(45, width=320, height=240), analysis=None,
                       events=EVENTS, metrics={"cadence_spm": 171.0, "speed_mps": None})
    assert 'data-chart="gait-timeline"' in html and 'data-chart="step-bars"' in html
    assert html.count('class="stance"') == 3
    assert html.count('class="bar-contact"') == 3  # the last contact has no toe-off: n/a
    assert html.count('class="bar-flight"') == 3
    assert "Cadence spm" in html and ">n/a<" in html
    assert "<b>4</b><span>ground contacts</span>" in html and "Running" in html
    assert "good rep" not in html and "activity not recognised" not in html


def test_sprint_strides_give_events_without_explicit_ones() -> None:
    reps = (Rep(100, 250, 400, (RepAnalysis("IS_LEFT_LEG", 1.0),)),
            Rep(450, 600, 750, (RepAnalysis("IS_LEFT_LEG", 0.0),)),
            Rep(800, 950, 1100, (RepAnalysis("IS_LEFT_LEG", 1.0),)))
    sprint = ActivityResult("Complete", "running", "sprint", reps)
    html = report_html(track=figure_track(40, width=320, height=240), analysis=sprint)
    assert 'data-chart="gait-timeline"' in html
    assert html.count('class="stance"') == 1  # left: contact 0.4 s .. toe-off 0.8 s


def test_failed_analysis_is_reported(tmp_path: Path) -> None:
    failed = ActivityResult("Failed", "weightlifting", "squat", reason="LOW_QUALITY_POSE_ESTIMATE")
    out = write_report(tmp_path / "r.html", track=figure_track(10, width=64, height=48),
                       analysis=failed)
    assert "LOW_QUALITY_POSE_ESTIMATE" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("lo", "hi", "first", "last"),
                         [(0.0, 10.0, 0.0, 10.0), (3.2, 97.0, 20.0, 80.0), (0.0, 0.7, 0.0, 0.6)])
def test_nice_ticks(lo, hi, first, last) -> None:
    ticks = nice_ticks(lo, hi, 6)
    assert ticks[0] == pytest.approx(first) and ticks[-1] == pytest.approx(last)
    assert 3 <= len(ticks) <= 12


def _need_chromium():
    if not Path(CHROMIUM).is_file():
        if IN_CI:
            pytest.fail(f"chromium not installed at {CHROMIUM} (make test installs it)")
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    return pytest.importorskip("playwright.sync_api")


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = _need_chromium()
    page_file = write_report(tmp_path / "report.html", track=_squat_track(),
                             analysis=squat_result([(100, 400, 800), (900, 1200, 1600)]),
                             events=EVENTS, metrics={"cadence_spm": 171.0},
                             title="repstride report test")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            page.goto(page_file.as_uri(), wait_until="load")
            charts = page.eval_on_selector_all("svg[data-chart]", "els => els.map(e => "
                                               "[e.dataset.chart, e.getBoundingClientRect().width,"
                                               " e.getBoundingClientRect().height])")
            assert page.title() == "repstride report test"
            assert page.locator("path.angle-line").count() == 1
            assert page.locator("table.reps tbody tr").count() == 2
            ARTIFACTS.mkdir(exist_ok=True)
            for attempt in range(3):  # headless Chromium under load may fail one capture
                try:
                    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
                    break
                except Exception as exc:  # playwright's Error: "Unable to capture screenshot"
                    if attempt == 2 or "capture" not in str(exc).lower():
                        raise
                    page.wait_for_timeout(500)
        finally:
            browser.close()
    assert errors == []
    assert {c[0] for c in charts} == {"angle", "gait-timeline", "step-bars"}
    assert all(w > 300 and h > 80 for _, w, h in charts)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_overlay_video_plays_in_chromium(landscape, tmp_path: Path) -> None:
    """The report embeds the overlay: a browser must decode it, at the input's duration."""
    from repstride.render import render_overlay

    sync_api = _need_chromium()
    video, track = landscape
    render_overlay(video, track, kind="all", out_path=tmp_path / "all.mp4",
                   analysis=squat_result([(100, 300, 500)]))
    page_file = write_report(tmp_path / "r.html", track=track, analysis=None, video_uri="all.mp4")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelector('video').readyState >= 2 || "
                                   "document.querySelector('video').error !== null",
                                   timeout=20_000)
            state = page.evaluate("(() => { const v = document.querySelector('video'); return "
                                  "[v.error && v.error.code, v.duration, v.videoWidth, "
                                  "v.videoHeight]; })()")
        finally:
            browser.close()
    assert state[0] is None
    assert state[1] == pytest.approx(1.5, abs=0.05)  # 45 frames at 30 fps
    assert state[2:] == [320, 240]
