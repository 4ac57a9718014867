"""Projects: create, update, soft delete to the trash and restore.

Any workspace member may create a project and becomes its Project Admin. Project fields are
schedule logic (Project Manager); deleting and restoring need Project Admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role, workspace_role
from app.boards.columns import create_default_columns
from app.errors import FieldProblem, ValidationFailed
from app.models import Calendar, Program, Project, ProjectMember
from app.models.enums import ProjectStatus, Role, SchedulingRules
from app.scheduling.external import request_dependents
from app.scheduling.outbox import request_schedule
from app.versioning import soft_delete, versioned_update
from app.webhooks.outbox import record as record_webhook
from app.workspaces.roles import Scope

EDITABLE = frozenset(
    {
        "name",
        "description",
        "status",
        "start_date",
        "status_date",
        "default_calendar_id",
        "scheduling_rules",
        "level_automatically",
    }
)
_CAMEL = {
    "start_date": "startDate",
    "status_date": "statusDate",
    "default_calendar_id": "defaultCalendarId",
    "program_id": "programId",
    "scheduling_rules": "schedulingRules",
}


def _path(field: str) -> tuple[str, ...]:
    return ("input", _CAMEL.get(field, field))


def _text_problems(values: Mapping[str, Any]) -> list[FieldProblem]:
    problems = []
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            problems.append(FieldProblem(_path("name"), "must not be blank"))
        elif len(name) > 200:
            problems.append(FieldProblem(_path("name"), "must be at most 200 characters"))
    if len(values.get("description") or "") > 4000:
        problems.append(FieldProblem(_path("description"), "must be at most 4000 characters"))
    for field in ("start_date", "status", "scheduling_rules"):
        if field in values and values[field] is None:
            problems.append(FieldProblem(_path(field), "must not be null"))
    rules = values.get("scheduling_rules")
    if rules is not None and rules not in [r.value for r in SchedulingRules]:
        allowed = ", ".join(r.value for r in SchedulingRules)
        problems.append(FieldProblem(_path("scheduling_rules"), f"must be one of {allowed}"))
    return problems


def _clean(
    values: Mapping[str, Any], start: date | None, status_date: date | None
) -> dict[str, Any]:
    """Validated column values; every problem is reported at once with its field path."""
    problems = _text_problems(values)
    if "level_automatically" in values and not isinstance(values["level_automatically"], bool):
        problems.append(FieldProblem(("input", "levelAutomatically"), "must be true or false"))
    if start is not None and status_date is not None and status_date < start:
        problems.append(FieldProblem(_path("status_date"), "must not be before the start date"))
    if problems:
        raise ValidationFailed(problems)
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = cleaned["name"].strip()
    if "description" in cleaned:
        cleaned["description"] = cleaned["description"] or ""
    for field in ("status", "scheduling_rules"):
        if isinstance(cleaned.get(field), ProjectStatus | SchedulingRules):
            cleaned[field] = cleaned[field].value
    return cleaned


async def create_project(
    session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, values: Mapping[str, Any]
) -> Project:
    """A new project in a workspace the caller belongs to; the caller becomes Project Admin."""
    await workspace_role(session, user_id, workspace_id)
    program_id = values.get("program_id")
    if program_id is not None:
        live = await session.execute(
            select(Program.id).where(
                Program.id == program_id,
                Program.workspace_id == workspace_id,
                Program.is_deleted.is_(False),
            )
        )
        if live.scalar_one_or_none() is None:
            raise ValidationFailed([FieldProblem(_path("program_id"), "no such program here")])
    cleaned = _clean(
        {"description": "", "status": ProjectStatus.PLANNING, **values},
        values.get("start_date"),
        values.get("status_date"),
    )
    project = Project(workspace_id=workspace_id, **cleaned)
    session.add(project)
    await session.flush()
    session.add(ProjectMember(project_id=project.id, user_id=user_id, role=int(Role.PROJECT_ADMIN)))
    await create_default_columns(session, project.id)
    record_webhook(
        session,
        "project.created",
        {"project_id": project.id, "changes": cleaned},
        project_id=project.id,
        actor_id=user_id,
    )
    return project


async def update_project(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    values: Mapping[str, Any],
    expected_version: int | None,
) -> Project:
    """Change project fields (Project Manager); a stale `expected_version` is a Conflict."""
    await require_project_role(session, user_id, project_id, Role.PROJECT_MANAGER)
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = (await session.execute(select(Project).where(Project.id == project_id))).scalar_one()
    start = values.get("start_date", current.start_date)
    status_date = values.get("status_date", current.status_date)
    cleaned = _clean(values, start, status_date)
    calendar_id = cleaned.get("default_calendar_id")
    if calendar_id is not None:
        found = await session.execute(
            select(Calendar.id).where(
                Calendar.id == calendar_id,
                Calendar.project_id == project_id,
                Calendar.is_deleted.is_(False),
            )
        )
        if found.scalar_one_or_none() is None:
            raise ValidationFailed(
                [FieldProblem(_path("default_calendar_id"), "no such calendar in this project")]
            )
    project = await versioned_update(
        session, Project, project_id, cleaned, expected_version=expected_version, label="project"
    )
    if PROJECT_SCHEDULE_FIELDS & cleaned.keys():
        await request_schedule(session, project_id, "project dates changed")
    if cleaned:
        record_webhook(
            session,
            "project.updated",
            {
                "project_id": project_id,
                "server_version": project.server_version,
                "changes": cleaned,
            },
            project_id=project_id,
            actor_id=user_id,
        )
    return project


# Project fields the engine reads: changing one can move every date.
PROJECT_SCHEDULE_FIELDS = frozenset(
    {"start_date", "status_date", "default_calendar_id", "scheduling_rules", "level_automatically"}
)


async def delete_project(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, expected_version: int | None
) -> Project:
    """Move a project to the trash (Project Admin)."""
    await require_project_role(session, user_id, project_id, Role.PROJECT_ADMIN)
    project = await soft_delete(
        session, Project, project_id, expected_version=expected_version, label="project"
    )
    await request_dependents(session, project_id, "upstream project deleted")
    record_webhook(
        session,
        "project.deleted",
        {"project_id": project_id},
        project_id=project_id,
        actor_id=user_id,
    )
    return project


async def restore_project(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID
) -> Project:
    """Bring a trashed project back (Project Admin of the trashed project).

    A project whose program was deleted meanwhile comes back without a program, so the
    deleted program's members do not regain access through it.
    """
    await require_project_role(session, user_id, project_id, Role.PROJECT_ADMIN, deleted=True)
    live_program = (
        select(Program.id)
        .where(Program.id == Project.program_id, Program.is_deleted.is_(False))
        .scalar_subquery()
    )
    # versioned_update only touches live rows, so the restore bumps the version itself,
    # inside the statement, for the same no-lost-update guarantee.
    stmt = (
        update(Project)
        .where(Project.id == project_id, Project.is_deleted.is_(True))
        .values(
            is_deleted=False,
            deleted_version=None,
            program_id=live_program,
            server_version=Project.server_version + 1,
        )
        .returning(Project)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    project = (await session.execute(stmt)).scalar_one()
    await request_dependents(session, project_id, "upstream project restored")
    record_webhook(
        session,
        "project.updated",
        {"project_id": project_id, "changes": {"is_deleted": False}},
        project_id=project_id,
        actor_id=user_id,
    )
    return project


async def member_scope(session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID) -> Scope:
    """The project's membership scope, for a caller who may manage members (Project Manager)."""
    role = await require_project_role(session, user_id, project_id, Role.PROJECT_MANAGER)
    workspace_id = (
        await session.execute(select(Project.workspace_id).where(Project.id == project_id))
    ).scalar_one()
    return Scope(ProjectMember, project_id, workspace_id, role, "project")
