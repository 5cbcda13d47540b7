"""Schemathesis over every operation of the live ASGI app, bounded for CI: once with a Video API
bearer token, once with a Running Analysis API apiKey, all of schemathesis' checks (server
errors, status codes, content types, response schemas and headers, ...).

Excluded, with the reason:
- ``ignored_auth``: the public operations (``/oauth2/token``, ``/uploads``, ``/health``) carry
  no security on purpose; on the others schemathesis' own auth probe sends a request without
  our credentials, which the server rightly refuses -- it cannot tell a probe from an escape.
- ``positive_data_acceptance``: a schema-valid request is refused for reasons the schema cannot
  state (no such video id, no credits, a file that is not a video, a policy not signed by the
  server); the refusals are documented 4xx with the error body, checked by the other checks.
Set ``REPSTRIDE_SCHEMATHESIS_EXAMPLES`` for a longer run (default 6 examples per operation).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from repstride.service import Settings, build_services

EXAMPLES = int(os.environ.get("REPSTRIDE_SCHEMATHESIS_EXAMPLES", "6"))
EXCLUDED = [ignored_auth, positive_data_acceptance]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from repstride.api import create_app

    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    services = build_services(Settings(
        data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db.sqlite3'}", workers=0,
        secret_key="k" * 32, max_upload_bytes=2_000_000, token_rate_per_minute=10_000))
    client = services.clients.create("schemathesis", credits=5)
    token = services.clients.issue_token(client.id, client.secret).access_token
    api_key = services.running.issue_api_key(client.id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app(services, start_workers=False)
    yield app, token, api_key
    services.close()


def _run(app, *, headers: dict[str, str] | None = None,
         query: dict[str, str] | None = None) -> tuple[int, int, list[str]]:
    """Every operation, ``EXAMPLES`` generated cases each: (operations, cases, failures)."""
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations, cases, failures = 0, 0, []
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1

        @given(case=op.as_strategy())
        @RUN
        def check(case) -> None:  # noqa: ANN001
            nonlocal cases
            cases += 1
            if query:
                case.query = {**(case.query or {}), **query}
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - every failure is collected and reported
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:1200]}")
    print(f"schemathesis: {operations} operations, {cases} cases, {len(failures)} failures")
    for f in failures:
        print("FAILURE", f.splitlines()[0], "|", " / ".join(
            line.strip() for line in f.splitlines()[1:12] if line.strip()))
    return operations, cases, failures


RUN = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
               phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
               suppress_health_check=list(HealthCheck))


def test_with_a_bearer_token(live) -> None:  # noqa: ANN001
    app, token, _ = live
    operations, cases, failures = _run(app, headers={"Authorization": f"Bearer {token}"})
    assert operations >= 30 and cases >= operations
    assert not failures, "\n\n".join(failures)


def test_with_an_api_key(live) -> None:  # noqa: ANN001
    app, _, api_key = live
    operations, cases, failures = _run(app, query={"apiKey": api_key})
    assert operations >= 30 and cases >= operations
    assert not failures, "\n\n".join(failures)
