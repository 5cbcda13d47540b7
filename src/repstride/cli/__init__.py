"""``repstride`` command line. The group is :data:`repstride.cli.group.cli`; subcommands live in
sibling modules, each defining its commands on the group, and register below.

Errors are mapped to exit codes in one place (:func:`main`): a :class:`RepstrideError` prints
``error [code]: message`` on stderr and exits with :data:`EXIT_CODES` (default 1).
"""

from __future__ import annotations

import importlib
import importlib
import sys

import click

from repstride.cli.group import COMMAND_MODULES, cli
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


def _register() -> None:
    """Import every command module (each defines its commands on ``cli``); ``main`` does not
    need this, the group loads a command's module when it is looked up."""
    for module in sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"repstride.cli.{module}")


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


__all__ = ["EXIT_CODES", "cli", "main"]
