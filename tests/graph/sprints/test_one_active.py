"""One active sprint per project: a typed error, and the database index under concurrency."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.sprints.helpers import START, create_sprint, op
from tests.graph.tasks.factories import make_world


async def test_second_start_is_a_typed_error(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    s1 = await create_sprint(gql, pm, project, "S1", "2026-01-05", "2026-01-16")
    s2 = await create_sprint(gql, pm, project, "S2", "2026-01-19", "2026-01-30")
    assert (await op(gql, pm, START, id=s1["id"]))["__typename"] == "SprintPayload"
    second = await op(gql, pm, START, id=s2["id"])
    assert second["__typename"] == "ActiveSprintExists"
    assert second["activeSprintId"] == s1["id"]
    again = await op(gql, pm, START, id=s1["id"])
    assert (again["__typename"], again["state"]) == ("InvalidSprintState", "ACTIVE")


async def test_concurrent_starts_leave_exactly_one_active(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    sprints = [
        await create_sprint(gql, pm, project, f"S{i}", "2026-01-05", "2026-01-16") for i in range(6)
    ]
    results = await asyncio.gather(*(op(gql, pm, START, id=s["id"]) for s in sprints))
    names = sorted(r["__typename"] for r in results)
    assert names == ["ActiveSprintExists"] * 5 + ["SprintPayload"]
    winner = next(r["sprint"]["id"] for r in results if r["__typename"] == "SprintPayload")
    assert {r["activeSprintId"] for r in results if "activeSprintId" in r} == {winner}
    async with db.engine.connect() as connection:
        active = await connection.execute(
            text("SELECT id::text FROM sprint WHERE state = 'active'")
        )
        assert [row[0] for row in active] == [winner]


async def test_the_database_refuses_a_second_active_sprint(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    project = str(world.project.id)
    for name in ("S1", "S2"):
        await create_sprint(gql, world.pm, project, name, "2026-01-05", "2026-01-16")
    async with db.engine.connect() as connection:
        with pytest.raises(IntegrityError, match="uq_sprint_one_active"):
            await connection.execute(text("UPDATE sprint SET state = 'active'"))
