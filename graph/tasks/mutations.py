"""Mutations of the task domain: tasks (create, update, move, delete) and dependency links.

Each returns a union of its payload and the typed errors it can produce.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from app.state import UnitOfWork
from app.tasks import dependencies, service
from app.tasks.placement import Target
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import (
    Conflict,
    DependencyCycle,
    Forbidden,
    NotFound,
    ValidationError,
    run_mutation,
)
from graph.tasks.inputs import (
    CreateDependencyInput,
    CreateTaskInput,
    UpdateDependencyInput,
    UpdateTaskInput,
    link_values,
    ref,
    task_changes,
)
from graph.tasks.types import (
    DeleteTaskPayload,
    Dependency,
    DependencyPayload,
    Task,
    TaskPayload,
    ids,
)

CreateTaskResult = Annotated[
    TaskPayload | NotFound | Forbidden | ValidationError, strawberry.union("CreateTaskResult")
]
UpdateTaskResult = Annotated[
    TaskPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("UpdateTaskResult"),
]
DeleteTaskResult = Annotated[
    DeleteTaskPayload | NotFound | Forbidden | Conflict, strawberry.union("DeleteTaskResult")
]
DependencyResult = Annotated[
    DependencyPayload | NotFound | Forbidden | ValidationError | Conflict | DependencyCycle,
    strawberry.union("DependencyResult"),
]


async def create_from_input(uow: UnitOfWork, user_id: uuid.UUID, input: CreateTaskInput) -> Task:
    """`createTask`'s work, also each item of `createTasks` (graph/tasks/bulk_mutations.py)."""
    changes = task_changes(input)
    changes["name"] = input.name
    target = Target(
        parent_id=ref(input.parent_id),
        before_id=ref(input.before_id),
        after_id=ref(input.after_id),
        parent_path=("input", "parentId"),
        before_path=("input", "beforeId"),
        after_path=("input", "afterId"),
    )
    project_id = parse_id(input.project_id, "project")
    task = await service.create_task(uow.session, user_id, project_id, changes, target)
    return Task.from_model(task)


@strawberry.type
class TaskMutation:
    @strawberry.mutation(description="Create a task (Team Member; schedule fields need PM).")
    async def create_task(self, info: Info, input: CreateTaskInput) -> CreateTaskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> TaskPayload:
            return TaskPayload(task=await create_from_input(uow, user_id, input))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change task fields; `serverVersion` guards a stale edit.")
    async def update_task(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateTaskInput,
        server_version: int | None = None,
    ) -> UpdateTaskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> TaskPayload:
            task_id = parse_id(id, "task")
            changes = task_changes(input)
            task = await service.update_task(uow.session, user_id, task_id, changes, server_version)
            return TaskPayload(task=Task.from_model(task))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Move a task with its subtree in the WBS: re-parent and/or re-order it "
        "(Project Manager). With beforeId/afterId the parent is that sibling's; else "
        "newParentId (null = top level). Board moves are `moveTask`."
    )
    async def move_wbs_task(
        self,
        info: Info,
        id: strawberry.ID,
        new_parent_id: strawberry.ID | None = None,
        before_id: strawberry.ID | None = None,
        after_id: strawberry.ID | None = None,
        server_version: int | None = None,
    ) -> UpdateTaskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> TaskPayload:
            target = Target(
                parent_id=ref(new_parent_id),
                before_id=ref(before_id),
                after_id=ref(after_id),
                parent_path=("newParentId",),
                before_path=("beforeId",),
                after_path=("afterId",),
            )
            task_id = parse_id(id, "task")
            task = await service.move_task(uow.session, user_id, task_id, target, server_version)
            return TaskPayload(task=Task.from_model(task))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Soft-delete a task, its subtree and their links (PM).")
    async def delete_task(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> DeleteTaskResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DeleteTaskPayload:
            task_id = parse_id(id, "task")
            gone = await service.delete_task(uow.session, user_id, task_id, server_version)
            return DeleteTaskPayload(
                deleted_task_ids=ids(gone.task_ids),
                deleted_dependency_ids=ids(gone.dependency_ids),
            )

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Link two tasks of one project (Project Manager).")
    async def create_dependency(self, info: Info, input: CreateDependencyInput) -> DependencyResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DependencyPayload:
            link = await dependencies.create_dependency(
                uow.session,
                user_id,
                parse_id(input.predecessor_id, "task"),
                parse_id(input.successor_id, "task"),
                link_values(input),
            )
            return DependencyPayload(dependency=Dependency.from_model(link))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a link's type, lag or lag unit (Project Manager).")
    async def update_dependency(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateDependencyInput,
        server_version: int | None = None,
    ) -> DependencyResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DependencyPayload:
            link_id = parse_id(id, "dependency")
            link = await dependencies.update_dependency(
                uow.session, user_id, link_id, link_values(input), server_version
            )
            return DependencyPayload(dependency=Dependency.from_model(link))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Soft-delete a link; returns its tombstone (PM).")
    async def delete_dependency(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> DependencyResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DependencyPayload:
            link_id = parse_id(id, "dependency")
            link = await dependencies.delete_dependency(
                uow.session, user_id, link_id, server_version
            )
            return DependencyPayload(dependency=Dependency.from_model(link))

        return await run_mutation(info, work)  # type: ignore[return-value]
