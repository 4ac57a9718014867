"""Lock order for writers of synced rows: the project row first, then the rows.

The sync trigger (ddl.py) locks a row's project when it numbers the row, but PostgreSQL has
already locked the row itself by then (a BEFORE UPDATE trigger sees a locked tuple). A writer
that holds the project (`lock_project`, structural task edits) and then updates a row another
transaction locked first would deadlock with it. Writers that update existing rows therefore
take the project lock up front — `versioned_update`, the scheduler's bulk write, sprint
locking (`load_sprint(for_update=True)`), the sprint closing job and risk linking do.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.project import Project
from app.models.workspace import Workspace


async def lock_sync_project(session: AsyncSession, project_id: uuid.UUID) -> None:
    """`FOR NO KEY UPDATE` on the project row: the trigger's lock, taken before any row."""
    await session.execute(
        select(Project.id).where(Project.id == project_id).with_for_update(key_share=True)
    )


async def lock_project_of(session: AsyncSession, model: Any, row_id: uuid.UUID) -> None:
    """Lock the project of one row of a project-scoped table (nothing for other tables)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table) or "project_id" not in table.c:
        return
    owner = select(table.c.project_id).where(table.c.id == row_id).scalar_subquery()
    await session.execute(
        select(Project.id).where(Project.id == owner).with_for_update(key_share=True)
    )


async def lock_pool(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """The locks the trigger takes for a row of a workspace's resource pool — the workspace
    row, then every project of it in id order — taken before any row, as above."""
    await session.execute(
        select(Workspace.id).where(Workspace.id == workspace_id).with_for_update(key_share=True)
    )
    await session.execute(
        select(Project.id)
        .where(Project.workspace_id == workspace_id)
        .order_by(Project.id)
        .with_for_update(key_share=True)
    )
