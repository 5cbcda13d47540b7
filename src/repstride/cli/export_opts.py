"""``--export trc|mot|csv`` (repeatable), ``--height`` and ``--coordinates`` of ``repstride pose``
and ``repstride analyze``: biomechanics files of the pose track (see ``render.exports``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from repstride.render.exports import COORDINATES, FORMATS


def export_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--coordinates", type=click.Choice(COORDINATES), default="image",
                     show_default=True,
                     help="TRC markers: image plane in metres scaled by --height, or the pose "
                          "model's world coordinates.")(f)
    f = click.option("--height", "height_m", type=click.FloatRange(0.5, 2.6), default=None,
                     help="Subject height in metres for image-plane TRC (default 1.70, "
                          "assumed).")(f)
    f = click.option("--export", "exports", type=click.Choice(FORMATS), multiple=True,
                     help="Also write the pose as OpenSim TRC markers, an OpenSim MOT "
                          "joint-angle file or a per-frame CSV (repeatable).")(f)
    return f


def write_exports(track: Any, exports: tuple[str, ...], stem: Path, *, coordinates: str,
                  height_m: float | None) -> list[Path]:
    """Write ``<stem>.<format>`` for each requested format; returns the paths."""
    from repstride.render.exports import export_text

    out = []
    for fmt in dict.fromkeys(exports):
        path = stem.with_name(f"{stem.name}.{fmt}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(export_text(track, fmt, name=stem.name, coordinates=coordinates,
                                    height_m=height_m), encoding="utf-8")
        click.echo(f"{fmt}: {path}", err=True)
        out.append(path)
    return out
