"""``repstride analyze VIDEO [--activity A] [--rep-count N] [--json] [--out DIR]``.

Runs pose estimation and the exercise analysis on a local file (no server), with a progress bar
on stderr. Prints a table of reps and their analyses, or with ``--json`` exactly the Video API's
analysis object (``GET /videos/{id}/analysis``). ``--out DIR`` also writes ``analysis.json`` and
the joint data ``j2p.json`` there. ``--report FILE.html`` writes a self-contained offline HTML
report (charts + rep table) and the annotated ``all`` overlay video beside it
(``FILE.all.mp4``), which the report embeds by relative path. ``--export trc|mot|csv``
(repeatable) writes ``<video stem>.<format>`` into ``--out DIR`` (default: the current
directory).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from repstride.analysis.activities import ALL_ACTIVITIES
from repstride.cli.export_opts import export_options, write_exports
from repstride.cli.group import cli


def _fmt_s(ms: int) -> str:
    return f"{ms / 1000:6.2f}s"


def _fmt_value(a: dict[str, Any]) -> str:
    v = a.get("analysisScalar")
    text = "n/a" if v is None else f"{v:g}"
    op = a.get("analysisOpinion")
    return f"{text} {'ok' if op == 'good' else 'BAD'}" if op else text


_UNITS = {"DEGREES": "deg", "MS": "ms", "PERCENTAGE": "%", "RATIO": "x"}


def _abbrev(analysis_type: str) -> str:
    """``HIP_KNEE_ANGLE_DEGREES`` -> ``HKA deg``: short column headers, explained in a legend."""
    *words, unit = analysis_type.split("_")
    return "".join(w[0] for w in words) + " " + _UNITS.get(unit, unit.lower())


def render_table(wire: dict[str, Any]) -> str:
    """Human-readable summary of an analysis object (wire form): one row per rep."""
    lines: list[str] = []
    info = wire.get("repstride", {})
    head = f"{wire.get('activity') or '?'} ({wire.get('domain') or '?'})"
    if info.get("activitySource") == "recognised":
        head += f" - recognised, confidence {info.get('activityConfidence', 0):.2f}"
    lines.append(head)
    if mismatch := info.get("activityMismatch"):
        lines.append(f"warning: the motion looks like {mismatch['recognised']} "
                     f"(confidence {mismatch['confidence']:.2f})")
    if wire["status"] != "Complete":
        lines.append(f"status: {wire['status']} ({wire.get('reason', 'unknown reason')})")
        return "\n".join(lines)
    reps = wire["reps"]
    lines.append(f"{len(reps)} rep{'s' if len(reps) != 1 else ''}")
    if not reps:
        return "\n".join(lines)
    types = [a["analysisType"] for a in reps[0]["analyses"]]
    cols = [_abbrev(t) for t in types]
    widths = [max(len(c), 11) for c in cols]
    lines.append(f"{'rep':>3s} {'start':>7s} {'mid':>7s} {'end':>7s}  "
                 + " ".join(f"{c:>{w}s}" for c, w in zip(cols, widths)))
    for i, r in enumerate(reps, 1):
        cells = []
        for t, w in zip(types, widths):
            a = next((x for x in r["analyses"] if x["analysisType"] == t), None)
            cells.append(f"{_fmt_value(a) if a else '':>{w}s}")
        lines.append(f"{i:>3d} {_fmt_s(r['startTimestampMs'])} {_fmt_s(r['midTimestampMs'])} "
                     f"{_fmt_s(r['endTimestampMs'])}  " + " ".join(cells))
    lines.append("")
    lines.extend(f"  {c:<9s} {t}" for c, t in zip(cols, types))
    return "\n".join(lines)


@cli.command("analyze")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--activity", type=click.Choice(ALL_ACTIVITIES), default=None,
              help="The movement in the video (recognised from the motion when omitted).")
@click.option("--rep-count", type=click.IntRange(min=0), default=None,
              help="Expected number of reps: resolves ambiguous counts, never adds reps.")
@click.option("--json", "as_json", is_flag=True,
              help="Print exactly the Video API analysis object as JSON.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write analysis.json and j2p.json into this directory.")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write an offline HTML report here, and the annotated video beside it.")
@export_options
def analyze_command(video: Path, activity: str | None, rep_count: int | None, as_json: bool,
                    out_dir: Path | None, report: Path | None, exports: tuple[str, ...] = (),
                    height_m: float | None = None, coordinates: str = "image") -> None:
    """Count the reps in VIDEO and judge each one."""
    from repstride.errors import LowQualityPose
    from repstride.pipeline import analyze_video

    # The bar goes to stderr so that --json output stays parseable.
    with click.progressbar(length=100, label="analysing", file=sys.stderr) as bar:
        def progress(stage: str, fraction: float) -> None:
            # pose estimation is almost all of the time; analysis is the last step
            target = int(95 * fraction) if stage == "pose" else 100
            bar.label = stage
            if target > bar.pos:
                bar.update(target - bar.pos)
        result = analyze_video(video, activity=activity, rep_count=rep_count, progress=progress)
    from repstride.wire import analysis_json

    wire = analysis_json(result.analysis)
    if out_dir is not None:
        from repstride.pipeline import track_to_j2p

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "analysis.json").write_text(json.dumps(wire, indent=2))
        (out_dir / "j2p.json").write_text(json.dumps(track_to_j2p(result.pose.track)))
    if report is not None:
        _write_report(video, result, report, wire)
    write_exports(result.pose.track, exports, (out_dir or Path.cwd()) / video.stem,
                  coordinates=coordinates, height_m=height_m)
    click.echo(json.dumps(wire, indent=2) if as_json else render_table(wire))
    if wire["status"] == "Failed" and wire.get("reason") == LowQualityPose.code:
        raise LowQualityPose()


def _write_report(video: Path, result: Any, report: Path, wire: dict[str, Any]) -> None:
    """The ``all`` overlay next to the report, then the report that embeds it."""
    from repstride.render.overlay import render_overlays
    from repstride.render.report import write_report

    report.parent.mkdir(parents=True, exist_ok=True)
    overlay = report.with_suffix(".all.mp4")
    with click.progressbar(length=100, label="rendering", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            target = int(100 * done / max(total, 1))
            if target > bar.pos:
                bar.update(target - bar.pos)
        render_overlays(video, result.pose.track, {"all": overlay}, analysis=result.analysis,
                        people=result.pose.people, subject_id=result.pose.subject_id,
                        events=wire.get("repstride", {}).get("gaitEvents"), progress=progress)
    write_report(report, track=result.pose.track, analysis=result.analysis,
                 video_uri=overlay.name, title=f"repstride - {video.name}",
                 events=wire.get("repstride", {}).get("gaitEvents"))
    click.echo(f"report: {report} (video: {overlay.name})", err=True)
