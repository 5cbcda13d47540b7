"""What the job hands the renderer: translated metric labels and gait events."""

from __future__ import annotations

from repstride.service.running.jobs import render_events, render_metrics

WIRE = {
    "metrics": {
        "cadence": {"value": 170.0, "unit": "steps/min", "title_key": "metrics.cadence"},
        "speed": {"value": None, "unit": "m/s", "title_key": "metrics.speed",
                  "reason": "reason.pace_required"},
    },
    "total_score": 0.61,
    "gait_events": {"events": [
        {"type": "TD", "side": "right", "timestampMs": 120, "frame": 7, "confidence": 0.9},
        {"type": "TO", "side": "right", "timestampMs": 370, "frame": 22, "confidence": 0.8},
        {"type": "XX", "side": "left", "timestampMs": 400},
    ]},
}


def test_render_metrics_translated_ascii_and_null_free() -> None:
    assert render_metrics(WIRE, "pt") == {
        "Cadencia": {"value": 170.0, "unit": "steps/min"},  # Cadência folded for the font
        "Pontuacao geral": {"value": 0.61, "unit": ""},
    }
    de = render_metrics(WIRE, "de")
    assert "Schrittfrequenz" in de and "Gesamtbewertung" in de
    # zh/ja/ko cannot be drawn by the ASCII video font: English labels there.
    assert set(render_metrics(WIRE, "zh")) == {"Cadence", "Overall score"}
    assert all(label.isascii() for lang in ("fr", "es", "it") for label in render_metrics(WIRE, lang))


def test_render_events_map_td_to() -> None:
    assert render_events(WIRE) == [
        {"time_s": 0.12, "kind": "contact", "side": "right"},
        {"time_s": 0.37, "kind": "toe_off", "side": "right"},
    ]
    assert render_events({}) == []
