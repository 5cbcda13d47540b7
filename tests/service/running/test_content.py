"""analysis_content: Ochy-shaped blocks scored from the measured metrics, texts in nine languages."""

from __future__ import annotations

import copy

import pytest

from repstride.analysis.running.back_view import (
    KNEE_VALGUS_DEG, KNEE_VARUS_DEG, PELVIC_DROP_HIGH_DEG, PRONATION_OVER_DEG, PRONATION_UNDER_DEG,
    analyze_back_view,
)
from repstride.analysis.running.side_metrics import OVERSTRIDE_BAD_DEG, OVERSTRIDE_GOOD_DEG
from repstride.analysis.running.side_view import analyze_side_view
from repstride.i18n import LANGUAGES, catalog, translate
from repstride.service.running.content import (
    BACK_BLOCKS, SIDE_BLOCKS, Band, analysis_content,
)
from repstride.wire import to_json
from repstride.testing.running import synthesize_run

SIDE = ("arm", "back_cycle", "foot", "forward_cycle", "head", "trunk")
BACK = ("knee_adduction", "pelvic_drop", "pronation")


@pytest.fixture(scope="module")
def side_wire() -> dict:
    run = synthesize_run(view="side", fps=60.0, duration_s=4.0, seed=3)
    return to_json(analyze_side_view(run.track, treadmill=True, pace_s_per_km=300))


def _back_wire(**kw: float) -> dict:
    run = synthesize_run(view="back", fps=60.0, duration_s=4.0, seed=5, **kw)
    return to_json(analyze_back_view(run.track))


def _check_block(b: dict, lang: str) -> None:
    assert set(b) >= {"score_number", "range_good", "range_okay", "value", "unit", "metric",
                      "verdict", "texts"}
    t = b["texts"]
    assert set(t) >= {"title", "position", "recap", "exercice"}
    assert t["title"] == translate(_title_key(b), lang)
    if b["score_number"] is None:
        assert b["value"] is None and b["verdict"] is None and b["reason"] and b["reason_key"]
        assert t["position"] is None and t["recap"] == [] and t["exercice"] == []
        return
    assert 0.0 <= b["score_number"] <= 1.0
    assert t["position"] and t["recap"] and all(r.strip() for r in t["recap"])
    assert len(t["exercice"]) == len(t["exercice_keys"])
    assert all(e.strip() for e in t["exercice"])
    assert b["verdict"] == ("good" if b["score_number"] >= 1 else
                            "okay" if b["score_number"] >= 0.5 else "bad")


_TITLES = {translate(f"content.{n}.title", lang): n for n in SIDE + BACK for lang in LANGUAGES}


def _title_key(b: dict) -> str:
    return f"content.{_TITLES[b['texts']['title']]}.title"


def test_side_view_blocks_from_the_measured_metrics(side_wire: dict) -> None:
    c = analysis_content(side_wire, "side_view", "en")
    assert tuple(c) == SIDE
    for name in SIDE:
        _check_block(c[name], "en")
    ja = side_wire["joint_angles"]
    assert c["arm"]["value"] == ja["elbow"]["mid_stance"]
    assert c["back_cycle"]["value"] == -ja["hip"]["toe_off"]
    assert c["forward_cycle"]["value"] == ja["knee"]["range"]
    assert c["trunk"]["value"] == ja["trunk"]["mid_stance"] == pytest.approx(6.0, abs=0.5)
    assert c["head"]["value"] == ja["head"]["mid_stance"]
    # foot: the overstride angle, scored with the analysis' own edges -> the analysis' score.
    foot = c["foot"]
    assert foot["value"] == side_wire["overstride"]["angle"]
    assert foot["score_number"] == pytest.approx(side_wire["overstride"]["score"], abs=0.01)
    assert foot["range_good"] == [None, OVERSTRIDE_GOOD_DEG]
    assert foot["range_okay"] == [None, (OVERSTRIDE_GOOD_DEG + OVERSTRIDE_BAD_DEG) / 2]
    assert foot["range_bad"] == [(OVERSTRIDE_GOOD_DEG + OVERSTRIDE_BAD_DEG) / 2, None]
    assert foot["foot_strike_pattern"] == side_wire["foot_landing"]["dominant"] == "rearfoot"
    assert foot["texts"]["foot_strike"] == translate("foot_landing.rearfoot", "en")
    # The synthetic runner's trunk leans 6 deg and its elbow is bent ~85 deg: both good.
    assert c["trunk"]["score_number"] == 1.0 and c["trunk"]["texts"]["position"] == "Good forward lean"
    assert c["arm"]["verdict"] == "good" and c["arm"]["texts"]["exercice"] == []


def test_scores_follow_the_ranges(side_wire: dict) -> None:
    wire = copy.deepcopy(side_wire)

    def arm(elbow: float) -> dict:
        wire["joint_angles"]["elbow"]["mid_stance"] = elbow
        return analysis_content(wire, "side_view", "en")["arm"]

    assert arm(90.0)["score_number"] == 1.0
    okay = arm(55.0)  # halfway between the good edge 70 and the bad edge 40: 0.5
    assert okay["score_number"] == 0.5 and okay["verdict"] == "okay"
    assert okay["range_good"] == [70.0, 110.0] and okay["range_okay"] == [55.0, 125.0]
    assert "range_bad" not in okay  # two-sided: bad lies on both sides
    bad = arm(20.0)
    assert bad["score_number"] == 0.0 and bad["verdict"] == "bad"
    assert bad["texts"]["position"] == "Arm too straight"
    assert bad["texts"]["exercice_keys"] == ["arm_swing_drill", "band_row"]
    assert bad["texts"]["exercice"] == ["Arm swing drill", "Band rows"]
    high = arm(130.0)
    assert high["score_number"] == pytest.approx(1 - 20 / 30, abs=1e-3)
    assert high["texts"]["position"] == "Elbow too closed"


