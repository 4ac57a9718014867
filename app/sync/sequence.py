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
        parts.append(
            select(func.max(table.c.sync_seq))
            .where(table.c.project_id == project_id)
            .scalar_subquery()
        )
    value = await session.scalar(select(func.coalesce(func.greatest(*parts), literal(0))))
    return int(value or 0)
