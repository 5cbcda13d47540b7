"""The ``repstride`` click group: the subcommand modules import it to define their commands."""

from __future__ import annotations

import click

from repstride import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="repstride")
def cli() -> None:
    """repstride: rep counts, form metrics, joint data and overlays from exercise videos."""


__all__ = ["cli"]
