"""The SDK is HTTP-only, so it carries its own copies of two server tables; they must match."""

from __future__ import annotations

from repstride import client
from repstride.analysis.activities import ACTIVITY_DOMAIN
from repstride.i18n import LANGUAGES


def test_the_sdk_activity_table_is_the_servers() -> None:
    assert dict(client.ACTIVITY_DOMAIN) == dict(ACTIVITY_DOMAIN)


def test_the_sdk_running_languages_are_the_servers() -> None:
    assert tuple(client.RUNNING_LANGUAGES) == tuple(LANGUAGES)
