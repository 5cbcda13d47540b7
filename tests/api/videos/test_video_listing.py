"""``GET /videos`` (repstride extension): keyset cursor paging over several pages, filters,
the activity in each item, tenant isolation, and stable errors for bad parameters."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest


def _h(token: str) -> dict[str, str]:
    return {"Authorization": token}


def _make(api, token: str, clock, specs: list[tuple[str, float]]) -> list[str]:  # noqa: ANN001
    """Videos of ``(activity, seconds after the previous one)``; returns ids oldest first."""
    ids = []
    for activity, gap in specs:
        clock.advance(gap)
        r = api.post("/videos", headers=_h(token),
                     json={"filename": f"{activity}.mp4", "size": 100, "activity": activity})
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    return ids


def _pages(api, token: str, **params) -> list[list[dict]]:  # noqa: ANN001
    pages, cursor = [], None
    while True:
        r = api.get("/videos", headers=_h(token),
                    params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        pages.append(r.json())
        cursor = r.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in r.headers
            return pages
        link = r.headers["Link"]
        assert link.endswith('>; rel="next"') and link.startswith("<http://testserver/videos?")
        query = parse_qs(urlsplit(link[1:link.index(">")]).query)
        assert query["cursor"] == [cursor]
        assert {k: v[0] for k, v in query.items() if k != "cursor"} == \
            {k: str(v) for k, v in params.items()}  # the filters ride along


def test_cursor_pages_cover_everything_once_newest_first(api, token, clock) -> None:  # noqa: ANN001
    # three created in the same instant: ties are ordered by id, never lost or repeated
    ids = _make(api, token, clock, [("squat", 1), ("push_up", 0), ("push_up", 0),
                                    ("squat", 1), ("lunge", 1), ("squat", 1), ("push_up", 1)])
    everything = api.get("/videos", headers=_h(token)).json()  # default page: all of them
    assert len(everything) == 7 and set(ids) == {v["id"] for v in everything}
    pages = _pages(api, token, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [v["id"] for p in pages for v in p] == [v["id"] for v in everything]
    assert [v["id"] for v in everything][:4] == ids[:2:-1]  # newest first
    keys = [(v["createdAt"], v["id"]) for v in everything]
    assert keys == sorted(keys, reverse=True)
    item = everything[0]
    assert (item["activity"], item["domain"], item["status"], item["analysisStatus"],
            item["notifyViaWebhook"]) == ("push_up", "calisthenics", "Pending", "Pending", False)


def test_filters_with_paging(api, token, clock) -> None:  # noqa: ANN001
    ids = _make(api, token, clock, [("squat", 10), ("push_up", 10), ("squat", 10),
                                    ("squat", 10), ("push_up", 10), ("squat", 10)])
    squats = [i for i, a in zip(ids, ["squat", "push_up", "squat", "squat", "push_up", "squat"])
              if a == "squat"]
    pages = _pages(api, token, activity="squat", limit=3)
    assert [len(p) for p in pages] == [3, 1]
    assert [v["id"] for p in pages for v in p] == squats[::-1]
    assert {v["activity"] for p in pages for v in p} == {"squat"}
    # created range: exclusive bounds, UNIX seconds or ISO 8601
    t = {v["id"]: v["createdAt"] for v in api.get("/videos", headers=_h(token)).json()}
    after, before = t[ids[1]], t[ids[4]]
    iso = datetime.fromtimestamp(after, timezone.utc).isoformat().replace("+00:00", "Z")
    for lower in (str(after), iso):
        got = [v["id"] for p in _pages(api, token, created_after=lower, created_before=before,
                                       limit=1) for v in p]
        assert got == [ids[3], ids[2]]
    got = [v["id"] for p in _pages(api, token, activity="push_up", created_before=before)
           for v in p]
    assert got == [ids[1]]
    assert _pages(api, token, status="Failed") == [[]]
    assert len(_pages(api, token, status="Pending", analysisStatus="Pending", limit=500)[0]) == 6


def test_two_tenants_never_see_each_other(api, token, other_token, clock) -> None:  # noqa: ANN001
    mine = _make(api, token, clock, [("squat", 1)] * 4)
    theirs = _make(api, other_token, clock, [("lunge", 1)] * 3)
    assert {v["id"] for p in _pages(api, token, limit=2) for v in p} == set(mine)
    assert {v["id"] for p in _pages(api, other_token, limit=2) for v in p} == set(theirs)
    # a cursor only positions the listing: the other tenant's cursor shows the caller's own
    cursor = api.get("/videos", headers=_h(token), params={"limit": 1}).headers["X-Next-Cursor"]
    r = api.get("/videos", headers=_h(other_token), params={"cursor": cursor})
    assert {v["id"] for v in r.json()} <= set(theirs)
    assert api.get("/videos", headers=_h(other_token), params={"activity": "squat"}).json() == []


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, None), ({"limit": 501}, None), ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "WzEsMl0"}, "cursor"),  # base64 of [1,2]: not a (time, id) pair
    ({"status": "Complete"}, "status"), ({"analysisStatus": "Success"}, "analysisStatus"),
    ({"activity": "interpretive_dance"}, "activity"),
    ({"created_after": "yesterday"}, "created_after"), ({"created_before": "nan"}, "created_before"),
])
def test_bad_parameters_are_stable_errors(api, token, params, field) -> None:  # noqa: ANN001
    r = api.get("/videos", headers=_h(token), params=params)
    assert (r.status_code, r.json()["code"]) == (422, "validation_error"), r.text
    if field is not None:
        assert r.json()["details"]["field"] == field
