"""One self-contained offline HTML report: summary, video, charts (inline SVG), rep table.

No CDN, no scripts, no external fonts: the file opens the same with the network unplugged. The
annotated video is embedded by reference (``video_uri``, e.g. a relative path next to the
report or a signed URL) rather than inlined, so the report stays small.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from repstride.analysis.results import ActivityResult, Rep
from repstride.analysis.track import PoseTrack
from repstride.errors import RenderFailed
from repstride.render import svg
from repstride.render.angles import analysis_view, main_joint_angle
from repstride.render.events import (
    GaitEvent,
    events_from_strides,
    parse_events,
    stance_intervals,
    steps,
)
from repstride.render.labels import format_number, metric_lines, pretty_name, type_label

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       margin: 0; background: #fafafa; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.sub { color: #666; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 10px 14px;
        min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card span { color: #666; font-size: 13px; }
.chart { width: 100%; height: auto; background: #fff; border: 1px solid #e5e5e5;
         border-radius: 8px; }
video { width: 100%; max-height: 70vh; background: #000; border-radius: 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { border-bottom: 1px solid #eee; padding: 6px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; font-weight: 600; }
td.good { color: #1d7f3a; font-weight: 600; } td.bad { color: #c02828; font-weight: 600; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; color: #555; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px;
      vertical-align: -1px; }
.failed { background: #fdecec; border: 1px solid #f3b5b5; padding: 10px 14px; border-radius: 8px; }
footer { color: #888; font-size: 12px; margin-top: 32px; }
"""


def _rep_color(rep: Rep) -> str:
    good = sum(1 for a in rep.analyses if a.opinion == "good")
    bad = sum(1 for a in rep.analyses if a.opinion == "bad")
    if good == bad == 0:
        return svg.NEUTRAL
    return svg.GOOD if good >= bad else svg.BAD


def _rep_label(i: int, rep: Rep, noun: str) -> str:
    parts = [f"{noun} {i + 1}: {rep.start_ms / 1000:.2f}-{rep.end_ms / 1000:.2f} s"]
    for a in rep.analyses:
        v = "n/a" if a.scalar is None else format_number(float(a.scalar))
        parts.append(f"{type_label(a.type)} {v}" + (f" ({a.opinion})" if a.opinion else ""))
    return "; ".join(parts)


def _rep_table(reps: Sequence[Rep], noun: str) -> str:
    types: list[str] = []
    for r in reps:
        for a in r.analyses:
            if a.type not in types:
                types.append(a.type)
    head = "".join(f"<th>{escape(type_label(t))}</th>" for t in types)
    rows = []
    for i, r in enumerate(reps):
        by_type = {a.type: a for a in r.analyses}
        cells = []
        for t in types:
            a = by_type.get(t)
            if a is None:
                cells.append("<td></td>")
                continue
            v = "n/a" if a.scalar is None else format_number(float(a.scalar))
            cls = f' class="{a.opinion}"' if a.opinion else ""
            title = f' title="{a.opinion}"' if a.opinion else ""
            cells.append(f"<td{cls}{title}>{escape(v)}</td>")
        rows.append(
            f"<tr><td>{noun} {i + 1}</td><td>{r.start_ms / 1000:.2f}</td><td>{r.mid_ms / 1000:.2f}"
            f"</td><td>{r.end_ms / 1000:.2f}</td><td>{(r.end_ms - r.start_ms) / 1000:.2f}</td>"
            + "".join(cells) + "</tr>")
    return (f'<table class="reps"><thead><tr><th>{noun}</th><th>start (s)</th><th>mid (s)</th>'
            f"<th>end (s)</th><th>duration (s)</th>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _cards(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in items
    ) + "</div>"


