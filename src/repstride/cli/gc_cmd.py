"""``repstride gc [--dry-run]``: apply the retention settings now (what the workers' periodic
sweep does), listing every blob freed with its size and why."""

from __future__ import annotations

import click

from repstride.cli.group import cli


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


@cli.command("gc")
@click.option("--dry-run", is_flag=True,
              help="Only list what the retention settings would free; delete nothing.")
def gc_command(dry_run: bool) -> None:
    """Free the stored files the retention settings (REPSTRIDE_RETAIN_*_DAYS) no longer keep.

    Prints one line per file: its blob key, its size in bytes and why it goes, then a total.
    Only finished videos and analyses are touched; a running job never is. Safe to run while
    the server and workers run (and beside their own periodic sweep).
    """
    from repstride.service import build_services, load_settings
    from repstride.service.observability import configure_logging
    from repstride.service.retention import sweep

    settings = load_settings()
    configure_logging(settings.log_format)
    r = settings.retention
    if not r.enabled:
        click.echo("retention: everything is kept (every REPSTRIDE_RETAIN_*_DAYS is 0); "
                   "nothing to free", err=True)
        return
    services = build_services(settings)
    try:
        report = sweep(services, dry_run=dry_run)
    finally:
        services.close()
    for item in report.items:
        click.echo(f"{item.key}\t{item.size}\t{item.reason}")
    verb = "would free" if dry_run else "freed"
    records = f"; {report.records} record(s) deleted" if report.records else ""
    if dry_run and report.records:
        records = f"; {report.records} record(s) would be deleted"
    click.echo(f"total: {verb} {len(report.items)} file(s), {report.total_bytes} bytes "
               f"({_size(report.total_bytes)}){records}")
