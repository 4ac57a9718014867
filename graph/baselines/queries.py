"""Baseline queries: a project's baselines, one baseline, and the comparison with one.
Viewer and up; a project or baseline you cannot see is an empty list or null."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from app.authz import visible_projects
from app.baselines import comparison, service
from app.errors import NotFoundError
from graph.baselines.types import Baseline, BaselineComparison
from graph.context import Info


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.UUID(int=0)


@strawberry.type
class BaselineQuery:
    @strawberry.field(description="A project's live baselines, newest first.")
    async def baselines(self, info: Info, project_id: strawberry.ID) -> list[Baseline]:
        user_id = info.context.require_user()
        project = _uuid(project_id)
        visible = visible_projects(user_id).subquery()
        async with info.context.session() as session:
            seen = await session.execute(
                select(visible.c.project_id).where(visible.c.project_id == project)
            )
            if seen.scalar_one_or_none() is None:
                return []
            return [Baseline.from_model(b) for b in await service.baselines_of(session, project)]

    @strawberry.field(description="One live baseline, or null.")
    async def baseline(self, info: Info, id: strawberry.ID) -> Baseline | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                found, _ = await service.load_baseline(session, user_id, _uuid(id))
            except NotFoundError:
                return None
        return Baseline.from_model(found)

    @strawberry.field(
        description="Per-task start/finish/duration variance against a baseline (working "
        "days), added and removed tasks and a project summary; null if not visible."
    )
    async def baseline_comparison(
        self, info: Info, project_id: strawberry.ID, baseline_id: strawberry.ID
    ) -> BaselineComparison | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                result = await comparison.compare(
                    session, user_id, _uuid(project_id), _uuid(baseline_id)
                )
            except NotFoundError:
                return None
        return BaselineComparison.from_result(result)
