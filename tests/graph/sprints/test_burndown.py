"""Burndown and velocity values, replaying a sprint in January 2026 day by day.

Each step runs through the real mutations and is then re-dated (see `happened_at`); the
expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from app.models import SprintCloseRequest
from app.models.enums import Role
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
    happened_at,
    op,
    runner_for,
    settle,
    sprint_of,
)
from tests.graph.tasks.factories import create_task, make_world

BURNDOWN = """
query($s: ID!) { sprintBurndown(sprintId: $s) { committedPoints
  days { day remainingPoints completedPoints scopePoints idealPoints } } }"""
VELOCITY = """
query($p: ID!, $last: Int!) { velocity(projectId: $p, last: $last) { averageCompletedPoints
  sprints { sprint { name } committedPoints completedPoints } } }"""


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=dt.UTC)


async def test_burndown_counts_mid_sprint_changes(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    # No runner: the close request is processed by hand, at a chosen time, below.
    ids: dict[str, Any] = {}
    async with happened_at(db, at(2, 10)):  # planned before the sprint: A3 B5 C8
        for name, points in (("A", 3), ("B", 5), ("C", 8), ("D", 2)):
            ids[name] = (await create_task(gql, pm, world.project, name, storyPoints=points))["id"]
        sprint = await create_sprint(gql, pm, project, "Jan", "2026-01-05", "2026-01-09")
        await op(gql, pm, ADD, s=sprint["id"], t=[ids["A"], ids["B"], ids["C"]])
    async with happened_at(db, at(5, 9)):
        started = await op(gql, pm, START, id=sprint["id"])
    assert started["sprint"]["committedPoints"] == 16
    async with happened_at(db, at(6, 15)):  # A done
        await op(gql, pm, UPDATE_TASK, id=ids["A"], input={"percentComplete": 100})
    async with happened_at(db, at(7, 11)):  # D (2) added mid-sprint
        await op(gql, pm, ADD, s=sprint["id"], t=[ids["D"]])
    async with happened_at(db, at(8, 16)):  # D done, C descoped
        await op(
            gql,
            pm,
            UPDATE_TASK,
            id=ids["D"],
            input={"actualStart": "2026-01-07", "actualFinish": "2026-01-08"},
        )
        await op(gql, pm, REMOVE, s=sprint["id"], t=[ids["C"]])
    async with happened_at(db, at(9, 10)):  # B re-estimated 5 -> 3
        await op(gql, pm, UPDATE_TASK, id=ids["B"], input={"storyPoints": 3})
    async with happened_at(db, at(9, 12)):
        closed = await op(gql, pm, CLOSE, id=sprint["id"])
    async with happened_at(db, at(9, 12, 30)):  # B is carried over to the backlog ...
        async with db.sessions() as session:
            request = (await session.execute(select(SprintCloseRequest.id))).scalar_one()
        assert (await process_close(db.sessions, request, db.events)).moved == [uuid.UUID(ids["B"])]
    async with happened_at(db, at(9, 13)):  # ... and completed later that day
        await op(gql, pm, UPDATE_TASK, id=ids["B"], input={"percentComplete": 100})
    assert closed["sprint"]["completedPoints"] == 5  # A3 + D2

    viewer = world.users[Role.VIEWER].id
    body = await gql(BURNDOWN, {"s": sprint["id"]}, user=viewer)
    chart = body["data"]["sprintBurndown"]
    assert chart["committedPoints"] == 16
    rows = [
        (
            d["day"][-2:],
            d["scopePoints"],
            d["completedPoints"],
            d["remainingPoints"],
            d["idealPoints"],
        )
        for d in chart["days"]
    ]
    assert rows == [
        ("05", 16, 0, 16, 16.0),  # A3 B5 C8
        ("06", 16, 3, 13, 12.0),  # A done
        ("07", 18, 3, 15, 8.0),  # + D2
        ("08", 10, 5, 5, 4.0),  # D done, C8 out: A3 B5 D2 in scope, B5 left
        ("09", 8, 5, 3, 0.0),  # B now 3; the state at closing (the carry-over is after it)
    ]

    body = await gql(VELOCITY, {"p": project, "last": 5}, user=viewer)
    assert body["data"]["velocity"] == {
        "averageCompletedPoints": 5.0,
        "sprints": [{"sprint": {"name": "Jan"}, "committedPoints": 16, "completedPoints": 5}],
    }


async def test_velocity_over_several_sprints_and_future_days(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    done = {"percentComplete": 100}
    async with runner_for(db) as runner:
        sprints = [
            await create_sprint(gql, pm, project, f"S{i}", "2026-01-05", "2026-01-09")
            for i in range(3)
        ]
        for index, (points, finished) in enumerate(((5, 2), (8, 8), (6, 0))):
            # Each sprint plans `points` one-point tasks and finishes `finished` of them (its
            # own first); what is left over is carried into the next sprint.
            task_ids = [
                (await create_task(gql, pm, world.project, f"T{index}-{i}", storyPoints=1))["id"]
                for i in range(points)
            ]
            sprint = sprints[index]
            await op(gql, pm, ADD, s=sprint["id"], t=task_ids)
            await op(gql, pm, START, id=sprint["id"])
            for task_id in task_ids[:finished]:
                await op(gql, pm, UPDATE_TASK, id=task_id, input=done)
            await op(gql, pm, CLOSE, id=sprint["id"])
            await settle(runner)
    body = await gql(VELOCITY, {"p": project, "last": 2}, user=pm)
    assert body["data"]["velocity"] == {
        "averageCompletedPoints": 4.0,  # (8 + 0) / 2: only the last two
        "sprints": [
            # S0 left 3 points to S1; S1 finished only its own 8, so those 3 went on to S2.
            {"sprint": {"name": "S1"}, "committedPoints": 8 + 3, "completedPoints": 8},
            {"sprint": {"name": "S2"}, "committedPoints": 6 + 3, "completedPoints": 0},
        ],
    }
    # S2 closed with no planned sprint after it: its 9 unfinished tasks are in the backlog.
    where = await sprint_of(gql, pm, project)
    assert sum(1 for sprint_id in where.values() if sprint_id is None) == 9
    # A sprint running from yesterday to the day after tomorrow: later days have no value.
    today = dt.datetime.now(dt.UTC).date()
    live = await create_sprint(
        gql,
        pm,
        project,
        "Now",
        (today - dt.timedelta(days=1)).isoformat(),
        (today + dt.timedelta(days=2)).isoformat(),
    )
    body = await gql(BURNDOWN, {"s": live["id"]}, user=pm)
    remaining = [d["remainingPoints"] for d in body["data"]["sprintBurndown"]["days"]]
    assert remaining == [0, 0, None, None]
