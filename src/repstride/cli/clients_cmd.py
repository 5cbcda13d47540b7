"""``repstride clients create|list|revoke|credit``: API clients of the Video API."""

from __future__ import annotations

import json

import click

from repstride.cli.group import cli


def _services():  # noqa: ANN202
    from repstride.service import build_services, load_settings

    return build_services(load_settings())


@cli.group("clients")
def clients_group() -> None:
    """Manage API clients (OAuth client credentials)."""


@clients_group.command("create")
@click.option("--name", required=True, help="A label for the client.")
@click.option("--credits", type=click.IntRange(min=0), default=None,
              help="Initial credits (default: REPSTRIDE_DEFAULT_CLIENT_CREDITS, 100).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def create_command(name: str, credits: int | None, as_json: bool) -> None:
    """Create a client and print its id and secret (the secret is stored hashed: shown once)."""
    services = _services()
    n = services.settings.default_client_credits if credits is None else credits
    c = services.clients.create(name, credits=n)
    # The Running Analysis API (seed 002) also wants an ``apiKey`` query parameter per client.
    api_key = services.running.issue_api_key(c.id)
    if as_json:
        click.echo(json.dumps({"client_id": c.id, "client_secret": c.secret, "name": c.name,
                               "credits": c.credits, "api_key": api_key}))
    else:
        click.echo(f"client_id:     {c.id}\nclient_secret: {c.secret}\ncredits:       {c.credits}"
                   f"\napi_key:       {api_key}")


@clients_group.command("api-key")
@click.argument("client_id")
@click.option("--revoke-old", is_flag=True, help="Revoke the client's previous api keys first.")
def api_key_command(client_id: str, revoke_old: bool) -> None:
    """Issue a new Running Analysis API ``apiKey`` for a client (stored hashed: shown once)."""
    running = _services().running
    if revoke_old:
        running.revoke_api_keys(client_id)
    click.echo(running.issue_api_key(client_id))


@clients_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(as_json: bool) -> None:
    """List clients (ids, names, credits; never secrets)."""
    rows = _services().clients.list()
    if as_json:
        click.echo(json.dumps([{"client_id": c.id, "name": c.name, "credits": c.credits,
                                "revoked": c.revoked} for c in rows]))
        return
    for c in rows:
        click.echo(f"{c.id}  {c.name}  credits={c.credits}{'  REVOKED' if c.revoked else ''}")


@clients_group.command("revoke")
@click.argument("client_id")
def revoke_command(client_id: str) -> None:
    """Disable a client and every token it holds (API calls then answer 401 token_revoked)."""
    _services().clients.revoke(client_id)
    click.echo(f"revoked {client_id}")


@clients_group.command("credit")
@click.argument("client_id")
@click.argument("amount", type=click.IntRange(min=1))
@click.option("--ref", default=None, help="Idempotency reference (default: random).")
def credit_command(client_id: str, amount: int, ref: str | None) -> None:
    """Add AMOUNT credits to a client."""
    import uuid

    services = _services()
    services.credits.grant(client_id, amount, ref=ref or f"cli:{uuid.uuid4().hex}",
                           reason="cli grant")
    click.echo(f"{client_id}: {services.credits.balance(client_id)} credits")
