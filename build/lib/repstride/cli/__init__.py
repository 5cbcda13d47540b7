"""``repstride`` command line. Subcommands live in sibling modules and register below.

Errors are mapped to exit codes in one place (:func:`main`): a :class:`RepstrideError` prints
``error [code]: message`` on stderr and exits with :data:`EXIT_CODES` (default 1).
"""

from __future__ import annotations

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="repstride")
def cli() -> None:
    """repstride: rep counts, form metrics, joint data and overlays from exercise videos."""


def _register() -> None:
    # Each module defines its commands on ``cli``; importing registers them.
    from repstride.cli import pose_cmd  # noqa: F401
    from repstride.cli import clients_cmd, serve_cmd  # noqa: F401
    from repstride.cli import remote_cmd  # noqa: F401
    from repstride.cli import running_cmd  # noqa: F401
    from repstride.cli import worker_cmd  # noqa: F401
    from repstride.cli import analyze_cmd  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    _register()
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
