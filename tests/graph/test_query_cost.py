"""The query cost limit: objects an operation may resolve, from its `first` arguments (in the
document or its variables) and list defaults, checked before it runs and reported on request."""

from __future__ import annotations

import httpx
from graphql import parse

from app.asgi import create_app
from app.settings import Settings
from app.state import AppState
from graph.cost import CostModel
from graph.schema import build_schema

TASKS = """query($n: Int!) { tasks(projectId: "00000000-0000-0000-0000-000000000000", first: $n) {
  nodes { id assignments { id } } } }"""
# Lists without a size count a default page (50) each: lanes, their cards, the cards' links.
BOARD = """query { board(projectId: "00000000-0000-0000-0000-000000000000") {
  lanes { column { id } cards { id assignments { id } } } } }"""


def _model() -> CostModel:
    schema = build_schema(Settings.from_env({"SECRET_KEY": "x" * 40}))
    return CostModel(schema._schema, default_size=50)


def _cost(document: str, variables: dict[str, object] | None = None) -> int:
    return _model().of_document(parse(document), None, variables or {})


def test_costs_follow_the_list_sizes() -> None:
    assert _cost("{ __typename }") == 0
    assert _cost("{ me { id email } }") == 1
    # The connection (1), its 100 nodes (100), each node's assignments (100).
    tasks = 'query { tasks(projectId: "x", first: 100) { nodes { id assignments { units } } } }'
    assert _cost(tasks) == 201
    # Unsized: the default page (50); edges and nodes hold that many, not a page more.
    assert _cost('{ tasks(projectId: "x") { edges { node { id } } totalCount } }') == 1 + 50 + 50
    assert _cost(TASKS, {"n": 10}) == 1 + 10 + 10
    assert _cost(TASKS, {}) == 1 + 50 + 50  # a missing variable: the default page
    assert _cost(BOARD) == 1 + 1 + 50 + 50 + 2500
    fragment = """query { ...W } fragment W on Query { workspaces(first: 3) { nodes { id } } }"""
    assert _cost(fragment) == 1 + 3


async def test_a_costly_operation_is_refused_before_it_runs(
    db: AppState, settings: Settings
) -> None:
    limited = Settings.from_env(
        {
            "SECRET_KEY": settings.signing_key(),
            "TRUEPPM_DATA_DIR": str(settings.data_dir),
            "TRUEPPM_MAX_QUERY_COST": "1000",
        }
    )
    app = create_app(limited, db.database_url)  # its own state: its own schema
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = (await client.post("/graphql", json={"query": BOARD})).json()
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 2602, "limit": 1000}
        assert "TRUEPPM_MAX_QUERY_COST" in error["message"]
        small = await client.post("/graphql", json={"query": TASKS, "variables": {"n": 5}})
        assert small.json()["errors"][0]["extensions"]["code"] != "QUERY_TOO_COSTLY"
    await app.state.trueppm.close()


async def test_the_cost_is_reported_when_asked(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    asked = await client.post(
        "/graphql",
        json={"query": TASKS, "variables": {"n": 2}, "extensions": {"cost": True}},
    )
    body = asked.json()
    assert body["extensions"]["cost"] == {
        "requested": 5,
        "limit": settings.max_query_cost,
    }
    plain = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
    assert "extensions" not in plain
