"""Label mutations: create, update, delete, and attach/detach on tasks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import strawberry

from app.labels import service
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.labels.types import Label, LabelPayload
from graph.tasks.inputs import ref
from graph.tasks.types import Task, TaskPayload

LabelResult = Annotated[
    LabelPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("LabelResult"),
]
TaskLabelResult = Annotated[
    TaskPayload | NotFound | Forbidden | ValidationError, strawberry.union("TaskLabelResult")
]


@strawberry.input
class CreateLabelInput:
    project_id: strawberry.ID
    name: str
    color: str | None = strawberry.field(default=None, description="`#rrggbb`; default gray.")


@strawberry.input
class UpdateLabelInput:
    name: str | None = None
    color: str | None = None


def _values(data: CreateLabelInput | UpdateLabelInput) -> dict[str, Any]:
    return {k: v for k, v in (("name", data.name), ("color", data.color)) if v is not None}


@strawberry.type
class LabelMutation:
    @strawberry.mutation(description="Create a project label (Team Member).")
    async def create_label(self, info: Info, input: CreateLabelInput) -> LabelResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> LabelPayload:
            project_id = parse_id(input.project_id, "project")
            label = await service.create_label(uow, user_id, project_id, _values(input))
            return LabelPayload(label=Label.from_model(label))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename or recolor a label (Project Manager).")
    async def update_label(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateLabelInput,
        server_version: int | None = None,
    ) -> LabelResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> LabelPayload:
            label_id = parse_id(id, "label")
            label = await service.update_label(
                uow, user_id, label_id, _values(input), server_version
            )
            return LabelPayload(label=Label.from_model(label))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Delete a label and detach it from every task (Project Manager)."
    )
    async def delete_label(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> LabelResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> LabelPayload:
            label = await service.delete_label(uow, user_id, parse_id(id, "label"), server_version)
            return LabelPayload(label=Label.from_model(label))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Put a label on a task; idempotent (Team Member).")
    async def add_task_label(
        self, info: Info, task_id: strawberry.ID, label_id: strawberry.ID
    ) -> TaskLabelResult:
        return await _set(info, task_id, label_id, on=True)

    @strawberry.mutation(description="Take a label off a task; idempotent (Team Member).")
    async def remove_task_label(
        self, info: Info, task_id: strawberry.ID, label_id: strawberry.ID
    ) -> TaskLabelResult:
        return await _set(info, task_id, label_id, on=False)


async def _set(
    info: Info, task_id: strawberry.ID, label_id: strawberry.ID, *, on: bool
) -> TaskLabelResult:
    user_id = info.context.require_user()

    async def work(uow: UnitOfWork) -> TaskPayload:
        task = await service.set_task_label(
            uow, user_id, parse_id(task_id, "task"), _ref(label_id), on=on
        )
        return TaskPayload(task=Task.from_model(task))

    return await run_mutation(info, work)  # type: ignore[return-value]


def _ref(raw: strawberry.ID) -> uuid.UUID:
    """A label id; a malformed one names no label (a ValidationError, like an unknown id)."""
    value = ref(raw)
    assert value is not None
    return value
