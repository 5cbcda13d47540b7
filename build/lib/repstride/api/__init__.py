"""HTTP API (FastAPI). ``create_app(services)`` builds the application."""

from repstride.api.app import create_app

__all__ = ["create_app"]
