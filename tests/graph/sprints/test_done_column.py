"""A card in a Done board column is done for sprints: burndown, velocity and carry-over.

The sprint is replayed in January 2026 through the real mutations (`happened_at` re-dates
what each step logs); the numbers are worked out by hand in the comments. None of the moves
touch percent complete or actual finish: only the column decides.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from app.models import SprintCloseRequest
from app.sprints.closing import process_close
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.boards.helpers import board, column_ids, move
from tests.graph.sprints.helpers import (
    ADD,
    CLOSE,
    START,
    create_sprint,
    happened_at,
    op,
    sprint_of,
)
from tests.graph.tasks.factories import create_task, make_world

BURNDOWN = """
query($s: ID!) { sprintBurndown(sprintId: $s) { days { day remainingPoints completedPoints } } }"""
VELOCITY = """
query($p: ID!) { velocity(projectId: $p) { sprints { committedPoints completedPoints } } }"""
UPDATE_COLUMN = """
mutation($id: ID!, $input: UpdateBoardColumnInput!) {
  updateBoardColumn(id: $id, input: $input) { __typename }
}"""
DELETE_COLUMN = """
mutation($id: ID!, $to: ID) {
  deleteBoardColumn(id: $id, moveCardsTo: $to) { __typename }
}"""


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, tzinfo=dt.UTC)


async def _chart(gql: GraphQLClient, user: uuid.UUID, sprint: str) -> list[tuple[int, int]]:
    body = await gql(BURNDOWN, {"s": sprint}, user=user)
    assert "errors" not in body, body
    return [
        (d["remainingPoints"], d["completedPoints"]) for d in body["data"]["sprintBurndown"]["days"]
    ]


async def _planned(
    gql: GraphQLClient, db: AppState, points: dict[str, int]
) -> tuple[Any, dict[str, str], dict[str, str], str]:
    """A world whose sprint Jan (5-9 January) holds one task per entry of `points`, started
    on the 5th; returns (world, task ids, column ids, sprint id)."""
    world = await make_world(db)
    ids: dict[str, str] = {}
    async with happened_at(db, at(2, 10)):
        for name, value in points.items():
            ids[name] = (await create_task(gql, world.pm, world.project, name, storyPoints=value))[
                "id"
            ]
        sprint = await create_sprint(
            gql, world.pm, str(world.project.id), "Jan", "2026-01-05", "2026-01-09"
        )
        await op(gql, world.pm, ADD, s=sprint["id"], t=list(ids.values()))
    async with happened_at(db, at(5, 9)):
        await op(gql, world.pm, START, id=sprint["id"])
    columns = column_ids(await board(gql, world.pm, world.project.id))
    return world, ids, columns, sprint["id"]


async def _moved(gql: GraphQLClient, user: uuid.UUID, task: str, column: str) -> None:
    assert (await move(gql, user, task, column))["__typename"] == "TaskPayload"


async def test_moving_a_card_into_done_and_back_counts_for_burndown_velocity_and_close(
    gql: GraphQLClient, db: AppState
) -> None:
    world, ids, columns, sprint = await _planned(gql, db, {"A": 3, "B": 5, "C": 2})
    pm = world.pm
    async with happened_at(db, at(6, 15)):  # A to Done: 10 -> 7 left
        await _moved(gql, pm, ids["A"], columns["Done"])
    async with happened_at(db, at(7, 11)):  # B to Done, A back to In Progress: 5 left
        await _moved(gql, pm, ids["B"], columns["Done"])
        await _moved(gql, pm, ids["A"], columns["In Progress"])
    async with happened_at(db, at(8, 16)):  # moving within "not done" columns changes nothing
        await _moved(gql, pm, ids["C"], columns["In Progress"])
    async with happened_at(db, at(9, 12)):
        closed = await op(gql, pm, CLOSE, id=sprint)
    assert closed["sprint"]["completedPoints"] == 5  # B only
    assert await _chart(gql, pm, sprint) == [(10, 0), (7, 3), (5, 5), (5, 5), (5, 5)]

    async with db.sessions() as session:
        request = (await session.execute(select(SprintCloseRequest.id))).scalar_one()
    outcome = await process_close(db.sessions, request, db.events)
    # B sits in Done: it stays with the closed sprint; A and C go to the backlog.
    assert sorted(outcome.moved) == sorted(uuid.UUID(ids[n]) for n in ("A", "C"))
    where = await sprint_of(gql, pm, str(world.project.id))
    assert where == {"A": None, "B": sprint, "C": None}

    body = await gql(VELOCITY, {"p": str(world.project.id)}, user=pm)
    assert body["data"]["velocity"]["sprints"] == [{"committedPoints": 10, "completedPoints": 5}]


async def test_recategorizing_or_deleting_the_done_column_reopens_its_cards(
    gql: GraphQLClient, db: AppState
) -> None:
    world, ids, columns, sprint = await _planned(gql, db, {"A": 3, "B": 5})
    pm = world.pm
    async with happened_at(db, at(6, 10)):  # both in Done: nothing left
        await _moved(gql, pm, ids["A"], columns["Done"])
        await _moved(gql, pm, ids["B"], columns["Done"])
    async with happened_at(db, at(7, 10)):  # "Done" becomes an in-progress column: 8 left
        body = await gql(
            UPDATE_COLUMN, {"id": columns["Done"], "input": {"category": "IN_PROGRESS"}}, user=pm
        )
        assert body["data"]["updateBoardColumn"]["__typename"] == "BoardColumnPayload", body
    async with happened_at(db, at(8, 10)):  # "To Do" becomes the done column: A moved there
        body = await gql(
            UPDATE_COLUMN, {"id": columns["To Do"], "input": {"category": "DONE"}}, user=pm
        )
        assert body["data"]["updateBoardColumn"]["__typename"] == "BoardColumnPayload", body
        await _moved(gql, pm, ids["A"], columns["To Do"])
    async with happened_at(db, at(9, 10)):  # deleting it sends A to "In Progress": 8 left
        body = await gql(
            DELETE_COLUMN, {"id": columns["To Do"], "to": columns["In Progress"]}, user=pm
        )
        assert body["data"]["deleteBoardColumn"]["__typename"] == "DeleteBoardColumnPayload", body
    chart = await _chart(gql, pm, sprint)
    assert chart == [(8, 0), (0, 8), (8, 0), (5, 3), (8, 0)]
