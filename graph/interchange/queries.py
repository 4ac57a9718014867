"""Import and export reads: one import, a project's imports (oldest first), and a project as
MSPDI. Visibility (Viewer and up) is joined into each statement or checked first."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import Select, select
from sqlalchemy.orm import defer

from app.authz import visible_projects
from app.errors import NotFoundError
from app.interchange.export import load_export, render_mspdi
from app.models import ImportRequest
from graph.context import Info
from graph.interchange.types import PlanExport, PlanImport
from graph.pagination import Connection, paginate

MSPDI_CONTENT_TYPE = "application/vnd.ms-project+xml"


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.UUID(int=0)


def _visible_imports(user_id: uuid.UUID) -> Select[ImportRequest]:
    visible = visible_projects(user_id).subquery()
    return (
        select(ImportRequest)
        .options(defer(ImportRequest.content))  # the uploaded file is never read back
        .join(visible, visible.c.project_id == ImportRequest.project_id)
    )


@strawberry.type
class InterchangeQuery:
    @strawberry.field(description="One plan import, or null when absent or not visible.")
    async def plan_import(self, info: Info, id: strawberry.ID) -> PlanImport | None:
        user_id = info.context.require_user()
        stmt = _visible_imports(user_id).where(ImportRequest.id == _uuid(id))
        async with info.context.session() as session:
            row = (await session.execute(stmt)).scalar_one_or_none()
        return PlanImport.from_model(row) if row else None

    @strawberry.field(description="The project's plan imports, oldest first.")
    async def plan_imports(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PlanImport]:
        user_id = info.context.require_user()
        stmt = _visible_imports(user_id).where(ImportRequest.project_id == _uuid(project_id))
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [ImportRequest.created_at.expression, ImportRequest.id.expression],
                PlanImport.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(
        description="The project as Microsoft Project XML (MSPDI): WBS, links, constraints, "
        "calendars, progress, baselines and computed dates (any role). Null when absent or "
        "not visible. Large projects stream better from GET /api/v1/projects/{id}/export.xml."
    )
    async def export_plan(self, info: Info, project_id: strawberry.ID) -> PlanExport | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                data = await load_export(session, user_id, _uuid(project_id))
            except NotFoundError:
                return None
        return PlanExport(
            file_name=data.file_name,
            content_type=MSPDI_CONTENT_TYPE,
            xml="".join(render_mspdi(data)),
        )
