"""Task use cases: create, update, move within the WBS, soft delete.

Services flush and never commit. Structural changes lock the project row first, so ranks
and subtree rewrites of one project never interleave.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.boards.placement import new_card_slot
from app.errors import ConflictError, ForbiddenError, ValidationFailed
from app.events import EventType
from app.models import Assignment, Dependency, Ltree, RiskTask, Task, TaskLabel
from app.models.enums import Role
from app.scheduling.outbox import SCHEDULE_FIELDS, request_schedule
from app.tasks import events, placement, validation, wbs
from app.tasks.placement import Target
from app.tasks.repository import load_task, lock_project, ltree
from app.versioning import versioned_update


async def create_task(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    changes: dict[str, Any],
    target: Target,
    *,
    task_id: uuid.UUID | None = None,
) -> Task:
    """Create a task under `target`'s parent (appended, or before/after a sibling).

    `task_id` lets an offline client choose the id (sync push); it defaults to a new one."""
    role = await require_project_role(session, user_id, project_id, Role.TEAM_MEMBER)
    validation.normalize(None, changes)
    validation.require_field_roles(role, changes)
    validation.check_values(None, changes)
    await validation.check_references(session, project_id, changes)
    await lock_project(session, project_id)
    task_id = task_id or uuid.uuid4()
    slot = await placement.resolve_slot(session, project_id, task_id, target)
    column_id, board_rank = await new_card_slot(session, project_id)
    task = Task(
        id=task_id,
        project_id=project_id,
        wbs_path=wbs.child_path(slot.parent_path, task_id),
        wbs_rank=slot.rank,
        column_id=column_id,
        board_rank=board_rank,
        **changes,
    )
    session.add(task)
    await session.flush()
    await placement.promote_to_summary(session, slot.parent)
    await request_schedule(session, project_id, "task created")
    events.task_created(session, user_id, task, changes.keys())
    return task


async def update_task(
    session: AsyncSession,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Task:
    """Change fields; the role needed depends on which fields change (see validation)."""
    task, role = await load_task(session, user_id, task_id)
    validation.normalize(task, changes)
    validation.require_field_roles(role, changes)
    validation.check_values(task, changes)
    await validation.check_references(session, task.project_id, changes)
    before = {name: getattr(task, name) for name in changes}
    updated = await versioned_update(
        session, Task, task_id, changes, expected_version=expected_version, label="task"
    )
    if SCHEDULE_FIELDS & changes.keys():
        await request_schedule(session, task.project_id, "task updated")
    events.task_updated(session, user_id, updated, events.changed_fields(before, updated))
    return updated


async def _lock_and_check(
    session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, expected: int | None
) -> Task:
    """Load a task for a structural change: Project Manager, project locked, version checked."""
    task, role = await load_task(session, user_id, task_id)
    if role < Role.PROJECT_MANAGER:
        raise ForbiddenError("this needs the Project Manager role on the project")
    await lock_project(session, task.project_id)
    task, _ = await load_task(session, user_id, task_id, for_update=True)
    if expected is not None and task.server_version != expected:
        raise ConflictError(
            f"task changed since version {expected}; reload and retry", task.server_version
        )
    return task


async def move_task(
    session: AsyncSession,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    target: Target,
    expected_version: int | None,
) -> Task:
    """Re-parent and/or re-order a task; its whole subtree follows in one UPDATE."""
    task = await _lock_and_check(session, user_id, task_id, expected_version)
    slot = await placement.resolve_slot(session, task.project_id, task_id, target)
    if slot.parent and wbs.is_same_or_descendant(slot.parent.wbs_path, task.wbs_path):
        raise ValidationFailed.single(
            target.parent_path[-1], "cannot move a task under itself or one of its descendants"
        )
    old_path = task.wbs_path
    new_prefix = ltree(slot.parent_path or "")
    # One statement rewrites every live descendant: new parent path || the old path from
    # the moved task's own label on; only the moved task itself gets the new rank.
    await session.execute(
        update(Task)
        .where(
            Task.project_id == task.project_id,
            Task.is_deleted.is_(False),
            Task.wbs_path.op("<@")(ltree(old_path)),
        )
        .values(
            wbs_path=new_prefix.op("||", return_type=Ltree())(
                func.subpath(Task.wbs_path, func.nlevel(ltree(old_path)) - 1)
            ),
            wbs_rank=case((Task.id == task_id, slot.rank), else_=Task.wbs_rank),
            server_version=Task.server_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await placement.promote_to_summary(session, slot.parent)
    await placement.demote_if_childless(session, task.project_id, wbs.parent_path(old_path))
    await request_schedule(session, task.project_id, "task moved")
    moved, _ = await load_task(session, user_id, task_id, refresh=True)
    await events.task_moved(session, user_id, moved)
    return moved


@dataclass(frozen=True)
class Deletion:
    task_ids: list[uuid.UUID]
    dependency_ids: list[uuid.UUID]


async def _tombstone_links(session: AsyncSession, task_ids: list[uuid.UUID]) -> None:
    """Deleted tasks keep no labels, feed no risk and ask no resource: their link rows become
    tombstones, so offline clients drop them too instead of holding links to a task that is
    gone."""
    for model in (TaskLabel, RiskTask, Assignment):
        await session.execute(
            update(model)
            .where(model.task_id.in_(task_ids), model.is_deleted.is_(False))
            .values(
                is_deleted=True,
                deleted_version=model.server_version + 1,
                server_version=model.server_version + 1,
            )
            .execution_options(synchronize_session=False)
        )


async def delete_task(
    session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, expected_version: int | None
) -> Deletion:
    """Tombstone a task, its whole subtree, every live link touching them, their labels and
    their risk links."""
    task = await _lock_and_check(session, user_id, task_id, expected_version)
    tasks = await session.execute(
        update(Task)
        .where(
            Task.project_id == task.project_id,
            Task.is_deleted.is_(False),
            Task.wbs_path.op("<@")(ltree(task.wbs_path)),
        )
        .values(
            is_deleted=True,
            deleted_version=Task.server_version + 1,
            server_version=Task.server_version + 1,
        )
        .returning(Task.id, Task.server_version)
        .execution_options(synchronize_session=False)
    )
    tombstones = sorted((row[0], row[1]) for row in tasks.all())
    task_ids = [task_id for task_id, _ in tombstones]
    links = await session.execute(
        update(Dependency)
        .where(
            Dependency.is_deleted.is_(False),
            or_(Dependency.predecessor_id.in_(task_ids), Dependency.successor_id.in_(task_ids)),
        )
        .values(
            is_deleted=True,
            deleted_version=Dependency.server_version + 1,
            server_version=Dependency.server_version + 1,
        )
        .returning(Dependency)
        .execution_options(synchronize_session=False)
    )
    gone_links = sorted(links.scalars(), key=lambda link: link.id)
    await _tombstone_links(session, task_ids)
    await placement.demote_if_childless(session, task.project_id, wbs.parent_path(task.wbs_path))
    await request_schedule(session, task.project_id, "task deleted")
    # Projects that lost a link from these tasks (cross-project successors) reschedule too.
    for project_id in sorted({link.project_id for link in gone_links} - {task.project_id}):
        await request_schedule(session, project_id, "predecessor deleted")
    for link in gone_links:
        events.dependency_event(session, user_id, EventType.DEPENDENCY_DELETED, link)
    events.task_deleted(session, user_id, task.project_id, tombstones)
    return Deletion(task_ids=task_ids, dependency_ids=[link.id for link in gone_links])
