"""`GET /`: where things are, for a person (a small HTML page) or a client (JSON).

A browser (an `Accept` that names `text/html`) gets a page linking GraphiQL, the REST API's
reference and OpenAPI document, the health probes and the version; anything else gets the
same as JSON. No scripts, nothing fetched from elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from importlib import metadata

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from app.settings import Settings


def version() -> str:
    try:
        return metadata.version("trueppm")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def links(settings: Settings) -> dict[str, str]:
    out = {"graphql": "/graphql"}
    if settings.graphiql:
        out["graphiql"] = "/graphql"
    out |= {
        "api_docs": "/api/docs/",
        "openapi": "/api/schema/",
        "health": "/healthz",
        "ready": "/readyz",
        "beat": "/api/v1/health/beat/",
    }
    return out


_LABELS = {
    "graphiql": "GraphiQL — explore and run GraphQL in the browser",
    "graphql": "GraphQL endpoint (POST; WebSocket for subscriptions)",
    "api_docs": "REST API reference (offline sync, forecasts, plan import/export)",
    "openapi": "OpenAPI document",
    "health": "Liveness probe",
    "ready": "Readiness probe (the database answers)",
    "beat": "Periodic jobs' heartbeat",
}


def home_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def home(request: Request) -> Response:
        found = links(settings)
        if "text/html" in request.headers.get("accept", ""):
            shown = {k: v for k, v in found.items() if not (k == "graphql" and "graphiql" in found)}
            items = "".join(
                f'<li><a href="{html.escape(href)}">{html.escape(_LABELS[name])}</a>'
                f" <code>{html.escape(href)}</code></li>"
                for name, href in shown.items()
            )
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>TruePPM</title></head><body><h1>TruePPM</h1>"
                f"<p>Version {html.escape(version())}. Dates computed, not guessed.</p>"
                f"<ul>{items}</ul></body></html>"
            )
            return HTMLResponse(page)
        return JSONResponse({"name": "TruePPM", "version": version(), "links": found})

    return home
