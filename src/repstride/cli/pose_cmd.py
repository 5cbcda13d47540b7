"""``repstride pose VIDEO -o j2p.json``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from repstride.cli import cli


@cli.command("pose")
@click.argument("video", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the joint data (Video API j2p JSON).")
def pose_command(video: Path, output: Path) -> None:
    """Estimate the subject's pose in VIDEO and write j2p JSON."""
    from repstride.pose import extract_pose
    from repstride.pose.j2p import to_j2p

    with click.progressbar(length=1, label="pose", show_percent=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, done, 1)
            bar.update(done - bar.pos)
        result = extract_pose(video, progress=progress)
    output.write_text(json.dumps(to_j2p(result.track)))
    t = result.track
    click.echo(f"{len(t)} frames, {len(result.people)} people, subject in "
               f"{100 * t.detected.mean():.0f}% of frames -> {output}")
