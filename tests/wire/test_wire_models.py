"""The converters' JSON matches the response models the OpenAPI document declares (the golden
bodies of test_wire_golden, validated strictly), and the models refuse a body that does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from repstride.service.running.bodies import section_titles
from repstride.wire.running_models import CalculatedDataOut, RawFrameOut
from repstride.wire.videos import AnalysisOut, J2POut, ObjectsOut

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str) -> Any:
    return json.loads((GOLDEN / f"{name}.json").read_text())


def _valid(model: type[BaseModel], body: Any) -> None:
    model.model_validate(body, strict=True)


@pytest.mark.parametrize("name", ["video_analysis_squat", "video_analysis_push_up_recognised",
                                  "video_analysis_failed", "video_analysis_sprint",
                                  "video_analysis_sprint_markers"])
def test_video_analysis_bodies_match_the_model(name: str) -> None:
    _valid(AnalysisOut, _golden(name))


def test_j2p_and_objects_match_their_models() -> None:
    _valid(J2POut, {**_golden("video_j2p"), "analysis": _golden("video_analysis_squat")})
    _valid(ObjectsOut, {"status": "Complete", "objects": _golden("video_objects")})


@pytest.mark.parametrize("name,view", [("running_side_treadmill", "side_view"),
                                       ("running_side_overground_30fps", "side_view"),
                                       ("running_back_full_body", "back_view"),
                                       ("running_back_pronation_only", "back_view")])
def test_calculated_data_matches_the_model(name: str, view: str) -> None:
    envelope = {"analysis_id": "a", "id": "a", "status": "success", "analysis_type": view,
                "language": "en", "titles": section_titles(view, "en")}
    _valid(CalculatedDataOut, {**envelope, **_golden(name)})
    if view == "side_view":
        _valid(CalculatedDataOut, {**envelope, **_golden("running_translated")["side_fr"]})


def test_raw_frames_match_the_model() -> None:
    for frame in _golden("running_raw_frames").values():
        _valid(RawFrameOut, frame)


def test_the_models_refuse_what_the_seeds_do_not_allow() -> None:
    body = _golden("video_analysis_squat")
    with pytest.raises(ValidationError):
        _valid(AnalysisOut, {**body, "status": "Success"})  # a video status, not an analysis'
    rep = {**body["reps"][0], "startTimestampMs": "4033"}
    with pytest.raises(ValidationError):
        _valid(AnalysisOut, {**body, "reps": [rep]})
    with pytest.raises(ValidationError):
        _valid(AnalysisOut, {k: v for k, v in body.items() if k != "domain"})  # always present
