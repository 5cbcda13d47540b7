"""docs/analyses.md documents every analysis type and every activity the specs use."""

from pathlib import Path

from repstride.analysis.exercise import SPECS

DOC = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"


def test_every_analysis_type_and_activity_is_documented():
    text = DOC.read_text()
    types = {a.type for spec in SPECS.values() for a in spec.analyses}
    missing = sorted(t for t in types if f"`{t}`" not in text)
    assert not missing, missing
    assert not [a for a in SPECS if f"`{a}`" not in text and f"**{a}**" not in text]
