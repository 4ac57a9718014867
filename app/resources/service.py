"""Resource pool and assignment use cases. Services flush and never commit.

Resource Manager and above manage the pool (on any project of the workspace) and the
assignments (on the task's project); everyone who sees a project of the workspace sees the
pool, and everyone who sees a project sees its assignments. A change of resources or
assignments requests a recompute of the projects that level automatically.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_pool_role, require_project_role
from app.errors import ForbiddenError, ValidationFailed
from app.models import Assignment, Project, Resource, Task
from app.models.enums import Role
from app.resources import validation
from app.resources.errors import AlreadyAssigned
from app.resources.repository import load_assignment, load_resource
from app.scheduling.outbox import request_schedule
from app.sync.locks import lock_pool, lock_sync_project
from app.versioning import soft_delete, versioned_update

RESOURCE_FIELDS = (
    "name", "kind", "initials", "material_label", "max_units", "availability", "calendar_id",
    "days_off", "standard_rate", "overtime_rate", "cost_per_use", "user_id", "labels",
)  # fmt: skip
ASSIGNMENT_FIELDS = ("units", "work", "cost")
# Fields whose change can change a leveled schedule.
_LEVELING_FIELDS = frozenset(
    {"kind", "max_units", "availability", "calendar_id", "days_off", "units"}
)


def _require_manager(role: Role, what: str) -> None:
    if role < Role.RESOURCE_MANAGER:
        raise ForbiddenError(f"{what} needs the Resource Manager role")


async def relevel(session: AsyncSession, project_ids: Iterable[uuid.UUID]) -> None:
    """Request a recompute of those of the projects that level automatically."""
    ids = sorted(set(project_ids))
    if not ids:
        return
    rows = await session.execute(
        select(Project.id).where(
            Project.id.in_(ids),
            Project.level_automatically.is_(True),
            Project.is_deleted.is_(False),
        )
    )
    for project_id in rows.scalars():
        await request_schedule(session, project_id, "resources changed (automatic leveling)")


async def _assigned_projects(session: AsyncSession, resource_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.execute(
        select(Assignment.project_id)
        .where(Assignment.resource_id == resource_id, Assignment.is_deleted.is_(False))
        .distinct()
    )
    return list(rows.scalars())


async def create_resource(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, values: dict[str, Any]
) -> Resource:
    """Add a resource to a workspace's pool (Resource Manager on a project of it)."""
    await require_pool_role(session, user_id, workspace_id, Role.RESOURCE_MANAGER)
    validation.check_resource(values, creating=True)
    await validation.check_references(session, workspace_id, values)
    await lock_pool(session, workspace_id)
    resource = Resource(workspace_id=workspace_id, **values)
    session.add(resource)
    await session.flush()
    return resource


