"""``repstride pose VIDEO -o j2p.json [--subject X,Y] [--at SECONDS] [--model full|heavy]
[--export trc|mot|csv]``.

``--export`` writes ``<output without .json>.<format>`` beside the j2p file.

Imports only what the pose stage needs (the group loads this module alone): start-up is
interpreter + numpy/OpenCV/PyAV/LiteRT imports + model load, ~0.4 s on an idle core.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from repstride.cli.export_opts import export_options, write_exports
from repstride.cli.group import cli


class SubjectParam(click.ParamType):
    """``X,Y`` (a point) or ``X1,Y1,X2,Y2`` (a box), normalised to the frame (0..1)."""

    name = "X,Y"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, tuple):
            return value
        try:
            vals = tuple(float(v) for v in str(value).split(","))
        except ValueError:
            self.fail(f"{value!r} is not comma-separated numbers", param, ctx)
        if len(vals) not in (2, 4):
            self.fail("give X,Y (a point) or X1,Y1,X2,Y2 (a box)", param, ctx)
        if not all(0.0 <= v <= 1.0 for v in vals):
            self.fail("coordinates are fractions of the frame, between 0 and 1", param, ctx)
        return vals


@cli.command("pose")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the joint data (Video API j2p JSON).")
@click.option("--subject", type=SubjectParam(), default=None,
              help="Who to follow: a point X,Y or a box X1,Y1,X2,Y2 as fractions of the frame "
                   "(default: the most prominent person).")
@click.option("--at", "at_s", type=click.FloatRange(min=0), default=None,
              help="Time in seconds at which --subject designates the person.")
@click.option("--model", type=click.Choice(["full", "heavy"], case_sensitive=False), default=None,
              help="Landmark model: full (default) or heavy (more accurate, ~4x slower; "
                   "installed by `make models`). Default: $REPSTRIDE_POSE_MODEL, else full.")
@export_options
def pose_command(video: Path, output: Path, subject: tuple[float, ...] | None,
                 at_s: float | None, model: str | None, exports: tuple[str, ...] = (),
                 height_m: float | None = None, coordinates: str = "image") -> None:
    """Estimate the subject's pose in VIDEO and write j2p JSON."""
    from repstride.pipeline import SubjectHint, extract_video_pose, track_to_j2p

    hint = None
    if subject is not None:
        hint = (SubjectHint(point=subject, t_s=at_s) if len(subject) == 2  # type: ignore[arg-type]
                else SubjectHint(box=subject, t_s=at_s))  # type: ignore[arg-type]
    elif at_s is not None:
        raise click.UsageError("--at needs --subject")
    started = time.perf_counter()
    with click.progressbar(length=1, label="pose", show_percent=True, show_eta=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, done, 1)
            bar.update(done - bar.pos)
        result = extract_video_pose(video, progress=progress, subject=hint, model=model)
    elapsed = time.perf_counter() - started
    output.write_text(json.dumps(track_to_j2p(result.track)))
    write_exports(result.track, exports, output.with_suffix(""), coordinates=coordinates,
                  height_m=height_m)
    t = result.track
    coverage = 100 * float(t.detected.mean()) if len(t) else 0.0
    click.echo(f"{len(t)} frames, {len(result.people)} people seen, subject "
               f"#{result.subject_id} in {coverage:.0f}% of frames, "
               f"{len(t) / max(elapsed, 1e-9):.1f} frames/s -> {output}")