def test_a_metric_that_was_not_measured_gets_no_score(side_wire: dict) -> None:
    wire = copy.deepcopy(side_wire)
    wire["joint_angles"]["head"]["mid_stance"] = None
    wire["overstride"]["angle"] = None
    c = analysis_content(wire, "side_view", "fr")
    for name in ("head", "foot"):
        b = c[name]
        assert b["score_number"] is None and b["value"] is None
        assert b["reason_key"] == "reason.too_few_steps"
        assert b["reason"] == translate("reason.too_few_steps", "fr")
        assert b["texts"]["position"] is None and b["texts"]["recap"] == []
        assert b["range_good"]  # the ranges stay: they describe the scale, not the runner
    assert c["arm"]["score_number"] is not None


def test_back_view_blocks_per_leg() -> None:
    # Imposed valgus (knee inside the hip-ankle line) and a strong pelvic drop.
    wire = _back_wire(knee_varus_deg=-16.0, pelvic_drop_deg=9.0, eversion_deg=4.0)
    c = analysis_content(wire, "back_view", "en")
    assert tuple(c) == BACK
    for name in BACK:
        assert set(c[name]) == {"left", "right"}
        for leg in ("left", "right"):
            _check_block(c[name][leg], "en")
            means = wire["gait_cycle"]["stance_means"][leg]
            assert c[name][leg]["value"] == means[name]["value"]
    knee = c["knee_adduction"]["left"]
    assert knee["value"] < KNEE_VALGUS_DEG and knee["score_number"] < 1.0
    assert knee["texts"]["position"] == "Knee collapses inwards"
    assert "clamshell" in knee["texts"]["exercice_keys"]
    assert knee["range_good"] == [KNEE_VALGUS_DEG, KNEE_VARUS_DEG]
    drop = c["pelvic_drop"]["right"]
    assert drop["value"] > PELVIC_DROP_HIGH_DEG and drop["texts"]["position"] == "Pelvis drops"
    assert drop["range_good"] == [None, PELVIC_DROP_HIGH_DEG] and drop["range_bad"][1] is None
    pron = c["pronation"]["left"]
    assert pron["range_good"] == [PRONATION_UNDER_DEG, PRONATION_OVER_DEG]

    neutral = analysis_content(_back_wire(), "back_view", "en")
    assert neutral["knee_adduction"]["left"]["verdict"] == "good"
    assert neutral["pelvic_drop"]["left"]["texts"]["position"] == "Stable pelvis"


def test_back_view_measures_left_out_or_hidden_are_null() -> None:
    run = synthesize_run(view="back", fps=60.0, duration_s=4.0, seed=5)
    wire = to_json(analyze_back_view(run.track, full_body=False))
    c = analysis_content(wire, "back_view", "de")
    for leg in ("left", "right"):
        assert c["pronation"][leg]["score_number"] is not None
        for name in ("knee_adduction", "pelvic_drop"):
            b = c[name][leg]
            assert b["score_number"] is None and b["reason_key"] == "content.reason.not_requested"
            assert b["reason"] == translate("content.reason.not_requested", "de")
    # A runner facing the camera: the analysis nulls pronation with its reason; it is kept.
    hidden = copy.deepcopy(wire)
    hidden["gait_cycle"]["stance_means"]["left"]["pronation"].update(
        value=None, reason="reason.heel_hidden")
    b = analysis_content(hidden, "back_view", "en")["pronation"]["left"]
    assert b["score_number"] is None and b["reason_key"] == "reason.heel_hidden"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_text(side_wire: dict, lang: str) -> None:
    wire = copy.deepcopy(side_wire)
    wire["joint_angles"]["elbow"]["mid_stance"] = 20.0  # a fault: position, recap, exercises
    side = analysis_content(wire, "side_view", lang)
    back = analysis_content(_back_wire(knee_varus_deg=-16.0), "back_view", lang)
    blocks = [side[n] for n in SIDE] + [back[n][leg] for n in BACK for leg in ("left", "right")]
    cat = set(catalog(lang).values())
    for b in blocks:
        _check_block(b, lang)
        t = b["texts"]
        for text in [t["title"], t["position"], *t["recap"], *t["exercice"]]:
            assert text is None or text in cat
    if lang != "en":
        en = analysis_content(wire, "side_view", "en")["arm"]["texts"]
        assert side["arm"]["texts"]["recap"] != en["recap"]
        assert side["arm"]["texts"]["title"] != en["title"]


def test_band_edges() -> None:
    b = Band((None, 5.0), (None, 15.0))
    assert b.score(-30.0) == 1.0 and b.score(10.0) == 0.5 and b.score(20.0) == 0.0
    assert b.direction(6.0) == "high" and b.verdict(12.0) == "bad"
    assert b.ranges() == {"range_good": [None, 5.0], "range_okay": [None, 10.0],
                          "range_bad": [10.0, None]}
    with pytest.raises(AssertionError):
        Band((0.0, 10.0), (None, 20.0))  # open on one side only in the bad edges
    assert all(set(blk.exercises) <= {"low", "high"}
               for blk in (*SIDE_BLOCKS.values(), *BACK_BLOCKS.values()))


def test_unknown_analysis_type_or_no_result() -> None:
    assert analysis_content(None, "sprint", "en") == {}
    c = analysis_content(None, "side_view", "en")
    assert all(c[n]["score_number"] is None for n in SIDE)
