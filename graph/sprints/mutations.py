"""Mutations of the sprint domain. Each returns a union of its payload and typed errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry

from app.sprints import service
from app.sprints.errors import ActiveSprintExistsError, SprintStateError
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.sprints.inputs import CreateSprintInput, UpdateSprintInput, create_values, update_values
from graph.sprints.types import (
    ActiveSprintExists,
    InvalidSprintState,
    Sprint,
    SprintPayload,
    SprintPlanPayload,
    SprintState,
)
from graph.tasks.inputs import ref
from graph.tasks.types import ids

T = TypeVar("T")

CreateSprintResult = Annotated[
    SprintPayload | NotFound | Forbidden | ValidationError, strawberry.union("CreateSprintResult")
]
UpdateSprintResult = Annotated[
    SprintPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("UpdateSprintResult"),
]
SprintStateResult = Annotated[
    SprintPayload | NotFound | Forbidden | Conflict | InvalidSprintState,
    strawberry.union("SprintStateResult"),
]
StartSprintResult = Annotated[
    SprintPayload | NotFound | Forbidden | Conflict | InvalidSprintState | ActiveSprintExists,
    strawberry.union("StartSprintResult"),
]
PlanSprintResult = Annotated[
    SprintPlanPayload | NotFound | Forbidden | ValidationError | InvalidSprintState,
    strawberry.union("PlanSprintResult"),
]


async def _run(info: Info, work: Callable[[UnitOfWork], Awaitable[T]]) -> Any:
    """`run_mutation` plus this domain's errors (the shared mapper re-raises ones it does not
    know, after the transaction has rolled back)."""
    try:
        return await run_mutation(info, work)
    except ActiveSprintExistsError as exc:
        return ActiveSprintExists(
            message=exc.message, active_sprint_id=strawberry.ID(str(exc.active_sprint_id))
        )
    except SprintStateError as exc:
        return InvalidSprintState(message=exc.message, state=SprintState(exc.state))


def _task_ids(raw: list[strawberry.ID]) -> list[uuid.UUID]:
    return [ref(value) or uuid.UUID(int=0) for value in raw]


@strawberry.type
class SprintMutation:
    @strawberry.mutation(description="Create a planned sprint (Team Member).")
    async def create_sprint(self, info: Info, input: CreateSprintInput) -> CreateSprintResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPayload:
            project_id = parse_id(input.project_id, "project")
            sprint = await service.create_sprint(uow, user_id, project_id, create_values(input))
            return SprintPayload(sprint=Sprint.from_model(sprint))

        result: CreateSprintResult = await _run(info, work)
        return result

    @strawberry.mutation(description="Change a sprint's name, goal, dates or order (Team Member).")
    async def update_sprint(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateSprintInput,
        server_version: int | None = None,
    ) -> UpdateSprintResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPayload:
            sprint = await service.update_sprint(
                uow, user_id, parse_id(id, "sprint"), update_values(input), server_version
            )
            return SprintPayload(sprint=Sprint.from_model(sprint))

        result: UpdateSprintResult = await _run(info, work)
        return result

    @strawberry.mutation(
        description="Soft-delete a planned or closed sprint; its tasks return to the backlog."
    )
    async def delete_sprint(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> SprintStateResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPayload:
            gone = await service.delete_sprint(uow, user_id, parse_id(id, "sprint"), server_version)
            return SprintPayload(sprint=Sprint.from_model(gone))

        result: SprintStateResult = await _run(info, work)
        return result

    @strawberry.mutation(description="Plan tasks into a planned or active sprint (Team Member).")
    async def add_tasks_to_sprint(
        self, info: Info, sprint_id: strawberry.ID, task_ids: list[strawberry.ID]
    ) -> PlanSprintResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPlanPayload:
            sprint, moved = await service.add_tasks(
                uow, user_id, parse_id(sprint_id, "sprint"), _task_ids(task_ids)
            )
            return SprintPlanPayload(sprint=Sprint.from_model(sprint), moved_task_ids=ids(moved))

        result: PlanSprintResult = await _run(info, work)
        return result

    @strawberry.mutation(description="Send tasks of a sprint back to the backlog (Team Member).")
    async def remove_tasks_from_sprint(
        self, info: Info, sprint_id: strawberry.ID, task_ids: list[strawberry.ID]
    ) -> PlanSprintResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPlanPayload:
            sprint, moved = await service.remove_tasks(
                uow, user_id, parse_id(sprint_id, "sprint"), _task_ids(task_ids)
            )
            return SprintPlanPayload(sprint=Sprint.from_model(sprint), moved_task_ids=ids(moved))

        result: PlanSprintResult = await _run(info, work)
        return result

    @strawberry.mutation(description="Start a planned sprint; one active sprint per project.")
    async def start_sprint(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> StartSprintResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPayload:
            sprint = await service.start_sprint(
                uow, user_id, parse_id(id, "sprint"), server_version
            )
            return SprintPayload(sprint=Sprint.from_model(sprint))

        result: StartSprintResult = await _run(info, work)
        return result

    @strawberry.mutation(
        description="Close the active sprint; its unfinished tasks then move to the next "
        "planned sprint, or the backlog, in the background."
    )
    async def close_sprint(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> SprintStateResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> SprintPayload:
            sprint = await service.close_sprint(
                uow, user_id, parse_id(id, "sprint"), server_version
            )
            return SprintPayload(sprint=Sprint.from_model(sprint))

        result: SprintStateResult = await _run(info, work)
        return result