def report_html(
    *,
    track: PoseTrack,
    analysis: ActivityResult | None,
    video_uri: str | None = None,
    title: str = "repstride report",
    events: Sequence[GaitEvent | Mapping[str, Any]] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    activity = analysis.activity if analysis else None
    sprint = activity == "sprint"
    noun = "Stride" if sprint else "Rep"
    reps = tuple(sorted(analysis.reps, key=lambda r: r.start_ms)) if analysis else ()
    evs = parse_events(events) if events else events_from_strides(analysis)
    ts = np.asarray(track.timestamps_s, float)
    duration = float(ts[-1] - ts[0]) if ts.size else 0.0
    running = bool(evs or metrics) and not reps
    parts: list[str] = [f"<h1>{escape(title)}</h1>"]
    if activity:
        sub = [pretty_name(activity)]
    else:
        sub = ["Running" if running else "activity not recognised"]
    if analysis and analysis.domain:
        sub.append(pretty_name(analysis.domain))
    sub.append(f"{duration:.1f} s, {track.fps:.3g} fps, {track.width}x{track.height}")
    parts.append(f'<p class="sub">{escape(" · ".join(sub))}</p>')

    if analysis is not None and analysis.status != "Complete":
        parts.append(f'<p class="failed">Analysis failed: <b>{escape(analysis.reason or "unknown")}'
                     "</b></p>")
    detected = float(np.mean(track.detected)) if len(track) else 0.0
    if running:
        n_contacts = sum(1 for e in evs if e.kind == "TD")
        cards = [("ground contacts", str(n_contacts))]
    else:
        cards = [(f"{noun.lower()}s", str(len(reps)))]
    cards.append(("subject visible", f"{100 * detected:.0f}%"))
    if reps:
        n_good = sum(1 for r in reps if _rep_color(r) == svg.GOOD)
        n_bad = sum(1 for r in reps if _rep_color(r) == svg.BAD)
        cards += [("good", str(n_good)), ("needs work", str(n_bad))]
    parts.append(_cards(cards))

    if video_uri:
        parts.append("<h2>Annotated video</h2>"
                     f'<video controls preload="metadata" src="{escape(video_uri, quote=True)}">'
                     f'<a href="{escape(video_uri, quote=True)}">annotated video</a></video>')

    if metrics:
        parts.append("<h2>Running metrics</h2>" + _cards(
            [tuple(line.split(": ", 1)) for line in metric_lines(metrics, limit=40)]  # type: ignore[misc]
        ))

    series = main_joint_angle(track, activity, view=analysis_view(analysis))
    label = f"{series.joint.label} angle"
    bands = [svg.Band(r.start_ms / 1000, r.end_ms / 1000, r.mid_ms / 1000, _rep_color(r),
                      _rep_label(i, r, noun)) for i, r in enumerate(reps)]
    parts.append(f"<h2>{escape(label.capitalize())} over time</h2>")
    if not series.observable:
        parts.append(f'<p class="legend">The {escape(series.joint.label)} angle cannot be seen '
                     f"from a {escape(str(analysis_view(analysis)))} view: not charted, as in "
                     "the analysis.</p>")
    if bands:
        parts.append('<p class="legend"><span><i class="sw" style="background:#2fa84f"></i>good '
                     f"{noun.lower()}</span><span><i class=\"sw\" style=\"background:#d83a3a\">"
                     "</i>needs work</span><span><i class=\"sw\" style=\"background:#7a7a7a\">"
                     "</i>no opinion</span></p>")
    parts.append(svg.angle_chart(ts, series.degrees, bands, title=f"{label} (degrees) over time",
                                 ylabel=f"{series.joint.label} angle (deg)"))

    if evs:
        stances = stance_intervals(evs)
        t_lo = float(ts[0]) if ts.size else 0.0
        t_hi = max(float(ts[-1]) if ts.size else 0.0, max(e.time_s for e in evs))
        parts.append("<h2>Gait events</h2>")
        parts.append(svg.gait_timeline(stances, [(e.time_s, e.kind, e.side) for e in evs], t_lo,
                                       t_hi, title="ground contacts and toe-offs per foot"))
        st = steps(evs)
        if st:
            parts.append("<h2>Contact and flight time per step</h2>"
                         '<p class="legend"><span><i class="sw" style="background:#2898ff"></i>'
                         'left contact</span><span><i class="sw" style="background:#ff8020"></i>'
                         'right contact</span><span><i class="sw" style="background:#bbb"></i>'
                         "flight (hatched)</span></p>")
            parts.append(svg.step_bars([(s.side, s.contact_ms, s.flight_ms) for s in st],
                                       title="contact and flight time per step (ms)"))

    if reps:
        parts.append(f"<h2>{noun}s</h2>" + _rep_table(reps, noun))

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<footer>Generated by repstride on {stamp}. The chart, the video's gauge and the "
                 "table show the same joint-angle signal (world coordinates, both sides weighted "
                 "by visibility); n/a means the video could not support the number.</footer>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
            + "".join(parts) + "</main></body></html>")


def write_report(
    path: str | Path,
    *,
    track: PoseTrack,
    analysis: ActivityResult | None,
    video_uri: str | None = None,
    title: str = "repstride report",
    events: Sequence[GaitEvent | Mapping[str, Any]] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> Path:
    """Write the report to ``path`` (UTF-8) and return it.

    ``events`` are gait events as plain dicts (see :mod:`repstride.render.events`); for a sprint
    analysis they are derived from the strides when omitted. ``metrics`` is a plain
    ``{name: value}`` dict of running metrics.
    """
    html = report_html(track=track, analysis=analysis, video_uri=video_uri, title=title,
                       events=events, metrics=metrics)
    try:
        Path(path).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise RenderFailed(f"Could not write the report: {exc}") from exc
    return Path(path)