async def update_resource(
    session: AsyncSession,
    user_id: uuid.UUID,
    resource_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Resource:
    """Change fields; `expected_version` turns a stale edit into a ConflictError."""
    resource, role = await load_resource(session, user_id, resource_id)
    _require_manager(role, "changing the resource pool")
    validation.check_resource(values, creating=False)
    await validation.check_references(session, resource.workspace_id, values)
    await lock_pool(session, resource.workspace_id)
    updated = await versioned_update(
        session, Resource, resource_id, values, expected_version=expected_version, label="resource"
    )
    if _LEVELING_FIELDS & values.keys():
        await relevel(session, await _assigned_projects(session, resource_id))
    return updated


async def delete_resource(
    session: AsyncSession, user_id: uuid.UUID, resource_id: uuid.UUID, expected_version: int | None
) -> tuple[Resource, list[uuid.UUID]]:
    """Tombstone a resource and its live assignments; returns it and the projects whose
    assignments went."""
    resource, role = await load_resource(session, user_id, resource_id)
    _require_manager(role, "changing the resource pool")
    await lock_pool(session, resource.workspace_id)
    projects = await _assigned_projects(session, resource_id)
    deleted = await soft_delete(
        session, Resource, resource_id, expected_version=expected_version, label="resource"
    )
    await session.execute(
        update(Assignment)
        .where(Assignment.resource_id == resource_id, Assignment.is_deleted.is_(False))
        .values(
            is_deleted=True,
            deleted_version=Assignment.server_version + 1,
            server_version=Assignment.server_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await relevel(session, projects)
    return deleted, projects


async def _assignable_task(session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID) -> Task:
    task = await session.scalar(select(Task).where(Task.id == task_id, Task.is_deleted.is_(False)))
    if task is None:
        raise ValidationFailed.single("taskId", "no such task")
    role = await require_project_role(session, user_id, task.project_id, Role.VIEWER)
    _require_manager(role, "assigning resources")
    if task.kind == "summary":
        raise ValidationFailed.single(
            "taskId", "a summary task takes no assignment (assign its subtasks)"
        )
    if task.kind == "milestone":
        raise ValidationFailed.single("taskId", "a milestone takes no work (units on it)")
    return task


async def _assignable_resource(
    session: AsyncSession, project_id: uuid.UUID, resource_id: uuid.UUID
) -> Resource:
    resource = await session.scalar(select(Resource).where(Resource.id == resource_id))
    workspace = await session.scalar(select(Project.workspace_id).where(Project.id == project_id))
    if resource is None or resource.workspace_id != workspace:
        raise ValidationFailed.single("resourceId", "no such resource in the project's workspace")
    if resource.is_deleted:
        raise ValidationFailed.single("resourceId", "the resource was deleted")
    return resource


def _check_cost(resource: Resource, values: dict[str, Any]) -> None:
    if values.get("cost") is not None and resource.kind != "cost":
        raise ValidationFailed.single("cost", "only a cost resource's assignment has a cost")


async def assign(
    session: AsyncSession,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    resource_id: uuid.UUID,
    values: dict[str, Any],
    *,
    assignment_id: uuid.UUID | None = None,
) -> Assignment:
    """Assign a resource to a task (Resource Manager on the task's project). `assignment_id`
    is the row's id when the client chose it (offline sync)."""
    task = await _assignable_task(session, user_id, task_id)
    validation.check_assignment(values)
    resource = await _assignable_resource(session, task.project_id, resource_id)
    _check_cost(resource, values)
    # Serialise assignments of the project, so two concurrent assignments of one pair cannot
    # both pass the check below (the partial unique index would fail one with a 500).
    await lock_sync_project(session, task.project_id)
    taken = await session.scalar(
        select(Assignment.id).where(
            Assignment.task_id == task_id,
            Assignment.resource_id == resource_id,
            Assignment.is_deleted.is_(False),
        )
    )
    if taken is not None:
        raise AlreadyAssigned()
    assignment = Assignment(
        project_id=task.project_id, task_id=task_id, resource_id=resource_id, **values
    )
    if assignment_id is not None:
        assignment.id = assignment_id
    session.add(assignment)
    await session.flush()
    await relevel(session, [task.project_id])
    return assignment


async def update_assignment(
    session: AsyncSession,
    user_id: uuid.UUID,
    assignment_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Assignment:
    """Change units, work or cost."""
    assignment, role = await load_assignment(session, user_id, assignment_id)
    _require_manager(role, "changing an assignment")
    validation.check_assignment(values)
    resource = await session.get_one(Resource, assignment.resource_id)
    _check_cost(resource, values)
    updated = await versioned_update(
        session,
        Assignment,
        assignment_id,
        values,
        expected_version=expected_version,
        label="assignment",
    )
    if "units" in values:
        await relevel(session, [assignment.project_id])
    return updated


async def unassign(
    session: AsyncSession,
    user_id: uuid.UUID,
    assignment_id: uuid.UUID,
    expected_version: int | None,
) -> Assignment:
    """Tombstone an assignment (reassigning later creates a new row)."""
    assignment, role = await load_assignment(session, user_id, assignment_id)
    _require_manager(role, "changing an assignment")
    deleted = await soft_delete(
        session, Assignment, assignment_id, expected_version=expected_version, label="assignment"
    )
    await relevel(session, [assignment.project_id])
    return deleted
