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
from tests.graph.tasks.factories import make_world


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
