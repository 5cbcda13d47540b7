"""``repstride remote webhook set|test|deliveries`` with click's runner against the live test app
(real HTTP), configured through the environment like a user's shell."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from running_helpers import Live
from svc_helpers import Receiver

from repstride import webhooks
from repstride.cli import _register, cli


@pytest.fixture
def run(live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    _register()
    for key, value in {"REPSTRIDE_SERVER": live.url, "REPSTRIDE_CLIENT_ID": live.client_id,
                       "REPSTRIDE_CLIENT_SECRET": live.secret, "REPSTRIDE_API_KEY": live.api_key,
                       "REPSTRIDE_CONFIG": str(tmp_path / "none.toml"),
                       "REPSTRIDE_TOKEN_CACHE": str(tmp_path / "tokens.json")}.items():
        monkeypatch.setenv(key, value)

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(cli, ["remote", "webhook", *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_set_test_deliveries(run, receiver: Receiver) -> None:  # noqa: ANN001
    r = run("set", receiver.url, "--json")
    assert r.exit_code == 0, r.output
    secret = json.loads(r.stdout)["secret"]
    assert secret.startswith("whsec_")
    r = run("set", receiver.url)  # no secret once it exists ...
    assert r.exit_code == 0 and r.stdout == f"webhook {receiver.url} enabled\n"
    r = run("set", receiver.url, "--rotate-secret")  # ... unless rotated
    assert r.exit_code == 0 and "secret whsec_" in r.stdout
    secret = r.stdout.split("secret ", 1)[1].split()[0]

    r = run("test")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("test event msg_") and "HTTP 200 in" in r.stdout
    headers, body = receiver.requests[-1]
    assert webhooks.verify(body, headers, secret)["type"] == "webhook.test"

    r = run("deliveries", "--json", "--limit", "5")
    assert r.exit_code == 0
    (row,) = json.loads(r.stdout)
    assert (row["id"], row["type"], row["state"], row["status_code"]) == (
        headers["webhook-id"], "webhook.test", "succeeded", 200)
    r = run("deliveries")
    assert r.exit_code == 0 and "webhook.test" in r.stdout and "succeeded 200" in r.stdout


def test_failing_receiver_and_bad_url(run, receiver: Receiver) -> None:  # noqa: ANN001
    receiver.statuses = [500]
    assert run("set", receiver.url).exit_code == 0
    r = run("test")
    assert r.exit_code == 1 and "failed: HTTP 500" in r.stderr
    r = run("set", "ftp://example.com/hook")
    assert r.exit_code == 2 and "error [validation_error]" in r.stderr
    r = run("set", receiver.url, "--disable")
    assert r.exit_code == 0 and r.stdout.endswith("disabled\n")
    r = run("test")
    assert r.exit_code == 2 and "disabled" in r.stderr
