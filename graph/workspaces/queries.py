"""Queries of the workspace domain: only workspaces the caller belongs to exist for them."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.authz import workspace_scope_clause
from app.models import Workspace as WorkspaceModel
from app.models import WorkspaceMember
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.workspaces.common import parse_id
from graph.workspaces.types import Workspace


@strawberry.type
class WorkspaceQuery:
    @strawberry.field(description="Your workspaces, oldest first.")
    async def workspaces(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Workspace]:
        user_id = info.context.require_user()
        stmt = (
            select(WorkspaceModel)
            .join(WorkspaceMember, WorkspaceMember.workspace_id == WorkspaceModel.id)
            .where(
                WorkspaceMember.user_id == user_id,
                WorkspaceModel.is_deleted.is_(False),
                workspace_scope_clause(user_id),
            )
        )
        keys = (WorkspaceModel.created_at.expression, WorkspaceModel.id.expression)
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                keys,
                Workspace.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="One of your workspaces; null when you are not a member.")
    async def workspace(self, info: Info, id: strawberry.ID) -> Workspace | None:
        user_id = info.context.require_user()
        workspace_id = parse_id(id)
        if workspace_id is None:
            return None
        stmt = (
            select(WorkspaceModel)
            .join(WorkspaceMember, WorkspaceMember.workspace_id == WorkspaceModel.id)
            .where(
                WorkspaceModel.id == workspace_id,
                WorkspaceMember.user_id == user_id,
                WorkspaceModel.is_deleted.is_(False),
                workspace_scope_clause(user_id),
            )
        )
        async with info.context.session() as session:
            found = (await session.execute(stmt)).scalar_one_or_none()
        return None if found is None else Workspace.from_model(found)
