"""Resource and assignment queries: visibility-checked loads and the lists behind GraphQL.

A resource is visible to whoever has a role on a project of its workspace (`pool_role`); an
assignment to whoever sees its project. Every query filters live rows of live projects.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import pool_role, project_role, visible_projects
from app.errors import NotFoundError
from app.models import Assignment, Project, Resource, Task
from app.models.enums import Role

HOURS_PER_DAY = 8.0  # a full-time day of work, as Microsoft Project's default


async def load_resource(
    session: AsyncSession, user_id: uuid.UUID, resource_id: uuid.UUID
) -> tuple[Resource, Role]:
    """A live resource the user may see and their role on its pool, or NotFound."""
    resource = await session.scalar(
        select(Resource).where(Resource.id == resource_id, Resource.is_deleted.is_(False))
    )
    if resource is None:
        raise NotFoundError("resource not found")
    try:
        role = await pool_role(session, user_id, resource.workspace_id)
    except NotFoundError:
        raise NotFoundError("resource not found") from None
    return resource, role


async def load_assignment(
    session: AsyncSession, user_id: uuid.UUID, assignment_id: uuid.UUID
) -> tuple[Assignment, Role]:
    """A live assignment of a project the user sees, and their role there, or NotFound."""
    assignment = await session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.is_deleted.is_(False))
    )
    if assignment is None:
        raise NotFoundError("assignment not found")
    try:
        role = await project_role(session, user_id, assignment.project_id)
    except NotFoundError:
        raise NotFoundError("assignment not found") from None
    return assignment, role


@dataclass(frozen=True)
class ResourceFilter:
    """List filters; every given one must match."""

    kinds: Sequence[str] = ()
    label: str | None = None
    search: str | None = None


def workspace_resources(workspace_id: uuid.UUID, where: ResourceFilter) -> Select[Resource]:
    """The live resources of a workspace (the caller checked the pool role; ordering is
    the caller's)."""
    stmt = select(Resource).where(
        Resource.workspace_id == workspace_id, Resource.is_deleted.is_(False)
    )
    if where.kinds:
        stmt = stmt.where(Resource.kind.in_(list(where.kinds)))
    if where.label:
        stmt = stmt.where(Resource.labels.contains([where.label]))
    if where.search:
        pattern = "%" + where.search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        stmt = stmt.where(Resource.name.ilike(pattern + "%", escape="\\"))
    return stmt


def visible_assignments(user_id: uuid.UUID) -> Select[Assignment]:
    """Live assignments to live tasks of live projects the user sees."""
    visible = visible_projects(user_id).subquery()
    return (
        select(Assignment)
        .join(visible, visible.c.project_id == Assignment.project_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.is_deleted.is_(False), Task.is_deleted.is_(False))
    )


async def assignments_of_tasks(
    session: AsyncSession, task_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Assignment]]:
    """Live assignments per task (one query for any number of tasks; the caller has checked
    that the tasks are visible)."""
    out: dict[uuid.UUID, list[Assignment]] = {t: [] for t in task_ids}
    if not task_ids:
        return out
    rows = await session.execute(
        select(Assignment)
        .where(Assignment.task_id.in_(list(task_ids)), Assignment.is_deleted.is_(False))
        .order_by(Assignment.created_at, Assignment.id)
    )
    for a in rows.scalars():
        out[a.task_id].append(a)
    return out


def effective_work(assignment: Assignment, duration: int, kind: str) -> float:
    """Hours of work: as given, else the task's duration x units x 8 hours (a milestone's
    duration is 0)."""
    if assignment.work is not None:
        return float(assignment.work)
    days = 0 if kind == "milestone" else duration
    return round(days * assignment.units * HOURS_PER_DAY, 6)


async def live_projects(session: AsyncSession, workspace_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.execute(
        select(Project.id)
        .where(Project.workspace_id == workspace_id, Project.is_deleted.is_(False))
        .order_by(Project.id)
    )
    return list(rows.scalars())
