"""`Task.from_row` (plain rows: the tree and the board) gives the same GraphQL object as
`Task.from_model` (ORM objects) for every field."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Table, select, update
from strawberry.types.base import get_object_definition

from app.models import Task as TaskModel
from app.state import AppState
from graph.tasks.types import Task, tasks
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import create_task, make_world


async def test_a_row_and_a_model_make_the_same_task(db: AppState) -> None:
    world = await make_world(db)
    parent, child = uuid.uuid4(), uuid.uuid4()
    async with db.sessions() as session, session.begin():
        session.add(
            TaskModel(
                id=child, project_id=world.project.id, wbs_path=f"t{parent.hex}.t{child.hex}",
                wbs_rank="b",
                name="Child", duration=3, constraint_type="SNET",
                constraint_date=dt.date(2027, 1, 4), optimistic_duration=2.0,
                most_likely_duration=3.0, pessimistic_duration=5.0, story_points=8,
                board_rank="c", priority=700, percent_complete=25.0,
            )
        )  # fmt: skip
    async with db.sessions() as session:
        await session.execute(update(TaskModel).values(early_start=dt.date(2027, 1, 4)))
        orm = (await session.scalars(select(TaskModel))).one()
        table = TaskModel.__table__
        assert isinstance(table, Table)
        row = (await session.execute(select(table))).one()
    from_model, from_row = Task.from_model(orm, "1.1"), tasks([(row, "1.1")])[0]
    fields = [f.python_name for f in get_object_definition(Task, strict=True).fields]
    assert from_row.model.id == from_model.model.id  # the row or the ORM object itself
    for name in fields:
        value = getattr(from_model, name)
        if callable(value) or name == "model":
            continue  # a resolver: reads `model`, which both have
        assert getattr(from_row, name) == value, name
    assert from_row.outline == "1.1"
    assert from_row.parent_id == str(parent)
    assert from_row.depth == 2
    assert from_row.optimistic == 2.0
    assert from_row.constraint_date == dt.date(2027, 1, 4)


async def test_task_pages_follow_the_cursor_and_refuse_a_forged_one(
    gql: GraphQLClient, db: AppState
) -> None:
    import base64
    import json

    world = await make_world(db)
    for name in ("A", "B", "C"):
        await create_task(gql, world.pm, world.project, name)
    query = (
        "query($p: ID!, $after: String) { tasks(projectId: $p, first: 2, after: $after) "
        "{ totalCount edges { cursor node { name outlineNumber } } pageInfo { hasNextPage } } }"
    )
    first = (await gql(query, {"p": str(world.project.id)}, user=world.pm))["data"]["tasks"]
    assert [e["node"]["name"] for e in first["edges"]] == ["A", "B"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    after = first["edges"][-1]["cursor"]
    rest = await gql(query, {"p": str(world.project.id), "after": after}, user=world.pm)
    assert [e["node"] for e in rest["data"]["tasks"]["edges"]] == [
        {"name": "C", "outlineNumber": "3"}
    ]
    assert rest["data"]["tasks"]["pageInfo"]["hasNextPage"] is False
    forged = base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode()
    bad = await gql(query, {"p": str(world.project.id), "after": forged}, user=world.pm)
    assert bad["errors"][0]["message"] == "invalid cursor"
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
