"""ASGI factory for the API processes the WebSocket tests start (`uvicorn --factory`)."""

from __future__ import annotations

from starlette.applications import Starlette

from app.asgi import create_app
from app.settings import Settings


def app() -> Starlette:
    settings = Settings.from_env()
    assert settings.database_url is not None
    return create_app(settings, settings.database_url)
