"""A repeated operation is parsed and validated once (graph/validation.py): counted on the
schema's memo and on graphql-core's `validate` itself, over real HTTP requests."""

from __future__ import annotations

import uuid
from typing import Any

import graphql
import httpx
import pytest
import strawberry.schema.schema as strawberry_schema
from starlette.applications import Starlette
from starlette.routing import Route

from graph.http import TruePPMGraphQL
from tests.conftest import GraphQLClient


def _schema(app: Starlette) -> Any:
    (endpoint,) = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(endpoint, TruePPMGraphQL)
    return endpoint.schema


async def test_a_repeated_query_is_validated_once(
    gql: GraphQLClient, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = graphql.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    memo = _schema(app).validation
    before = memo.validations
    tag = uuid.uuid4().hex  # texts no other test of this app has sent
    query = f"query Once{tag} {{ __typename a1: __typename n: __typename }}"
    for _ in range(5):
        body = await gql(query)
        assert body == {"data": {"__typename": "Query", "a1": "Query", "n": "Query"}}
    assert memo.validations - before == 1
    assert len(calls) == 1
    # Another text is validated (once), and errors are kept too: the limits still bite.
    aliases = f"query Many{tag} {{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    for _ in range(3):
        body = await gql(aliases)
        assert "31 aliases found. Allowed: 30" in body["errors"][0]["message"]
    assert memo.validations - before == 2
    assert len(calls) == 2


async def test_the_memo_is_bounded(client: httpx.AsyncClient, app: Starlette) -> None:
    memo = _schema(app).validation
    size = memo.known.maxsize
    memo.known.maxsize = 3
    try:
        for i in range(6):
            query = f"{{ t{i}_{uuid.uuid4().hex}: __typename }}"
            assert (await client.post("/graphql", json={"query": query})).status_code == 200
        assert len(memo.known) == 3
    finally:
        memo.known.maxsize = size
