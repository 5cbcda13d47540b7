"""The web dashboard served at ``/`` (see docs/dashboard.md)."""
