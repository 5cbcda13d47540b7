"""The real pipeline (pose model, analysis, renderer) behind the Running API on inputs that are
not a clean single runner: a clip with nobody in it, and a real multi-person clip of a walker.
They need no development data (the walker comes from the sports2d wheel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from running_helpers import Api, fresh_database, make_api

from repstride.i18n import translate
from repstride.service.running.settings import RunningSettings

pytestmark = pytest.mark.slow


@pytest.fixture
def real_api(tmp_path: Path) -> Iterator[Api]:
    with fresh_database("sqlite", tmp_path) as url:
        a = make_api(url, tmp_path, None, limits=RunningSettings())
        yield a
        a.http.close()
        a.services.close()


def test_nobody_in_the_video_fails_with_a_stable_code(real_api: Api,
                                                      videos: dict[str, Path]) -> None:
    api = real_api
    aid = api.start(videos["mp4"], language="pt").json()["analysis_id"]  # moving shapes only
    assert api.run_jobs() == ["failed"]
    r = api.results(aid)
    body = r.json()
    assert r.status_code == 400 and body["status"] == "failed"
    assert body["code"] == "LOW_QUALITY_POSE_ESTIMATE"
    assert body["reason"] == translate("running_api.failed.LOW_QUALITY_POSE_ESTIMATE", "pt")
    assert body["credit_refunded"] is False and api.balance() == 9
    assert api.results(aid, "calculated_data").status_code == 400


def test_a_real_walker_among_other_people(real_api: Api, demo_video: Path) -> None:
    """Sports2D's demo: a man walks across the frame while others move about. The side view is
    measured on him, reports his real-time numbers (a walk, not slow motion) and says it is a
    walk."""
    api = real_api
    aid = api.start(demo_video, height="178").json()["analysis_id"]
    assert api.run_jobs() == ["done"]
    body = api.results(aid).json()
    assert body["status"] == "success"
    calc = api.results(aid, "calculated_data").json()
    m = calc["metrics"]
    assert "no_flight_phase" in calc["flags"] and "slow_motion_suspected" not in calc["flags"]
    assert 85 < m["cadence"]["value"] < 115
    assert m["flight_time"]["value"] < 0  # both feet down at once
    assert m["speed"]["value"] is not None and m["speed"]["source"] == "displacement"
    raw = api.results(aid, "raw_data").json()
    assert raw["video_input_information"]["resolution"] == {"width": 1768, "height": 994}
    assert api.balance() == 9
