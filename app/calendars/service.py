"""Project calendars: a working-week bitmask (bit 0 = Monday) plus dated exceptions.

Reads need any role on the project; create, update and delete need Project Manager.
Exceptions are owned by their calendar and replaced as a whole when an update sends them.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role, visible_projects
from app.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from app.models import Calendar, CalendarException, Project, Task
from app.models.enums import Role
from app.scheduling.outbox import request_schedule
from app.versioning import soft_delete, versioned_update


@dataclass(frozen=True)
class ExceptionInput:
    start_date: date
    end_date: date
    is_working: bool
    name: str = ""


def _check(
    name: str | None, weekdays: int | None, exceptions: Sequence[ExceptionInput] | None
) -> None:
    problems = []
    if name is not None and not name.strip():
        problems.append(FieldProblem(("input", "name"), "must not be blank"))
    elif name is not None and len(name.strip()) > 200:
        problems.append(FieldProblem(("input", "name"), "must be at most 200 characters"))
    if weekdays is not None and not 1 <= weekdays <= 127:
        problems.append(
            FieldProblem(("input", "workingWeekdays"), "must be 1..127 (bit 0 = Monday)")
        )
    ordered = sorted(enumerate(exceptions or ()), key=lambda item: item[1].start_date)
    for index, exc in enumerate(exceptions or ()):
        if exc.end_date < exc.start_date:
            problems.append(
                FieldProblem(("input", "exceptions", str(index), "endDate"), "is before startDate")
            )
    for (_, first), (index, second) in itertools.pairwise(ordered):
        if second.start_date <= first.end_date:
            problems.append(
                FieldProblem(
                    ("input", "exceptions", str(index), "startDate"), "overlaps another exception"
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _exception_rows(
    calendar_id: uuid.UUID, exceptions: Sequence[ExceptionInput]
) -> list[CalendarException]:
    return [
        CalendarException(
            calendar_id=calendar_id,
            name=e.name.strip(),
            start_date=e.start_date,
            end_date=e.end_date,
            is_working=e.is_working,
        )
        for e in exceptions
    ]


async def create_calendar(
    session: AsyncSession,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    name: str,
    working_weekdays: int,
    exceptions: Sequence[ExceptionInput],
    *,
    calendar_id: uuid.UUID | None = None,
) -> Calendar:
    """Create a calendar of the project (`calendar_id`: an offline client's chosen id)."""
    await require_project_role(session, user_id, project_id, Role.PROJECT_MANAGER)
    _check(name, working_weekdays, exceptions)
    calendar = Calendar(
        id=calendar_id or uuid.uuid4(),
        project_id=project_id,
        name=name.strip(),
        working_weekdays=working_weekdays,
    )
    session.add(calendar)
    await session.flush()
    session.add_all(_exception_rows(calendar.id, exceptions))
    await session.flush()
    return calendar


async def load_calendar(
    session: AsyncSession, user_id: uuid.UUID, calendar_id: uuid.UUID
) -> tuple[Calendar, Role]:
    """A live calendar of a project the user may see, with the user's role."""
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(Calendar, visible.c.role)
        .join(visible, visible.c.project_id == Calendar.project_id)
        .where(Calendar.id == calendar_id, Calendar.is_deleted.is_(False))
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFoundError("calendar not found")
    return row[0], Role(row[1])


async def _require_manager(
    session: AsyncSession, user_id: uuid.UUID, calendar_id: uuid.UUID
) -> Calendar:
    calendar, _ = await load_calendar(session, user_id, calendar_id)
    await require_project_role(session, user_id, calendar.project_id, Role.PROJECT_MANAGER)
    return calendar


async def update_calendar(
    session: AsyncSession,
    user_id: uuid.UUID,
    calendar_id: uuid.UUID,
    name: str | None,
    working_weekdays: int | None,
    exceptions: Sequence[ExceptionInput] | None,
    expected_version: int | None,
) -> Calendar:
    """Rename, change the week, and/or replace the exceptions (when given)."""
    await _require_manager(session, user_id, calendar_id)
    _check(name, working_weekdays, exceptions)
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = name.strip()
    if working_weekdays is not None:
        values["working_weekdays"] = working_weekdays
    calendar = await versioned_update(
        session, Calendar, calendar_id, values, expected_version=expected_version, label="calendar"
    )
    if exceptions is not None:
        await session.execute(
            delete(CalendarException).where(CalendarException.calendar_id == calendar_id)
        )
        session.add_all(_exception_rows(calendar_id, exceptions))
        await session.flush()
    # A new calendar, or deleting an unused one, moves nothing; changing one may.
    await request_schedule(session, calendar.project_id, "calendar updated")
    return calendar


async def delete_calendar(
    session: AsyncSession, user_id: uuid.UUID, calendar_id: uuid.UUID, expected_version: int | None
) -> Calendar:
    """Tombstone a calendar that nothing uses (not the project default, no live task)."""
    calendar = await _require_manager(session, user_id, calendar_id)
    is_default = await session.scalar(
        select(Project.id).where(
            Project.id == calendar.project_id, Project.default_calendar_id == calendar_id
        )
    )
    if is_default is not None:
        raise ConflictError("this is the project's default calendar; choose another first")
    users = await session.scalar(
        select(func.count()).where(Task.calendar_id == calendar_id, Task.is_deleted.is_(False))
    )
    if users:
        raise ConflictError(f"{users} task(s) use this calendar; change them first")
    return await soft_delete(
        session, Calendar, calendar_id, expected_version=expected_version, label="calendar"
    )


async def exceptions_of(
    session: AsyncSession, calendar_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CalendarException]]:
    """Exceptions of many calendars in one query, ordered by start date."""
    result: dict[uuid.UUID, list[CalendarException]] = {c: [] for c in calendar_ids}
    stmt = (
        select(CalendarException)
        .where(CalendarException.calendar_id.in_(calendar_ids))
        .order_by(CalendarException.start_date, CalendarException.id)
    )
    for row in (await session.execute(stmt)).scalars():
        result[row.calendar_id].append(row)
    return result
