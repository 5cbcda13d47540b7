"""``repstride clients create`` prints the Running API's apiKey; ``clients api-key`` issues one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from repstride.errors import InvalidApiKey


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("REPSTRIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPSTRIDE_SECRET_KEY", "s" * 32)
    monkeypatch.delenv("REPSTRIDE_DATABASE_URL", raising=False)
    return CliRunner()


def _services():  # noqa: ANN202
    from repstride.service import build_services, load_settings

    return build_services(load_settings())


def test_clients_create_prints_a_working_api_key(runner: CliRunner, monkeypatch) -> None:
    from repstride.cli import _register, cli

    # This process checks keys the CLI (another Services) revokes: without the credential
    # memory, so the revocation is seen at once (its bound is tested in tests/api/test_polling.py).
    monkeypatch.setenv("REPSTRIDE_AUTH_CACHE_S", "0")

    _register()
    r = runner.invoke(cli, ["clients", "create", "--name", "club", "--credits", "3", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["api_key"].startswith("rsk_")
    services = _services()
    try:
        running = services.running
        running.check_api_key(out["client_id"], out["api_key"])  # accepted
        with pytest.raises(InvalidApiKey):
            running.check_api_key(out["client_id"], out["api_key"] + "x")

        r = runner.invoke(cli, ["clients", "api-key", out["client_id"], "--revoke-old"])
        assert r.exit_code == 0, r.output
        new_key = r.output.strip()
        running.check_api_key(out["client_id"], new_key)
        with pytest.raises(InvalidApiKey):
            running.check_api_key(out["client_id"], out["api_key"])  # revoked
    finally:
        services.close()

    r = runner.invoke(cli, ["clients", "create", "--name", "plain"])
    assert r.exit_code == 0 and "api_key:" in r.output
