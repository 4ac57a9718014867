"""Sprint use cases: create, update, delete, plan (add/remove tasks), start and close.

Services flush and never commit; events go out through `publish_after_commit`. Every change
needs the Team Member role (the project's editors); reading needs Viewer.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.errors import ConflictError, FieldProblem, ForbiddenError, ValidationFailed
from app.events import BoardEvent, EventType, SprintPayload, publish_after_commit
from app.models import Sprint, SprintCloseRequest, Task
from app.models.enums import Role
from app.scheduling.outbox import REQUESTED
from app.sprints.errors import ActiveSprintExistsError, SprintStateError
from app.sprints.repository import load_sprint, sprint_points
from app.state import UnitOfWork
from app.versioning import soft_delete, versioned_update

EDIT_ROLE = Role.TEAM_MEMBER
EDITABLE = ("name", "goal", "start_date", "end_date", "sort_order")


def _announce(
    uow: UnitOfWork,
    sprint: Sprint,
    kind: EventType,
    action: str,
    actor: uuid.UUID | None,
    *,
    task_ids: list[uuid.UUID] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    payload = SprintPayload(
        sprint_id=sprint.id,
        server_version=sprint.server_version,
        state=sprint.state,
        action=action,
        task_ids=sorted(task_ids or []),
        changes=changes or {},
    )
    publish_after_commit(uow, BoardEvent.make(sprint.project_id, kind, payload, actor))


def _check_values(current: Sprint | None, values: dict[str, Any]) -> None:
    problems: list[FieldProblem] = []
    if "name" in values:
        name = (values["name"] or "").strip()
        values["name"] = name
        if not name:
            problems.append(FieldProblem(("input", "name"), "must not be blank"))
        elif len(name) > 200:
            problems.append(FieldProblem(("input", "name"), "at most 200 characters"))
    if "goal" in values:
        values["goal"] = values["goal"] or ""
        if len(values["goal"]) > 4000:
            problems.append(FieldProblem(("input", "goal"), "at most 4000 characters"))
    for key in ("start_date", "end_date", "sort_order"):
        if key in values and values[key] is None:
            problems.append(FieldProblem(("input", _camel(key)), "must not be null"))
    start: date | None = values.get("start_date", current.start_date if current else None)
    end: date | None = values.get("end_date", current.end_date if current else None)
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem(("input", "endDate"), "must not be before startDate"))
    if problems:
        raise ValidationFailed(problems)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _editable(
    session: AsyncSession, user_id: uuid.UUID, sprint_id: uuid.UUID, expected: int | None
) -> Sprint:
    sprint, role = await load_sprint(session, user_id, sprint_id, for_update=True)
    if role < EDIT_ROLE:
        raise ForbiddenError("this needs the Team Member role on the project")
    if expected is not None and sprint.server_version != expected:
        raise ConflictError(
            f"sprint changed since version {expected}; reload and retry", sprint.server_version
        )
    return sprint


async def create_sprint(
    uow: UnitOfWork, user_id: uuid.UUID, project_id: uuid.UUID, values: dict[str, Any]
) -> Sprint:
    """A planned sprint; without `sort_order` it goes after the project's last sprint."""
    session = uow.session
    await require_project_role(session, user_id, project_id, EDIT_ROLE)
    if values.get("sort_order") is None:
        values.pop("sort_order", None)
    _check_values(None, values)
    if "sort_order" not in values:
        last = await session.execute(
            select(func.max(Sprint.sort_order)).where(
                Sprint.project_id == project_id, Sprint.is_deleted.is_(False)
            )
        )
        values["sort_order"] = (last.scalar_one_or_none() or 0) + 1
    sprint = Sprint(project_id=project_id, state="planned", **values)
    session.add(sprint)
    await session.flush()
    _announce(uow, sprint, EventType.SPRINT_CREATED, "created", user_id)
    return sprint


