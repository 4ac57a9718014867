"""Sprints end to end over GraphQL with the in-process runner: plan, start, close, carry over."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from app.models import SprintCloseRequest
from app.sprints.closing import process_close
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.sprints.helpers import (
    ADD,
    CLOSE,
    REMOVE,
    START,
    UPDATE_TASK,
    create_sprint,
    op,
    runner_for,
    settle,
    sprint_of,
)
from tests.graph.tasks.factories import create_task, make_world

VELOCITY = """
query($p: ID!) { velocity(projectId: $p) { averageCompletedPoints
  sprints { sprint { name } committedPoints completedPoints } } }"""


async def test_closing_moves_exactly_the_unfinished_tasks(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    async with runner_for(db) as runner:
        tasks = {
            name: (await create_task(gql, pm, world.project, name, storyPoints=points))["id"]
            for name, points in (("A", 3), ("B", 5), ("C", 2), ("D", 8), ("Later", 1), ("Loose", 4))
        }
        s1 = await create_sprint(gql, pm, project, "S1", "2026-01-05", "2026-01-16")
        s2 = await create_sprint(gql, pm, project, "S2", "2026-01-19", "2026-01-30")
        assert (s1["order"], s2["order"], s1["state"]) == (1, 2, "PLANNED")
        planned = await op(gql, pm, ADD, s=s1["id"], t=[tasks[n] for n in "ABCD"])
        assert sorted(planned["movedTaskIds"]) == sorted(tasks[n] for n in "ABCD")
        await op(gql, pm, ADD, s=s2["id"], t=[tasks["Later"]])
        started = await op(gql, pm, START, id=s1["id"])
        assert started["sprint"]["state"] == "ACTIVE"
        assert started["sprint"]["committedPoints"] == 18
        # A done by percent complete, C by an actual finish; B and D stay unfinished.
        for name, fields in (
            ("A", {"percentComplete": 100}),
            ("C", {"actualStart": "2026-01-05", "actualFinish": "2026-01-07"}),
            ("D", {"percentComplete": 50}),
        ):
            updated = await op(gql, pm, UPDATE_TASK, id=tasks[name], input=fields)
            assert updated["__typename"] == "TaskPayload"
        await settle(runner)
        async with db.events.subscribe(world.project.id) as stream:
            closed = await op(gql, pm, CLOSE, id=s1["id"])
            assert closed["sprint"]["state"] == "CLOSED"
            assert closed["sprint"]["completedPoints"] == 5
            await settle(runner)
            events = [await asyncio.wait_for(stream.next(), timeout=5) for _ in range(3)]
    where = await sprint_of(gql, pm, project)
    assert where == {
        "A": s1["id"],
        "C": s1["id"],
        "B": s2["id"],
        "D": s2["id"],
        "Later": s2["id"],
        "Loose": None,
    }
    actions = [(e.type, e.payload["sprintId"], e.payload["action"]) for e in events]
    assert actions == [
        ("sprint_updated", s1["id"], "closed"),
        ("sprint_updated", s1["id"], "carried_over"),
        ("sprint_updated", s2["id"], "received"),
    ]
    assert events[1].payload["taskIds"] == sorted([tasks["B"], tasks["D"]])
    assert events[1].payload["changes"] == {"toSprintId": s2["id"]}

    # Processing the same request again changes nothing and announces nothing.
    async with db.sessions() as session:
        request = (await session.execute(select(SprintCloseRequest))).scalar_one()
    assert request.done_at is not None
    assert (request.moved_tasks, str(request.target_sprint_id)) == (2, s2["id"])
    again = await process_close(db.sessions, request.id, db.events)
    assert (again.state, again.moved, again.events) == ("skipped", [], [])
    assert await sprint_of(gql, pm, project) == where

    body = await gql(VELOCITY, {"p": project}, user=world.users[min(world.users)].id)
    assert body["data"]["velocity"] == {
        "averageCompletedPoints": 5.0,
        "sprints": [{"sprint": {"name": "S1"}, "committedPoints": 18, "completedPoints": 5}],
    }


async def test_close_without_a_next_sprint_moves_to_backlog(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    async with runner_for(db) as runner:
        a = (await create_task(gql, pm, world.project, "A", storyPoints=2))["id"]
        b = (await create_task(gql, pm, world.project, "B", storyPoints=3))["id"]
        sprint = await create_sprint(gql, pm, project, "Only", "2026-02-02", "2026-02-13")
        await op(gql, pm, ADD, s=sprint["id"], t=[a, b])
        await op(gql, pm, START, id=sprint["id"])
        await op(gql, pm, UPDATE_TASK, id=a, input={"percentComplete": 100})
        # Removing from an active sprint, then re-adding, is allowed; B leaves for good.
        removed = await op(gql, pm, REMOVE, s=sprint["id"], t=[b, a])
        assert sorted(removed["movedTaskIds"]) == sorted([a, b])
        await op(gql, pm, ADD, s=sprint["id"], t=[a, b])
        await op(gql, pm, CLOSE, id=sprint["id"])
        await settle(runner)
    assert await sprint_of(gql, pm, project) == {"A": sprint["id"], "B": None}
    again = await op(gql, pm, CLOSE, id=sprint["id"])
    assert again == {
        "__typename": "InvalidSprintState",
        "state": "CLOSED",
        "message": "only the active sprint can close (it is closed)",
    }
    # A closed sprint keeps its tasks: neither planning into it nor out of it.
    into = await op(gql, pm, ADD, s=sprint["id"], t=[b])
    assert (into["__typename"], into["state"]) == ("InvalidSprintState", "CLOSED")
    other = await create_sprint(gql, pm, project, "Next", "2026-02-16", "2026-02-27")
    steal = await op(gql, pm, ADD, s=other["id"], t=[a])
    assert steal["__typename"] == "ValidationError"
    assert steal["fields"] == [
        {"path": ["taskIds", "0"], "message": "the task belongs to a closed sprint"}
    ]


async def test_planning_validates_task_ids(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    parent = (await create_task(gql, pm, world.project, "Parent"))["id"]
    child = (await create_task(gql, pm, world.project, "Child", parentId=parent))["id"]
    sprint = await create_sprint(gql, pm, project, "S", "2026-01-05", "2026-01-09")
    result = await op(gql, pm, ADD, s=sprint["id"], t=[child, parent, str(uuid.uuid4()), "junk"])
    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [
        {"path": ["taskIds", "1"], "message": "summary tasks cannot be planned into a sprint"},
        {"path": ["taskIds", "2"], "message": "no such task in this project"},
        {"path": ["taskIds", "3"], "message": "no such task in this project"},
    ]
    assert (await sprint_of(gql, pm, project))["Child"] is None  # nothing partially applied
    bad = await gql(
        """mutation($p: ID!) { createSprint(input: {projectId: $p, name: " ",
        startDate: "2026-01-09", endDate: "2026-01-05"}) { __typename
        ... on ValidationError { fields { path message } } } }""",
        {"p": project},
        user=pm,
    )
    assert bad["data"]["createSprint"]["fields"] == [
        {"path": ["input", "name"], "message": "must not be blank"},
        {"path": ["input", "endDate"], "message": "must not be before startDate"},
    ]
