"""Request guards and response headers: oversized bodies refused with 413 before they are
read, oversized documents refused at the parser, introspection off in production settings,
security headers everywhere."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.asgi import create_app
from app.http_guards import HTML_CSP, BodyLimit
from app.ide.page import CSP as GRAPHIQL_CSP
from app.settings import Settings
from app.state import AppState

MB = 1024 * 1024


async def test_an_oversized_graphql_body_is_refused_unread(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ __typename }", "padding": "' + b"x" * (2 * MB) + b'"}'
    started = time.perf_counter()
    answer = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert time.perf_counter() - started < 0.5
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 413
    assert problem["limit"] == MB
    assert "TRUEPPM_GRAPHQL_MAX_BODY_BYTES" in problem["detail"]


async def test_a_streamed_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "{ __typename }", "padding": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    answer = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    small = await client.post("/graphql", json={"query": "{ __typename }"})
    assert small.json() == {"data": {"__typename": "Query"}}


def test_uploads_and_other_endpoints_have_their_own_limits(settings: Settings) -> None:
    guard = BodyLimit(lambda scope, receive, send: None, settings)  # type: ignore[arg-type,return-value]

    def scope(path: str, kind: bytes) -> dict[str, object]:
        return {"type": "http", "path": path, "headers": [(b"content-type", kind)]}

    assert guard.limit(scope("/graphql", b"application/json")) == (
        settings.graphql_max_body_bytes,
        "TRUEPPM_GRAPHQL_MAX_BODY_BYTES",
    )
    form = b"multipart/form-data; boundary=x"
    assert guard.limit(scope("/graphql", form))[0] == settings.import_max_bytes + MB
    assert guard.limit(scope("/api/v1/sync/", b"application/json")) == (
        settings.max_body_bytes,
        "TRUEPPM_MAX_BODY_BYTES",
    )


async def test_a_document_of_100000_fields_is_refused_at_the_parser(
    client: httpx.AsyncClient,
) -> None:
    document = "{ " + " ".join(f"f{i}" for i in range(100_000)) + " }"
    assert len(document.encode()) < MB  # under the body limit: the parser refuses it
    # CPU time of this thread (the in-process app runs on it): what the refusal costs,
    # whatever else the machine is doing.
    started = time.thread_time()
    answer = await client.post("/graphql", json={"query": document})
    spent = time.thread_time() - started
    message = answer.json()["errors"][0]["message"]
    assert "Document contains more than 4000 tokens" in message
    # The thread also builds and sends the 700 kB request (the test client runs in it too).
    assert spent < 1.0, spent  # was 2.2 s of CPU before the limit, with the same request


@asynccontextmanager
async def _app(settings: Settings, db: AppState, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own settings, over HTTPS (as behind a TLS proxy)."""
    configured = Settings.from_env(
        {"SECRET_KEY": settings.signing_key(), "TRUEPPM_DATA_DIR": str(settings.data_dir), **env}
    )
    app = create_app(configured, db.database_url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as client:
            yield client
    finally:
        await app.state.trueppm.close()


def test_production_settings_turn_introspection_and_graphiql_off() -> None:
    embedded = Settings.from_env({})
    assert (embedded.introspection, embedded.graphiql) == (True, True)
    production = Settings.from_env({"DATABASE_URL": "postgresql://db/trueppm"})
    assert (production.introspection, production.graphiql) == (False, False)
    chosen = Settings.from_env(
        {"DATABASE_URL": "postgresql://db/trueppm", "TRUEPPM_INTROSPECTION": "true"}
    )
    assert (chosen.introspection, chosen.graphiql) == (True, True)


async def test_without_introspection_the_schema_is_not_told(
    db: AppState, settings: Settings
) -> None:
    async with _app(settings, db, TRUEPPM_INTROSPECTION="false") as client:
        refused = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert "introspection" in refused.json()["errors"][0]["message"].lower()
        plain = await client.post("/graphql", json={"query": "{ __typename }"})
        assert plain.json() == {"data": {"__typename": "Query"}}
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code in (400, 404)  # no GraphiQL without introspection


@pytest.mark.parametrize("path", ["/healthz", "/", "/api/docs/", "/graphql"])
async def test_security_headers_on_every_response(
    db: AppState, settings: Settings, path: str
) -> None:
    async with _app(settings, db, TRUEPPM_INTROSPECTION="true") as client:
        answer = await client.get(path, headers={"accept": "text/html"})
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["strict-transport-security"].startswith("max-age=")  # https
        if answer.headers["content-type"].startswith("text/html"):
            expected = GRAPHIQL_CSP if path == "/graphql" else HTML_CSP
            assert answer.headers["content-security-policy"] == expected


async def test_no_hsts_over_plain_http(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in answer.headers
