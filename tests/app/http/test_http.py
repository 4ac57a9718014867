"""The HTTP surface: probes, GraphiQL, CORS, request ids and GraphQL guard rails."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest

from app.asgi import create_app
from app.settings import Settings
from app.state import AppState
from tests.conftest import GraphQLClient


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.json() == {"status": "ok", "database": "ok"}


async def test_graphiql_served_on_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 16


async def test_cors_allows_configured_origin_only(client: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST"}
    allowed = await client.options(
        "/graphql", headers={"origin": "http://localhost:5173", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    denied = await client.options(
        "/graphql", headers={"origin": "https://evil.example", **preflight}
    )
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers


async def test_alias_limit(gql: GraphQLClient) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    body = await gql("{ " + aliases + " }")
    assert "31 aliases found. Allowed: 30" in body["errors"][0]["message"]


async def test_syntax_errors_are_reported_not_masked(gql: GraphQLClient) -> None:
    body = await gql("{ me ")
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_query_depth_limit_comes_from_settings(db: AppState, settings: Settings) -> None:
    shallow = dataclasses.replace(settings, max_query_depth=3)
    state = AppState(settings=shallow, database_url=db.database_url)
    app = create_app(shallow, db.database_url, state=state)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            deep = "{ workspaces { edges { node { members { user { id } } } } } }"
            body = (await http.post("/graphql", json={"query": deep})).json()
    finally:
        await state.close()
    assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]


async def test_a_body_that_is_not_json_is_a_400_and_answers_are_compact_json(
    client: httpx.AsyncClient,
) -> None:
    bad = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    good = await client.post("/graphql", json={"query": "{ a: __typename b: __typename }"})
    assert good.content == b'{"data":{"a":"Query","b":"Query"}}'


async def test_the_root_says_where_things_are(client: httpx.AsyncClient) -> None:
    from app.home import version

    answer = await client.get("/")
    assert answer.status_code == 200
    assert answer.json() == {
        "name": "TruePPM",
        "version": version(),
        "links": {
            "graphql": "/graphql",
            "graphiql": "/graphql",
            "api_docs": "/api/docs/",
            "openapi": "/api/schema/",
            "health": "/healthz",
            "ready": "/readyz",
            "beat": "/api/v1/health/beat/",
        },
    }
    assert version() != "unknown"  # the project's own set-up installs the package
    page = await client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<a href="/graphql">GraphiQL' in page.text
    assert '<a href="/api/docs/">' in page.text
    assert f"Version {version()}" in page.text
    assert "<script" not in page.text
    for href in ("/healthz", "/api/docs/", "/api/schema/"):
        assert (await client.get(href)).status_code == 200


async def test_client_errors_log_at_info_without_a_traceback(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await gql("{ me ")  # a syntax error
        await gql("{ noSuchField }")  # a validation error
    graphql_records = [
        r for r in caplog.records if r.name.startswith(("strawberry", "trueppm.graphql"))
    ]
    assert [r.levelno for r in graphql_records] == [logging.INFO, logging.INFO]
    assert all(r.exc_info is None for r in graphql_records)
    assert "Syntax Error" in graphql_records[0].getMessage()
    assert "noSuchField" in graphql_records[1].getMessage()
