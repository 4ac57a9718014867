"""The ASGI application: GraphQL, the REST API (app/rest), health probes, CORS, request ids.

The GraphQL endpoint is loaded by dotted path (see `GRAPHQL_FACTORY`) because the dependency
rule is `graph → app`: `app` never imports `graph` statically.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.beat.heartbeat import heartbeat_store
from app.beat.http import STATE_KEY as BEAT_HEARTBEAT
from app.beat.http import beat_health
from app.beat.loop import Beat, LocalBeatBackend
from app.drain import Drain
from app.forecasts.dispatch import start_forecasts
from app.home import home_endpoint
from app.http_guards import BodyLimit, SecurityHeaders
from app.ide.page import static_mount
from app.logs import reset_request_id, set_request_id
from app.metrics import HttpMetrics, metrics_endpoint
from app.rest import http_exception, rest_routes
from app.scheduling import start_scheduling
from app.settings import Settings
from app.sso.routes import sso_routes
from app.state import AppState
from app.webhooks.runner import start_webhooks

GRAPHQL_FACTORY = "graph.http:create_graphql_app"
log = logging.getLogger("trueppm.http")


def load(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.partition(":")
    factory: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return factory


class RequestIdMiddleware:
    """Take `X-Request-ID` from the caller (or make one), log with it and echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.isprintable() and incoming else secrets.token_hex(8)
        token = set_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            reset_request_id(token)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    if request.app.state.drain.active:  # SIGTERM: finishing up, send traffic elsewhere
        return JSONResponse({"status": "draining"}, status_code=503)
    state: AppState = request.app.state.trueppm
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        log.warning("readiness check failed", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(
    settings: Settings, database_url: str, *, state: AppState | None = None
) -> Starlette:
    """Build the app; `state` lets a caller (tests, an embedding process) share its engine."""
    owned = state is None
    state = state or AppState(settings=settings, database_url=database_url)
    graphql = load(GRAPHQL_FACTORY)(state)
    heartbeat = heartbeat_store(settings.valkey_url)

    drain = Drain(settings.drain_seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        drain.install()
        await state.events.connect()
        scheduling = start_scheduling(state)
        forecasts = start_forecasts(state)
        webhooks = start_webhooks(state)
        # Without Valkey this process is the only one: it is also the beat.
        beat = None
        if not settings.valkey_url:
            beat = Beat(LocalBeatBackend(state), heartbeat, interval=settings.beat_interval)
            beat.start()
        yield
        if beat is not None:
            await beat.stop()
        await webhooks.stop()
        await forecasts.stop()
        await scheduling.stop()
        await heartbeat.close()
        if owned:
            await state.close()
        drain.uninstall()

    app = Starlette(
        routes=[
            Route("/", home_endpoint(settings), methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/api/v1/health/beat/", beat_health, methods=["GET"]),
            Route("/metrics", metrics_endpoint(state), methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *rest_routes(),
            *sso_routes(),
            *([static_mount()] if settings.graphiql else []),
        ],
        middleware=[
            Middleware(HttpMetrics),
            Middleware(SecurityHeaders),
            Middleware(RequestIdMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "x-request-id"],
                expose_headers=["x-request-id"],
                max_age=600,
            ),
            # Inside CORS, so that a browser can read the 413.
            Middleware(BodyLimit, settings=settings),
        ],
        exception_handlers={HTTPException: http_exception},
        lifespan=lifespan,
    )
    app.state.trueppm = state
    app.state.drain = drain
    setattr(app.state, BEAT_HEARTBEAT, heartbeat)
    return app


def app_from_environment() -> Starlette:
    """The app of one process of `trueppm serve --workers N` (uvicorn calls it in each worker;
    the parent has put `DATABASE_URL` in the environment)."""
    from app.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if settings.database_url is None:
        raise RuntimeError("a serving worker needs DATABASE_URL (trueppm serve sets it)")
    return create_app(settings, settings.database_url)
