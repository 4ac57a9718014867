"""Registry entries of the resource pool (pulled by every project of its workspace, written
only over GraphQL) and of assignments (pulled and pushed like any project table)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from app.errors import ValidationFailed
from app.events.types import EventType
from app.models import Assignment, Resource, Task
from app.resources import service as resources
from app.resources.events import announce_assignment
from app.resources.repository import effective_work
from app.state import UnitOfWork
from app.sync.registry import Appliers, SyncedTable, register, required

register(
    SyncedTable(
        name="resources",
        model=Resource,
        columns=("workspace_id", *resources.RESOURCE_FIELDS),
        writable=frozenset(),
        computed=frozenset({"workspace_id", *resources.RESOURCE_FIELDS}),
        key="workspace_id",
        order=15,
        notes={
            "availability": "JSON list of {start, units}: max_units changes from each start on",
            "days_off": "JSON list of {start, end} inclusive date ranges the resource is off",
            "labels": "JSON list of strings (groups and skills)",
        },
    )
)


async def _announce(uow: UnitOfWork, type: EventType, a: Assignment, user: uuid.UUID) -> None:
    task = (
        await uow.session.execute(select(Task.duration, Task.kind).where(Task.id == a.task_id))
    ).one()
    announce_assignment(uow, type, a, effective_work(a, task.duration, task.kind), user)


def _values(v: dict[str, Any]) -> dict[str, Any]:
    return {k: v[k] for k in resources.ASSIGNMENT_FIELDS if k in v and v[k] is not None}


async def _create(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    task_id, resource_id = required("assignments", v, "task_id", "resource_id")
    a = await resources.assign(
        uow.session, user, task_id, resource_id, _values(v), assignment_id=row_id
    )
    if a.project_id != project:
        raise ValidationFailed.single("task_id", "the task is in another project")
    await _announce(uow, EventType.ASSIGNMENT_CREATED, a, user)


async def _update(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]) -> None:
    values = {k: v[k] for k in resources.ASSIGNMENT_FIELDS if k in v}
    if values.get("units") is None:
        values.pop("units", None)  # units cannot be cleared; work and cost can
    a = await resources.update_assignment(uow.session, user, row_id, values, None)
    await _announce(uow, EventType.ASSIGNMENT_UPDATED, a, user)


async def _delete(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    a = await resources.unassign(uow.session, user, row_id, None)
    await _announce(uow, EventType.ASSIGNMENT_DELETED, a, user)


register(
    SyncedTable(
        name="assignments",
        model=Assignment,
        columns=("project_id", "task_id", "resource_id", "units", "work", "cost"),
        writable=frozenset({"task_id", "resource_id", "units", "work", "cost"}),
        create_only=frozenset({"task_id", "resource_id"}),
        appliers=Appliers(_create, _update, _delete),
        order=65,
        notes={"work": "hours; null: the task's duration x units x 8 hours"},
    )
)
