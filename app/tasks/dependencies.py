"""Dependency links: create (with cycle detection), update, soft delete.

The project row is locked (`lock_project`, `FOR NO KEY UPDATE`) before the cycle check, so
two concurrent inserts that would each be fine alone cannot together close a loop.
"""

from __future__ import annotations

import uuid
from collections import deque
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import visible_projects
from app.errors import (
    ConflictError,
    CycleError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from app.events import EventType
from app.models import Dependency
from app.models.enums import Role
from app.programs import links
from app.scheduling.outbox import request_schedule
from app.tasks import events, wbs
from app.tasks.repository import load_task, lock_project
from app.versioning import soft_delete, versioned_update


def _require_manager(role: Role) -> None:
    if role < Role.PROJECT_MANAGER:
        raise ForbiddenError("this needs the Project Manager role on the project")


def _check_lag(values: dict[str, Any]) -> None:
    lag = values.get("lag")
    if lag is not None and abs(lag) > 100_000:
        raise ValidationFailed([FieldProblem(("input", "lag"), "must be within ±100000 days")])


async def create_dependency(
    session: AsyncSession,
    user_id: uuid.UUID,
    predecessor_id: uuid.UUID,
    successor_id: uuid.UUID,
    values: dict[str, Any],
    *,
    link_id: uuid.UUID | None = None,
) -> Dependency:
    """Link two tasks of one project, or of two projects of one program (Project Manager on
    the successor's project, any role on the predecessor's); a loop, even one through several
    projects, becomes a CycleError naming the cycle in order.

    `link_id` lets an offline client choose the id (sync push)."""
    if predecessor_id == successor_id:
        raise ValidationFailed(
            [FieldProblem(("input", "successorId"), "a task cannot depend on itself")]
        )
    predecessor, _ = await load_task(session, user_id, predecessor_id)
    successor, role = await load_task(session, user_id, successor_id)
    cross = predecessor.project_id != successor.project_id
    if cross:
        # Any role on the predecessor's project (it is visible) and the same program.
        await links.require_same_program(session, predecessor.project_id, successor.project_id)
    _require_manager(role)  # on the successor's project: the one whose schedule changes
    _check_lag(values)
    if wbs.is_same_or_descendant(
        predecessor.wbs_path, successor.wbs_path
    ) or wbs.is_same_or_descendant(successor.wbs_path, predecessor.wbs_path):
        problem = FieldProblem(
            ("input", "successorId"), "a summary cannot be linked to its own subtask"
        )
        raise ValidationFailed([problem])
    await lock_project(session, successor.project_id)
    program = await links.program_scope(session, successor.project_id, cross=cross)
    if program is not None:
        await links.check_program_link(session, program, predecessor_id, successor_id)
    else:
        live = await _live_links(session, successor.project_id)
        if (predecessor_id, successor_id) in live:
            raise ConflictError("these tasks are already linked")
        path = _path_between(live, successor_id, predecessor_id)
        if path is not None:
            raise CycleError([str(predecessor_id), *(str(t) for t in path[:-1])])
    link = Dependency(
        id=link_id or uuid.uuid4(),
        project_id=successor.project_id,
        predecessor_project_id=predecessor.project_id if cross else None,
        predecessor_id=predecessor_id,
        successor_id=successor_id,
        **values,
    )
    session.add(link)
    await session.flush()
    await request_schedule(session, link.project_id, "dependency created")
    events.dependency_event(session, user_id, EventType.DEPENDENCY_CREATED, link)
    return link


async def _live_links(
    session: AsyncSession, project_id: uuid.UUID
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    stmt = select(Dependency.predecessor_id, Dependency.successor_id).where(
        Dependency.project_id == project_id, Dependency.is_deleted.is_(False)
    )
    return {(row[0], row[1]) for row in (await session.execute(stmt)).all()}


def _path_between(
    links: set[tuple[uuid.UUID, uuid.UUID]], start: uuid.UUID, goal: uuid.UUID
) -> list[uuid.UUID] | None:
    """The shortest chain of links `start -> ... -> goal` (BFS), or None."""
    successors: dict[uuid.UUID, list[uuid.UUID]] = {}
    for pred, succ in sorted(links):
        successors.setdefault(pred, []).append(succ)
    came_from: dict[uuid.UUID, uuid.UUID | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (prev := came_from[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        for nxt in successors.get(node, []):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None


async def _load_link(
    session: AsyncSession, user_id: uuid.UUID, link_id: uuid.UUID
) -> tuple[Dependency, Role]:
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(Dependency, visible.c.role)
        .join(visible, visible.c.project_id == Dependency.project_id)
        .where(Dependency.id == link_id, Dependency.is_deleted.is_(False))
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFoundError("dependency not found")
    return row[0], Role(row[1])


async def update_dependency(
    session: AsyncSession,
    user_id: uuid.UUID,
    link_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Dependency:
    """Change type, lag or lag unit (the linked tasks never change: delete and relink)."""
    _, role = await _load_link(session, user_id, link_id)
    _require_manager(role)
    _check_lag(values)
    link = await versioned_update(
        session, Dependency, link_id, values, expected_version=expected_version, label="dependency"
    )
    await request_schedule(session, link.project_id, "dependency updated")
    events.dependency_event(session, user_id, EventType.DEPENDENCY_UPDATED, link)
    return link


async def delete_dependency(
    session: AsyncSession, user_id: uuid.UUID, link_id: uuid.UUID, expected_version: int | None
) -> Dependency:
    """Tombstone a link."""
    _, role = await _load_link(session, user_id, link_id)
    _require_manager(role)
    link = await soft_delete(
        session, Dependency, link_id, expected_version=expected_version, label="dependency"
    )
    await request_schedule(session, link.project_id, "dependency deleted")
    events.dependency_event(session, user_id, EventType.DEPENDENCY_DELETED, link)
    return link
