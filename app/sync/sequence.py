"""Reading the commit-ordered sync sequence (the writing side is the trigger in ddl.py).

`high_water(session, project_id, tables)` is the pull's upper bound `U`: the largest
`sync_seq` of the project visible to this statement. Every transaction that numbered a row
at or below `U` has finished (ddl.py explains why), so "rows with `cursor < sync_seq <= U`"
is a complete, stable slice: a later pull from `U` can only find rows numbered above `U`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Table, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.models import Project, ProjectSyncFloor


async def high_water(session: AsyncSession, project_id: uuid.UUID, tables: Iterable[Table]) -> int:
    """Largest committed `sync_seq` of the project across `tables` (one statement, so one
    snapshot), never below the purge floor (purged tombstones still count as seen)."""
    parts = [
        select(func.max(Project.sync_seq)).where(Project.id == project_id).scalar_subquery(),
        select(func.max(ProjectSyncFloor.floor_seq))
        .where(ProjectSyncFloor.project_id == project_id)
        .scalar_subquery(),
    ]
    for table in tables:
        if table.name == "project":
            continue
        key = "workspace_id" if "workspace_id" in table.c else "project_id"
        parts.append(
            select(func.max(table.c.sync_seq))
            .where(belongs_to(table, key, project_id))
            .scalar_subquery()
        )
    value = await session.scalar(select(func.coalesce(func.greatest(*parts), literal(0))))
    return int(value or 0)


def belongs_to(table: Table, key: str, project_id: uuid.UUID) -> ColumnElement[bool]:
    """Rows of `table` in the project's sync stream: keyed by the project (`project_id`, or
    `id` for the project table) or by its workspace (the resource pool)."""
    if key == "id":
        return table.c.id == project_id
    if key == "workspace_id":
        workspace = select(Project.workspace_id).where(Project.id == project_id)
        return table.c.workspace_id == workspace.scalar_subquery()
    return table.c.project_id == project_id
