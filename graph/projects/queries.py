"""Queries of the project domain; visibility is part of every statement's SQL."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, select

from app.authz import visible_projects
from app.models import Project as ProjectModel
from app.models.enums import Role
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.projects.types import Project
from graph.workspaces.common import parse_id

_KEYS = (ProjectModel.created_at.expression, ProjectModel.id.expression)


async def _page(
    info: Info, stmt: Select[Any], first: int | None, after: str | None
) -> Connection[Project]:
    async with info.context.session() as session:
        return await paginate(
            session,
            info.context.settings,
            stmt,
            _KEYS,
            Project.from_model,
            first=first,
            after=after,
        )


def _none_matches() -> Select[Any]:
    return select(ProjectModel).where(ProjectModel.id.is_(None))


@strawberry.type
class ProjectQuery:
    @strawberry.field(
        description="Live projects you can see, oldest first; optionally only those of one "
        "workspace and/or program."
    )
    async def projects(
        self,
        info: Info,
        workspace_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Project]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = select(ProjectModel).join(visible, visible.c.project_id == ProjectModel.id)
        for given, column in (
            (workspace_id, ProjectModel.workspace_id),
            (program_id, ProjectModel.program_id),
        ):
            if given is not None:
                parsed = parse_id(given)
                stmt = _none_matches() if parsed is None else stmt.where(column == parsed)
        return await _page(info, stmt, first, after)

    @strawberry.field(description="A live project you can see; null otherwise.")
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        user_id = info.context.require_user()
        project_id = parse_id(id)
        if project_id is None:
            return None
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(ProjectModel)
            .join(visible, visible.c.project_id == ProjectModel.id)
            .where(ProjectModel.id == project_id)
        )
        async with info.context.session() as session:
            found = (await session.execute(stmt)).scalar_one_or_none()
        return None if found is None else Project.from_model(found)

    @strawberry.field(description="Projects in the trash of a workspace that you administer.")
    async def trashed_projects(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Project]:
        user_id = info.context.require_user()
        parsed = parse_id(workspace_id)
        if parsed is None:
            return await _page(info, _none_matches(), first, after)
        trashed = visible_projects(user_id, deleted=True).subquery()
        stmt = (
            select(ProjectModel)
            .join(trashed, trashed.c.project_id == ProjectModel.id)
            .where(
                ProjectModel.workspace_id == parsed,
                trashed.c.role >= int(Role.PROJECT_ADMIN),
            )
        )
        return await _page(info, stmt, first, after)
