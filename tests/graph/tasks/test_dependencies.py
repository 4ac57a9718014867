"""Dependency links: cycles, rules, updates, and constant query counts for link lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project
from tests.graph.tasks.factories import create_task, link, make_world

UPDATE_LINK = """
mutation($id: ID!, $v: Int) {
  updateDependency(id: $id, input: {type: SS, lag: -2, lagUnit: ELAPSED_DAYS}, serverVersion: $v) {
    __typename
    ... on DependencyPayload { dependency { type lag lagUnit serverVersion } }
    ... on Conflict { currentVersion }
  }
}"""


async def test_two_cycle_and_longer_cycle_are_rejected_in_order(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    t = [(await create_task(gql, world.pm, world.project, f"T{i}"))["id"] for i in range(4)]
    assert (await link(gql, world.pm, t[0], t[1]))["__typename"] == "DependencyPayload"
    two = await link(gql, world.pm, t[1], t[0])
    assert two["__typename"] == "DependencyCycle"
    assert two["taskIds"] == [t[1], t[0]]
    await link(gql, world.pm, t[1], t[2])
    await link(gql, world.pm, t[2], t[3])
    longer = await link(gql, world.pm, t[3], t[0])
    assert longer["__typename"] == "DependencyCycle"
    assert longer["taskIds"] == [t[3], t[0], t[1], t[2]]


async def test_link_rules(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    a = (await create_task(gql, world.pm, world.project, "A"))["id"]
    b = (await create_task(gql, world.pm, world.project, "B"))["id"]
    other = await make_project(db, await _workspace_of(db, world.project))
    c = (await create_task(gql, world.owner.id, other, "C"))["id"]
    self_link = await link(gql, world.pm, a, a)
    assert self_link["fields"] == [
        {"path": ["input", "successorId"], "message": "a task cannot depend on itself"}
    ]
    cross = await link(gql, world.owner.id, a, c)
    assert cross["fields"][0]["message"] == (
        "tasks of different projects can be linked only when both projects belong to the same "
        "program"
    )
    created = await link(gql, world.pm, a, b, type="FF", lag=3)
    assert created["dependency"]["type"] == "FF"
    assert created["dependency"]["lag"] == 3
    assert created["dependency"]["lagUnit"] == "WORKING_DAYS"
    assert (await link(gql, world.pm, a, b))["__typename"] == "Conflict"
    updated = await gql(UPDATE_LINK, {"id": created["dependency"]["id"], "v": 1}, user=world.pm)
    assert updated["data"]["updateDependency"]["dependency"] == {
        "type": "SS",
        "lag": -2,
        "lagUnit": "ELAPSED_DAYS",
        "serverVersion": 2,
    }
    stale = await gql(UPDATE_LINK, {"id": created["dependency"]["id"], "v": 1}, user=world.pm)
    assert stale["data"]["updateDependency"] == {"__typename": "Conflict", "currentVersion": 2}


async def _workspace_of(db: AppState, project: Any) -> Any:
    from app.models import Workspace

    async with db.sessions() as session:
        return await session.get(Workspace, project.workspace_id)


@contextmanager
def count_statements(db: AppState) -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


LIST = """
query($p: ID!) {
  tasks(projectId: $p, first: 50) {
    nodes { id outlineNumber predecessors { predecessorId } successors { successorId } }
  }
}"""


async def _statements_for(gql: GraphQLClient, db: AppState, world: Any) -> tuple[int, Any]:
    with count_statements(db) as seen:
        body = await gql(LIST, {"p": str(world.project.id)}, user=world.pm)
    return len(seen), body["data"]["tasks"]["nodes"]


async def test_link_lists_cost_a_constant_number_of_statements(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    ids = [(await create_task(gql, world.pm, world.project, f"T{i}"))["id"] for i in range(3)]
    await link(gql, world.pm, ids[0], ids[1])
    small, _ = await _statements_for(gql, db, world)
    for i in range(3, 15):
        ids.append((await create_task(gql, world.pm, world.project, f"T{i}"))["id"])
        await link(gql, world.pm, ids[i - 1], ids[i])
    large, nodes = await _statements_for(gql, db, world)
    assert len(nodes) == 15
    assert large == small
    assert nodes[1]["predecessors"] == [{"predecessorId": ids[0]}]
    assert nodes[3]["successors"] == [{"successorId": ids[4]}]
