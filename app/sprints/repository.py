"""Sprint loads (visibility-filtered, like tasks) and the one definition of a "done" task."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ColumnElement, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import visible_projects
from app.errors import NotFoundError
from app.models import Sprint, Task
from app.models.enums import Role
from app.sync.locks import lock_project_of


def task_done() -> ColumnElement[bool]:
    """`trueppm_task_done(task)`: the SQL function that decides whether a task row is done —
    percent complete 100, an actual finish, or a card in a live board column of category
    'done' (migration 7cf1578b8d94). The sprint log triggers use the same function, so
    burndown, the closing job's carry-over and velocity agree; Python never re-states it."""
    return func.trueppm_task_done(literal_column("task"), type_=Boolean)


async def load_sprint(
    session: AsyncSession, user_id: uuid.UUID, sprint_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Sprint, Role]:
    """A live sprint the user may see, with their role on its project, or NotFound.

    `for_update` locks the sprint's project first, then the sprint: a locked sprint is about to
    be written with its tasks, and the sync trigger takes the project lock on those writes, so
    taking it after the sprint row would deadlock against a project holder (app/sync/locks.py)."""
    if for_update:
        await lock_project_of(session, Sprint, sprint_id)
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(Sprint, visible.c.role)
        .join(visible, visible.c.project_id == Sprint.project_id)
        .where(Sprint.id == sprint_id, Sprint.is_deleted.is_(False))
        .execution_options(populate_existing=True)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Sprint)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFoundError("sprint not found")
    return row[0], Role(row[1])


def sprint_points(sprint_id: uuid.UUID, *, done: bool | None = None) -> ColumnElement[int]:
    """Scalar subquery: story points of the sprint's live tasks (optionally only done ones)."""
    stmt = select(func.coalesce(func.sum(func.coalesce(Task.story_points, 0)), 0)).where(
        Task.sprint_id == sprint_id, Task.is_deleted.is_(False)
    )
    if done is not None:
        stmt = stmt.where(task_done() if done else ~task_done())
    return stmt.scalar_subquery()


async def next_planned_sprint(
    session: AsyncSession, project_id: uuid.UUID, excluding: uuid.UUID
) -> uuid.UUID | None:
    """The planned sprint that comes next: lowest order, then earliest start."""
    stmt = (
        select(Sprint.id)
        .where(
            Sprint.project_id == project_id,
            Sprint.state == "planned",
            Sprint.is_deleted.is_(False),
            Sprint.id != excluding,
        )
        .order_by(Sprint.sort_order, Sprint.start_date, Sprint.created_at, Sprint.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
