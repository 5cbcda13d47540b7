"""The ``repstride`` click group: the subcommand modules import it to define their commands.

The group loads a subcommand's module the first time the command is looked up, so
``repstride pose`` imports neither the HTTP client, the server nor the exercise engine
(~0.4 s less start-up); ``--help`` imports them all.
"""

from __future__ import annotations

import importlib

import click

from repstride import __version__

#: Command name -> the module of ``repstride.cli`` that defines it.
COMMAND_MODULES = {
    "pose": "pose_cmd", "clients": "clients_cmd", "serve": "serve_cmd", "db": "serve_cmd",
    "remote": "remote_cmd", "run-analysis": "running_cmd", "worker": "worker_cmd",
    "analyze": "analyze_cmd", "gc": "gc_cmd",
}


class _LazyGroup(click.Group):
    """Registers a command by importing its module the first time the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"repstride.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="repstride")
def cli() -> None:
    """repstride: rep counts, form metrics, joint data and overlays from exercise videos."""


__all__ = ["COMMAND_MODULES", "cli"]
