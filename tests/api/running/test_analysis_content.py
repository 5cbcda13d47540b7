"""GET /analysis/{id}/results carries Ochy's analysis_content inside biomechanical_analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from running_helpers import Api

from repstride.i18n import translate


def _finished(api: Api, video: Path, **form: str) -> str:
    r = api.start(video, **form)
    assert r.status_code == 202, r.text
    for _ in range(10):
        if not api.run_jobs():
            break
    return r.json()["video_id"]


def test_side_view_results_carry_the_six_blocks(api: Api, videos: dict[str, Path]) -> None:
    aid = _finished(api, videos["mp4"], treadmill="true", pace="05:00", language="es")
    res = api.results(aid).json()
    assert res["status"] == "success"
    bio = res["biomechanical_analysis"]
    content = bio["analysis_content"]
    assert set(content) == {"arm", "back_cycle", "foot", "forward_cycle", "head", "trunk"}
    for name, block in content.items():
        assert {"score_number", "range_good", "range_okay", "texts"} <= set(block), name
        assert block["texts"]["title"] == translate(f"content.{name}.title", "es")
        assert isinstance(block["texts"]["recap"], list)
        assert isinstance(block["texts"]["exercice"], list)
    # Scored from the same analysis the calculated data shows.
    calc = api.results(aid, "calculated_data").json()
    assert content["arm"]["value"] == calc["joint_angles"]["elbow"]["mid_stance"]
    assert content["foot"]["score_number"] == pytest.approx(calc["overstride"]["score"], abs=0.01)
    assert "analysis_content" not in calc
    # ?language= renders the blocks in another language.
    de = api.results(aid, language="de").json()["biomechanical_analysis"]["analysis_content"]
    assert de["trunk"]["texts"]["title"] == "Rumpfneigung"


def test_back_view_results_carry_left_and_right(api: Api, videos: dict[str, Path]) -> None:
    aid = _finished(api, videos["mp4"], analysis_type="back_view", full_body="false",
                    language="ko")
    content = api.results(aid).json()["biomechanical_analysis"]["analysis_content"]
    assert set(content) == {"knee_adduction", "pelvic_drop", "pronation"}
    for leg in ("left", "right"):
        assert content["pronation"][leg]["score_number"] is not None
        knee = content["knee_adduction"][leg]
        assert knee["score_number"] is None and knee["reason_key"] == "content.reason.not_requested"
        assert knee["reason"] == translate("content.reason.not_requested", "ko")
        assert knee["texts"]["position"] is None


def test_no_content_before_success(api: Api, videos: dict[str, Path]) -> None:
    r = api.start(videos["mp4"])
    body = api.results(r.json()["video_id"]).json()
    assert body["status"] == "pending" and "biomechanical_analysis" not in body


def test_openapi_documents_the_blocks(api: Api) -> None:
    spec = api.http.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    block = schemas["ContentBlockOut"]["properties"]
    assert {"score_number", "range_good", "range_okay", "range_bad", "texts"} <= set(block)
    assert {"title", "position", "recap", "exercice"} <= set(schemas["ContentTextsOut"]["properties"])
    ok = spec["paths"]["/analysis/{id}/results"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/ResultsOut")
