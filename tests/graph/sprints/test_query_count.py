"""`sprints { tasks }` costs the same number of SQL statements for 2 sprints as for 8."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.sprints.helpers import ADD, create_sprint, op
from tests.graph.tasks.factories import create_task, make_world

SPRINTS = """query($p: ID!) { sprints(projectId: $p) { nodes { name tasks { name sprintId } } } }"""


async def _statements(gql: GraphQLClient, db: AppState, user: Any, project: str) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        body = await gql(SPRINTS, {"p": project}, user=user)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert "errors" not in body, body
    return len(seen)


async def test_sprint_tasks_are_batched(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    counts = []
    for batch in range(2):
        for i in range(2 if batch == 0 else 6):
            sprint = await create_sprint(
                gql, pm, project, f"S{batch}{i}", "2026-01-05", "2026-01-09"
            )
            task = await create_task(gql, pm, world.project, f"T{batch}{i}")
            await op(gql, pm, ADD, s=sprint["id"], t=[task["id"]])
        counts.append(await _statements(gql, db, pm, project))
    assert counts[0] == counts[1], counts
    body = await gql(SPRINTS, {"p": project}, user=pm)
    nodes = body["data"]["sprints"]["nodes"]
    assert len(nodes) == 8
    assert all(len(n["tasks"]) == 1 and n["tasks"][0]["name"] == "T" + n["name"][1:] for n in nodes)
