"""Mutations of the resource pool, assignments and leveling; each publishes its events after
the commit."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from sqlalchemy import select

from app.events.types import EventType
from app.models import Assignment as AssignmentModel
from app.models import Task as TaskModel
from app.resources import leveling, service
from app.resources.events import announce_assignment, announce_resource
from app.resources.repository import effective_work, live_projects
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.resources.inputs import (
    AssignInput,
    CreateResourceInput,
    LevelingOptionsInput,
    ScopeInput,
    UpdateAssignmentInput,
    UpdateResourceInput,
    assignment_values,
    resource_values,
)
from graph.resources.types import (
    Assignment,
    AssignmentPayload,
    ClearLevelingPayload,
    LevelingPayload,
    Resource,
    ResourcePayload,
)

ResourceResult = Annotated[
    ResourcePayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("ResourceResult"),
]
AssignmentResult = Annotated[
    AssignmentPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("AssignmentResult"),
]
LevelingResult = Annotated[
    LevelingPayload | NotFound | Forbidden | ValidationError, strawberry.union("LevelingResult")
]
ClearLevelingResult = Annotated[
    ClearLevelingPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("ClearLevelingResult"),
]


async def _assignment_payload(
    uow: UnitOfWork, type: EventType, a: AssignmentModel, user_id: uuid.UUID
) -> AssignmentPayload:
    task = (
        await uow.session.execute(
            select(TaskModel.duration, TaskModel.kind).where(TaskModel.id == a.task_id)
        )
    ).one()
    announce_assignment(uow, type, a, effective_work(a, task.duration, task.kind), user_id)
    return AssignmentPayload(assignment=Assignment.from_model(a, task.duration, task.kind))


@strawberry.type
class ResourceMutation:
    @strawberry.mutation(
        description="Add a resource to a workspace's pool (Resource Manager on a project of it)."
    )
    async def create_resource(self, info: Info, input: CreateResourceInput) -> ResourceResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ResourcePayload:
            values = resource_values(input)
            workspace_id = parse_id(input.workspace_id, "workspace")
            resource = await service.create_resource(uow.session, user_id, workspace_id, values)
            projects = await live_projects(uow.session, workspace_id)
            announce_resource(uow, EventType.RESOURCE_CREATED, resource, user_id, projects, values)
            return ResourcePayload(resource=Resource.from_model(resource))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change resource fields (Resource Manager).")
    async def update_resource(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateResourceInput,
        server_version: int | None = None,
    ) -> ResourceResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ResourcePayload:
            values = resource_values(input)
            resource = await service.update_resource(
                uow.session, user_id, parse_id(id, "resource"), values, server_version
            )
            projects = await live_projects(uow.session, resource.workspace_id)
            announce_resource(uow, EventType.RESOURCE_UPDATED, resource, user_id, projects, values)
            return ResourcePayload(resource=Resource.from_model(resource))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Soft-delete a resource and its assignments (Resource Manager)."
    )
    async def delete_resource(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> ResourceResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ResourcePayload:
            resource, _ = await service.delete_resource(
                uow.session, user_id, parse_id(id, "resource"), server_version
            )
            projects = await live_projects(uow.session, resource.workspace_id)
            announce_resource(uow, EventType.RESOURCE_DELETED, resource, user_id, projects)
            return ResourcePayload(resource=Resource.from_model(resource))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Assign a resource to a task (Resource Manager on the task's project). "
        "Not on summaries or milestones; units > 0; once per task and resource."
    )
    async def assign_resource(self, info: Info, input: AssignInput) -> AssignmentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> AssignmentPayload:
            values = {"units": input.units, "work": input.work, "cost": input.cost}
            a = await service.assign(
                uow.session,
                user_id,
                parse_id(input.task_id, "task"),
                parse_id(input.resource_id, "resource"),
                {k: v for k, v in values.items() if v is not None},
            )
            return await _assignment_payload(uow, EventType.ASSIGNMENT_CREATED, a, user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change an assignment's units, work or cost.")
    async def update_assignment(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateAssignmentInput,
        server_version: int | None = None,
    ) -> AssignmentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> AssignmentPayload:
            a = await service.update_assignment(
                uow.session, user_id, parse_id(id, "assignment"), assignment_values(input),
                server_version,
            )  # fmt: skip
            return await _assignment_payload(uow, EventType.ASSIGNMENT_UPDATED, a, user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove an assignment (Resource Manager).")
    async def unassign_resource(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> AssignmentResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> AssignmentPayload:
            a = await service.unassign(
                uow.session, user_id, parse_id(id, "assignment"), server_version
            )
            return await _assignment_payload(uow, EventType.ASSIGNMENT_DELETED, a, user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Level the scope's projects against their workspace's pool as one "
        "problem. `apply: false` (default) previews: nothing is written. `apply: true` "
        "(Resource Manager on every project of the scope) stores each task's leveling delay "
        "and reschedules the projects."
    )
    async def level_resources(
        self,
        info: Info,
        scope: ScopeInput,
        options: LevelingOptionsInput | None = None,
        apply: bool = False,
    ) -> LevelingResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> LevelingPayload:
            chosen = (options or LevelingOptionsInput()).options()
            outcome = await leveling.level_scope(uow, user_id, scope.scope(), chosen, apply=apply)
            return LevelingPayload.build(outcome)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Remove every leveling delay of the scope and reschedule (Resource "
        "Manager on every project of it)."
    )
    async def clear_leveling(self, info: Info, scope: ScopeInput) -> ClearLevelingResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ClearLevelingPayload:
            ids = await leveling.clear_leveling(uow, user_id, scope.scope())
            return ClearLevelingPayload(project_ids=[strawberry.ID(str(p)) for p in ids])

        return await run_mutation(info, work)  # type: ignore[return-value]
