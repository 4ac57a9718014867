"""Sprint queries: a project's sprints, one sprint, its burndown, the project's velocity and
backlog. Visibility is joined into every statement (Viewer and up read everything here)."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from app.authz import visible_projects
from app.models import Sprint as SprintModel
from app.models import Task as TaskModel
from app.sprints import burndown as charts
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.sprints.types import Burndown, Sprint, SprintState, Velocity
from graph.tasks.types import Task

_NOWHERE = uuid.UUID(int=0)


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return _NOWHERE


async def _visible_sprint(info: Info, sprint_id: strawberry.ID) -> SprintModel | None:
    user_id = info.context.require_user()
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(SprintModel)
        .join(visible, visible.c.project_id == SprintModel.project_id)
        .where(SprintModel.id == _uuid(sprint_id), SprintModel.is_deleted.is_(False))
    )
    async with info.context.session() as session:
        return (await session.execute(stmt)).scalar_one_or_none()


@strawberry.type
class SprintQuery:
    @strawberry.field(description="A project's live sprints by order (optionally one state).")
    async def sprints(
        self,
        info: Info,
        project_id: strawberry.ID,
        state: SprintState | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Sprint]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(SprintModel)
            .join(visible, visible.c.project_id == SprintModel.project_id)
            .where(SprintModel.project_id == _uuid(project_id), SprintModel.is_deleted.is_(False))
        )
        if state is not None:
            stmt = stmt.where(SprintModel.state == state.value)
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [SprintModel.sort_order.expression, SprintModel.id.expression],
                Sprint.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="One live sprint, or null when absent or not visible.")
    async def sprint(self, info: Info, id: strawberry.ID) -> Sprint | None:
        found = await _visible_sprint(info, id)
        return Sprint.from_model(found) if found else None

    @strawberry.field(description="Remaining points per day of a sprint, or null.")
    async def sprint_burndown(self, info: Info, sprint_id: strawberry.ID) -> Burndown | None:
        found = await _visible_sprint(info, sprint_id)
        if found is None:
            return None
        async with info.context.session() as session:
            return Burndown.from_result(await charts.burndown(session, found))

    @strawberry.field(description="Points completed per closed sprint (the last `last`), or null.")
    async def velocity(
        self, info: Info, project_id: strawberry.ID, last: int = 10
    ) -> Velocity | None:
        user_id = info.context.require_user()
        project = _uuid(project_id)
        visible = visible_projects(user_id).subquery()
        async with info.context.session() as session:
            seen = await session.execute(
                select(visible.c.project_id).where(visible.c.project_id == project)
            )
            if seen.scalar_one_or_none() is None:
                return None
            result = await charts.velocity(session, project, max(1, min(last, 100)))
        return Velocity.from_result(result)

    @strawberry.field(description="Live non-summary tasks in no sprint, oldest first.")
    async def backlog(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(TaskModel)
            .join(visible, visible.c.project_id == TaskModel.project_id)
            .where(
                TaskModel.project_id == _uuid(project_id),
                TaskModel.is_deleted.is_(False),
                TaskModel.sprint_id.is_(None),
                TaskModel.kind != "summary",
            )
        )
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [TaskModel.created_at.expression, TaskModel.id.expression],
                Task.from_model,
                first=first,
                after=after,
            )
