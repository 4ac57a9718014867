"""Queries of the resource pool, assignments, usage and over-allocations."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy import select

from app.authz import pool_role
from app.errors import AppError, NotFoundError
from app.models import Assignment as AssignmentModel
from app.models import Resource as ResourceModel
from app.models import Task as TaskModel
from app.resources import usage
from app.resources.repository import (
    ResourceFilter,
    load_assignment,
    load_resource,
    visible_assignments,
    workspace_resources,
)
from graph.context import Info
from graph.errors import Forbidden, NotFound, ValidationError, to_error
from graph.pagination import Connection, paginate
from graph.resources.inputs import ScopeInput
from graph.resources.types import (
    Assignment,
    Overallocation,
    OverallocationList,
    PeriodEnum,
    Resource,
    ResourceKind,
    ResourceUsageList,
    ResourceUsageRow,
)
from graph.tasks.inputs import ref

ResourceUsageResult = Annotated[
    ResourceUsageList | NotFound | Forbidden | ValidationError,
    strawberry.union("ResourceUsageResult"),
]
OverallocationsResult = Annotated[
    OverallocationList | NotFound | Forbidden | ValidationError,
    strawberry.union("OverallocationsResult"),
]


@strawberry.type
class ResourceQuery:
    @strawberry.field(
        description="A workspace's live resources by name (anyone with a role on one of its "
        "projects). Filters combine: any of `kind`, carrying `label`, name starting with `search`."
    )
    async def resources(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        kind: list[ResourceKind] | None = None,
        label: str | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Resource]:
        user_id = info.context.require_user()
        workspace = ref(workspace_id)
        where = ResourceFilter([k.value for k in kind or ()], label, search)
        async with info.context.session() as session:
            visible = workspace is not None
            if workspace is not None:
                try:
                    await pool_role(session, user_id, workspace)
                except NotFoundError:
                    visible = False
            stmt = (
                workspace_resources(workspace, where)  # type: ignore[arg-type]
                if visible
                else select(ResourceModel).where(ResourceModel.id.is_(None))
            )
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [ResourceModel.name.expression, ResourceModel.id.expression],
                Resource.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="One live resource, or null when absent or not visible.")
    async def resource(self, info: Info, id: strawberry.ID) -> Resource | None:
        user_id = info.context.require_user()
        target = ref(id)
        if target is None:
            return None
        async with info.context.session() as session:
            try:
                found, _ = await load_resource(session, user_id, target)
            except NotFoundError:
                return None
            return Resource.from_model(found)

    @strawberry.field(description="One live assignment, or null when absent or not visible.")
    async def assignment(self, info: Info, id: strawberry.ID) -> Assignment | None:
        user_id = info.context.require_user()
        target = ref(id)
        if target is None:
            return None
        async with info.context.session() as session:
            try:
                found, _ = await load_assignment(session, user_id, target)
            except NotFoundError:
                return None
            task = await session.get_one(TaskModel, found.task_id)
            return Assignment.from_model(found, task.duration, task.kind)

    @strawberry.field(description="A resource's live assignments in the projects you see.")
    async def resource_assignments(
        self, info: Info, resource_id: strawberry.ID
    ) -> list[Assignment]:
        user_id = info.context.require_user()
        target = ref(resource_id)
        if target is None:
            return []
        stmt = (
            visible_assignments(user_id)
            .add_columns(TaskModel.duration, TaskModel.kind)
            .where(AssignmentModel.resource_id == target)
            .order_by(AssignmentModel.created_at, AssignmentModel.id)
        )
        async with info.context.session() as session:
            rows = await session.execute(stmt)
            return [Assignment.from_model(a, duration, kind) for a, duration, kind in rows]

    @strawberry.field(
        description="Per work resource of the pool and period from `from` through `to`: units "
        "the scope's tasks ask for against units available, in unit-days, and whether any day "
        "is over-allocated. Dates are the engine's, leveling included."
    )
    async def resource_usage(
        self,
        info: Info,
        scope: ScopeInput,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        period: PeriodEnum = usage.Period.DAY,  # type: ignore[valid-type]
    ) -> ResourceUsageResult:
        user_id = info.context.require_user()
        try:
            async with info.context.session() as session:
                rows = await usage.resource_usage(
                    session, user_id, scope.scope(), from_, to, usage.Period(period)
                )
        except AppError as exc:
            return to_error(exc)  # type: ignore[return-value]
        return ResourceUsageList(resources=[ResourceUsageRow.build(r) for r in rows])

    @strawberry.field(
        description="Every stretch of days a work resource of the scope is asked for more "
        "than it has, and by which tasks."
    )
    async def overallocations(
        self,
        info: Info,
        scope: ScopeInput,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> OverallocationsResult:
        user_id = info.context.require_user()
        try:
            async with info.context.session() as session:
                rows = await usage.overallocations(session, user_id, scope.scope(), from_, to)
        except AppError as exc:
            return to_error(exc)  # type: ignore[return-value]
        return OverallocationList(
            overallocations=[
                Overallocation(
                    resource_id=strawberry.ID(str(o.resource_id)),
                    first=o.first,
                    last=o.last,
                    task_ids=[strawberry.ID(t) for t in o.task_ids],
                    used=o.used,
                    available=o.available,
                    reason=None,
                )
                for o in rows
            ]
        )