async def update_sprint(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    sprint_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Sprint:
    """Change name, goal, dates or order (state changes only through start/close)."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, expected_version)
    _check_values(sprint, values)
    updated = await versioned_update(session, Sprint, sprint_id, values, label="sprint")
    _announce(uow, updated, EventType.SPRINT_UPDATED, "updated", user_id, changes=values)
    return updated


async def delete_sprint(
    uow: UnitOfWork, user_id: uuid.UUID, sprint_id: uuid.UUID, expected_version: int | None
) -> Sprint:
    """Tombstone a planned or closed sprint; its tasks go back to the backlog."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, expected_version)
    if sprint.state == "active":
        raise SprintStateError("close the active sprint before deleting it", sprint.state)
    released = await _set_sprint(session, select(Task.id).where(Task.sprint_id == sprint_id), None)
    gone = await soft_delete(session, Sprint, sprint_id, label="sprint")
    _announce(uow, gone, EventType.SPRINT_DELETED, "deleted", user_id, task_ids=released)
    return gone


async def _set_sprint(
    session: AsyncSession, ids: Any, sprint_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """Point the live tasks selected by `ids` at `sprint_id`, bumping their versions."""
    result = await session.execute(
        update(Task)
        .where(
            Task.id.in_(ids),
            Task.is_deleted.is_(False),
            Task.sprint_id.is_distinct_from(sprint_id),
        )
        .values(sprint_id=sprint_id, server_version=Task.server_version + 1)
        .returning(Task.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def _plannable(session: AsyncSession, sprint: Sprint, task_ids: list[uuid.UUID]) -> None:
    """Every id must be a live, non-summary task of the sprint's project that is not held by
    a closed sprint (a closed sprint's remaining tasks are its record of what was done)."""
    closed = select(Sprint.id).where(Sprint.state == "closed").scalar_subquery()
    rows = await session.execute(
        select(Task.id, Task.kind, Task.sprint_id.in_(closed).label("in_closed")).where(
            Task.id.in_(task_ids),
            Task.project_id == sprint.project_id,
            Task.is_deleted.is_(False),
        )
    )
    found = {row.id: row for row in rows}
    problems = []
    for index, task_id in enumerate(task_ids):
        row = found.get(task_id)
        path = ("taskIds", str(index))
        if row is None:
            problems.append(FieldProblem(path, "no such task in this project"))
        elif row.kind == "summary":
            problems.append(FieldProblem(path, "summary tasks cannot be planned into a sprint"))
        elif row.in_closed:
            problems.append(FieldProblem(path, "the task belongs to a closed sprint"))
    if problems:
        raise ValidationFailed(problems)


async def add_tasks(
    uow: UnitOfWork, user_id: uuid.UUID, sprint_id: uuid.UUID, task_ids: list[uuid.UUID]
) -> tuple[Sprint, list[uuid.UUID]]:
    """Plan tasks into a planned or active sprint (taking them from another sprint or the
    backlog); returns the sprint and the tasks that actually moved."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, None)
    if sprint.state == "closed":
        raise SprintStateError("a closed sprint cannot take tasks", sprint.state)
    await _plannable(session, sprint, task_ids)
    moved = await _set_sprint(session, task_ids, sprint_id)
    if moved:
        _announce(uow, sprint, EventType.SPRINT_UPDATED, "planned", user_id, task_ids=moved)
    return sprint, moved


async def remove_tasks(
    uow: UnitOfWork, user_id: uuid.UUID, sprint_id: uuid.UUID, task_ids: list[uuid.UUID]
) -> tuple[Sprint, list[uuid.UUID]]:
    """Send tasks of this sprint back to the backlog (ids not in the sprint are ignored)."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, None)
    if sprint.state == "closed":
        raise SprintStateError("a closed sprint's tasks are its record", sprint.state)
    mine = select(Task.id).where(Task.id.in_(task_ids), Task.sprint_id == sprint_id)
    moved = await _set_sprint(session, mine, None)
    if moved:
        _announce(uow, sprint, EventType.SPRINT_UPDATED, "unplanned", user_id, task_ids=moved)
    return sprint, moved


async def _active_sprint(session: AsyncSession, project_id: uuid.UUID) -> uuid.UUID | None:
    stmt = select(Sprint.id).where(
        Sprint.project_id == project_id, Sprint.state == "active", Sprint.is_deleted.is_(False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def start_sprint(
    uow: UnitOfWork, user_id: uuid.UUID, sprint_id: uuid.UUID, expected_version: int | None
) -> Sprint:
    """Make a planned sprint the project's active one and record its committed points.

    The partial unique index `uq_sprint_one_active` is the real guard: of two concurrent
    starts in one project, the second blocks on it and fails once the first commits."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, expected_version)
    if sprint.state != "planned":
        raise SprintStateError(
            f"only a planned sprint can start (it is {sprint.state})", sprint.state
        )
    active = await _active_sprint(session, sprint.project_id)
    if active is not None:
        raise ActiveSprintExistsError(active)
    values = {
        "state": "active",
        "started_at": func.now(),
        "committed_points": sprint_points(sprint_id),
    }
    try:
        async with session.begin_nested():
            started = await versioned_update(session, Sprint, sprint_id, values, label="sprint")
    except IntegrityError as exc:
        if "uq_sprint_one_active" not in str(exc.orig):
            raise
        winner = await _active_sprint(session, sprint.project_id)
        raise ActiveSprintExistsError(winner or sprint_id) from None
    _announce(uow, started, EventType.SPRINT_UPDATED, "started", user_id)
    return started


async def close_sprint(
    uow: UnitOfWork, user_id: uuid.UUID, sprint_id: uuid.UUID, expected_version: int | None
) -> Sprint:
    """Close the active sprint: record its completed points and, in the same transaction, a
    `SprintCloseRequest`; a job then carries the unfinished tasks over (see `closing`)."""
    session = uow.session
    sprint = await _editable(session, user_id, sprint_id, expected_version)
    if sprint.state != "active":
        raise SprintStateError(
            f"only the active sprint can close (it is {sprint.state})", sprint.state
        )
    values = {
        "state": "closed",
        "closed_at": func.now(),
        "completed_points": sprint_points(sprint_id, done=True),
    }
    closed = await versioned_update(session, Sprint, sprint_id, values, label="sprint")
    session.add(
        SprintCloseRequest(project_id=closed.project_id, sprint_id=sprint_id, actor_id=user_id)
    )
    await session.flush()
    session.info[REQUESTED] = True  # wakes this process's relay right after the commit
    _announce(uow, closed, EventType.SPRINT_UPDATED, "closed", user_id)
    return closed
