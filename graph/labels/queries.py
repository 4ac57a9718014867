"""Label queries."""

from __future__ import annotations

import strawberry
from sqlalchemy import func, select

from app.authz import visible_projects
from app.models import Label as LabelModel
from graph.context import Info
from graph.labels.types import Label
from graph.tasks.queries import lookup_id


@strawberry.type
class LabelQuery:
    @strawberry.field(description="A project's live labels by name (empty when not visible).")
    async def labels(self, info: Info, project_id: strawberry.ID) -> list[Label]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(LabelModel)
            .join(visible, visible.c.project_id == LabelModel.project_id)
            .where(LabelModel.project_id == lookup_id(project_id), LabelModel.is_deleted.is_(False))
            .order_by(func.lower(LabelModel.name), LabelModel.id)
        )
        async with info.context.session() as session:
            return [Label.from_model(row) for row in (await session.execute(stmt)).scalars()]
