"""``repstride run-analysis VIDEO --view side|back [--treadmill --pace MM:SS] [--height CM]``.

Runs the pose model on a local file, then the Running Analysis (side or back view), and prints
the metrics (English texts from the message catalogue's defaults) or the JSON body.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from repstride.cli.group import cli


class PaceType(click.ParamType):
    """``MM:SS`` per kilometre -> seconds per kilometre."""

    name = "MM:SS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> float:
        if isinstance(value, float):
            return value
        from repstride.analysis.running.side_view import parse_pace
        from repstride.errors import InvalidInput

        try:
            return parse_pace(value)
        except InvalidInput as exc:
            self.fail(exc.message, param, ctx)


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "n/a"
    return f"{v:g} {unit}".strip() if isinstance(v, (int, float)) else str(v)


@cli.command("run-analysis")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--view", type=click.Choice(["side", "back"]), default="side", show_default=True,
              help="Where the camera is: beside the runner or behind.")
@click.option("--treadmill", is_flag=True, help="The runner is on a treadmill (needs --pace).")
@click.option("--pace", type=PaceType(), default=None, help="Treadmill pace, MM:SS per km.")
@click.option("--height", "height_cm", type=float, default=170.0, show_default=True,
              help="Runner height in cm (a value under 3 is taken as metres).")
@click.option("--weight", "weight_kg", type=float, default=70.0, show_default=True,
              help="Runner weight in kg.")
@click.option("--slow-motion", "slow_motion", type=float, default=1.0, show_default=True,
              help="Playback slow-down of the video (e.g. 4 for 120 fps played at 30).")
@click.option("--pronation-only", is_flag=True, help="Back view: pronation only.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result body.")
def run_analysis_command(video: Path, view: str, treadmill: bool, pace: float | None,
                         height_cm: float, weight_kg: float, slow_motion: float,
                         pronation_only: bool, as_json: bool) -> None:
    """Running analysis of VIDEO: cadence, contact times, overstride, foot strike, angles."""
    if treadmill and pace is None and view == "side":
        raise click.UsageError("--treadmill needs --pace MM:SS (the belt speed).")
    from repstride.pipeline import analyze_running

    # The bar goes to stderr so that --json output stays parseable.
    with click.progressbar(length=1, label="pose", show_percent=True, file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, done, 1)
            bar.update(done - bar.pos)
        result = analyze_running(video, view="side_view" if view == "side" else "back_view",
                                 height_cm=height_cm, weight_kg=weight_kg, treadmill=treadmill,
                                 pace_s_per_km=pace, full_body=not pronation_only,
                                 slow_motion_factor=slow_motion, progress=progress)
    from repstride.wire import running_json

    wire = running_json(result.analysis)
    if as_json:
        click.echo(json.dumps(wire, indent=1))
        return
    click.echo(render_text(wire, view))


def render_text(wire: dict[str, Any], view: str) -> str:
    """Plain-text report of a side/back-view result body (English catalogue defaults)."""
    from repstride.analysis.running.messages import MESSAGE_KEYS as T

    lines: list[str] = []
    if view == "side":
        lines.append(T["side_view.title"])
        lines.append(f"  {T['total_score.title']}: {_fmt(wire['total_score'])}"
                     + (f"  ({T[wire['total_score_key']]})" if wire.get("total_score_key") else ""))
        for m in wire["metrics"].values():
            note = ""
            if m.get("reason"):
                note = f"  [{T.get(m['reason'], m['reason'])}]"
            if m.get("video_time_value") is not None:
                note += f"  (video time: {_fmt(m['video_time_value'], m['unit'])})"
            lines.append(f"  {T[m['title_key']]}: {_fmt(m['value'], m['unit'])}{note}")
        o = wire["overstride"]
        lines.append(f"  {T['overstride.title']}: {_fmt(o['angle'], 'deg')} score "
                     f"{_fmt(o['score'])}" + (f"  ({T[o['advice']]})" if o.get("advice") else ""))
        fl = wire["foot_landing"]
        lines.append(f"  {T['foot_landing.title']}: " + ", ".join(
            f"{k} {v}" for k, v in fl["counts"].items()))
        lines.append(f"  {T['joint_angles.title']} (TD / mid-stance / TO / range, deg):")
        for j, a in wire["joint_angles"].items():
            lines.append(f"    {T[a['title_key']]}: {_fmt(a['touch_down'])} / "
                         f"{_fmt(a['mid_stance'])} / {_fmt(a['toe_off'])} / {_fmt(a['range'])}")
        if wire["running_styles"]:
            lines.append(f"  {T['running_styles.title']}: " + ", ".join(
                f"{T[s['title_key']]} {s['confidence']:.0f}%" for s in wire["running_styles"]))
    else:
        gc = wire["gait_cycle"]
        lines.append(T["back_view.title"])
        for side, leg in gc["stance_means"].items():
            lines.append(f"  {T[leg['title_key']]} ({leg['n_steps']} steps):")
            for k, v in leg.items():
                if isinstance(v, dict):
                    adv = f"  ({T[v['advice']]})" if v.get("advice") else ""
                    if v.get("reason"):
                        adv += f"  [{T.get(v['reason'], v['reason'])}]"
                    lines.append(f"    {T[v['title_key']]}: {_fmt(v['value'], 'deg')}{adv}")
    if wire.get("flags"):
        lines.append(f"  flags: {', '.join(wire['flags'])}")
    return "\n".join(lines)
