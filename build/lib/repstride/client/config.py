"""Where the SDK and ``repstride remote`` find the server and the credentials.

Each setting is taken from the first place that has it:

1. the argument passed in code (or on the command line);
2. the environment: ``REPSTRIDE_SERVER``, ``REPSTRIDE_CLIENT_ID``, ``REPSTRIDE_CLIENT_SECRET``,
   ``REPSTRIDE_TOKEN_URL``, ``REPSTRIDE_SCOPE``, ``REPSTRIDE_AUTH_HEADER``, ``REPSTRIDE_API_KEY``;
3. the config file ``$REPSTRIDE_CONFIG``, else ``$XDG_CONFIG_HOME/repstride/config.toml``
   (``~/.config/repstride/config.toml``), a flat TOML table::

       server = "http://127.0.0.1:8000"
       client_id = "..."
       client_secret = "..."
       # token_url = "https://auth.example.com/oauth2/token"   # default: {server}/oauth2/token
       # scope = ""
       # auth_header = "raw"                                    # or "bearer"
       # api_key = "..."                  # Running Analysis API: sent as ?apiKey=

4. the default (:data:`DEFAULT_BASE_URL` for the server; credentials have none).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from repstride.client.errors import AuthError, InvalidInput

__all__ = ["DEFAULT_BASE_URL", "Settings", "config_path", "resolve_settings"]

#: Where ``repstride serve`` listens by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

_ENV = {
    "server": "REPSTRIDE_SERVER",
    "client_id": "REPSTRIDE_CLIENT_ID",
    "client_secret": "REPSTRIDE_CLIENT_SECRET",
    "token_url": "REPSTRIDE_TOKEN_URL",
    "scope": "REPSTRIDE_SCOPE",
    "auth_header": "REPSTRIDE_AUTH_HEADER",
    "api_key": "REPSTRIDE_API_KEY",
}


@dataclass(frozen=True)
class Settings:
    server: str
    client_id: str
    client_secret: str
    token_url: str | None = None
    scope: str = ""
    auth_header: str = "raw"
    api_key: str | None = None


def config_path() -> Path:
    if env := os.environ.get("REPSTRIDE_CONFIG"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "repstride" / "config.toml"


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Cannot read the config file {path}: {exc}", code="invalid_config") from exc
    return data


def resolve_settings(**given: str | None) -> Settings:
    """Fill ``server``, ``client_id``, ``client_secret``, ``token_url``, ``scope``,
    ``auth_header`` and ``api_key`` from the arguments, the environment, then the config file.

    Raises :class:`AuthError` when no client id or secret is found anywhere.
    """
    unknown = set(given) - set(_ENV)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    values: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    missing = [k for k in _ENV if k not in values]
    if missing:
        for key in missing:
            if (env := os.environ.get(_ENV[key])) is not None and env != "":
                values[key] = env
        if any(k not in values for k in _ENV):
            file = _read_config(config_path())
            for key in _ENV:
                if key not in values and file.get(key) is not None:
                    values[key] = str(file[key])
    values.setdefault("server", DEFAULT_BASE_URL)
    if not values.get("client_id") or not values.get("client_secret"):
        raise AuthError(
            "No client credentials: pass client_id/client_secret, set REPSTRIDE_CLIENT_ID and "
            f"REPSTRIDE_CLIENT_SECRET, or put them in {config_path()}.",
            code="missing_credentials")
    return Settings(**values)
