"""``repstride`` command line. Subcommands live in sibling modules and register below.

Errors are mapped to exit codes in one place (:func:`main`): a :class:`RepstrideError` prints
``error [code]: message`` on stderr and exits with :data:`EXIT_CODES` (default 1).
"""

from __future__ import annotations

import importlib
import sys

import click

from repstride import __version__
from repstride.errors import (
    InvalidInput, LowQualityPose, NotFound, RepstrideError, Unauthorized, FileTooLarge,
)

#: RepstrideError subclass -> process exit code (first match wins; 1 otherwise).
EXIT_CODES: tuple[tuple[type[RepstrideError], int], ...] = (
    (InvalidInput, 2 + 0),  # click itself uses 2 for usage errors; bad input is the same family
    (FileTooLarge, 3),
    (LowQualityPose, 4),
    (Unauthorized, 5),
    (NotFound, 6),
)


#: Command name -> the sibling module that defines it. ``main`` imports only the module of the
#: command being run (``repstride pose`` does not load the HTTP client, the server or the
#: exercise engine: ~0.4 s less start-up); ``--help`` imports them all.
COMMAND_MODULES = {
    "pose": "pose_cmd", "clients": "clients_cmd", "serve": "serve_cmd", "db": "serve_cmd",
    "remote": "remote_cmd", "run-analysis": "running_cmd", "worker": "worker_cmd",
    "analyze": "analyze_cmd",
}


class _LazyGroup(click.Group):
    """Registers a command by importing its module the first time the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"{__name__}.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="repstride")
def cli() -> None:
    """repstride: rep counts, form metrics, joint data and overlays from exercise videos."""


def _register() -> None:
    """Import every command module (each defines its commands on ``cli``); ``main`` does not
    need this, the group loads a command's module when it is looked up."""
    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"{__name__}.{module}")


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RepstrideError as exc:
        click.echo(f"error [{exc.code}]: {exc.message}", err=True)
        sys.exit(next((c for t, c in EXIT_CODES if isinstance(exc, t)), 1))
