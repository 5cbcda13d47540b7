"""``POST /analysis/start`` parameters sent in the query string instead of the form."""

from __future__ import annotations

from pathlib import Path

from running_helpers import Api


def _post(api: Api, video: Path, query: dict[str, str], form: dict[str, str]):
    return api.http.post("/analysis/start", params={**api.q(), **query}, headers=api.auth(),
                         data=form, files={"video": (video.name, video.read_bytes(), "video/mp4")})


def test_query_string_fields_are_honoured(api: Api, videos: dict[str, Path]) -> None:
    r = _post(api, videos["mp4"], {"analysis_type": "back_view", "height": "190",
                                   "full_body": "false"}, {})
    assert r.status_code == 202, r.text
    assert api.run_jobs() == ["done"]
    p = api.pipeline.seen_params[-1]
    assert p.analysis_type == "back_view" and p.height_cm == 190.0 and p.full_body is False


def test_the_form_wins_over_the_query_string(api: Api, videos: dict[str, Path]) -> None:
    r = _post(api, videos["mp4"], {"analysis_type": "back_view", "height": "190"},
              {"analysis_type": "side_view", "weight": "80"})
    assert r.status_code == 202, r.text
    api.run_jobs()
    p = api.pipeline.seen_params[-1]
    assert p.analysis_type == "side_view"  # form
    assert p.height_cm == 190.0 and p.weight_kg == 80.0  # query, form


def test_a_bad_query_string_field_is_refused_naming_it(api: Api, videos: dict[str, Path]) -> None:
    r = _post(api, videos["mp4"], {"analysis_type": "front_view"}, {})
    assert r.status_code == 400
    assert r.json()["details"]["field"] == "analysis_type"
    r = _post(api, videos["mp4"], {"treadmill": "true"}, {})  # a treadmill needs its pace
    assert r.status_code == 400 and r.json()["details"]["field"] == "pace"
    assert api.job_ids() == [] and api.balance() == 10  # nothing ran, no credit spent
