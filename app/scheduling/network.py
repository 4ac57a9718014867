"""Translate a project's rows into the engine's `Network` (the only place the two meet)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

import scheduler as engine
from app.errors import NotFoundError
from app.models import Calendar, CalendarException, Dependency, Project, Task
from app.scheduling.external import external_inputs

# What the engine reads of a task, and what a recompute compares its outputs with: plain rows
# (a Core select), as building 40,000 ORM objects for a 10k-task plan cost ~0.8 s.
TASK_COLUMNS = (
    Task.id, Task.name, Task.wbs_path, Task.kind, Task.duration, Task.calendar_id,
    Task.constraint_type, Task.constraint_date, Task.deadline, Task.actual_start,
    Task.actual_finish, Task.percent_complete, Task.optimistic_duration,
    Task.most_likely_duration, Task.pessimistic_duration, Task.early_start, Task.early_finish,
    Task.late_start, Task.late_finish, Task.total_float, Task.free_float, Task.is_critical,
    Task.priority, Task.leveled_start, Task.leveling_delay,
)  # fmt: skip
LINK_COLUMNS = (
    Dependency.predecessor_id, Dependency.successor_id, Dependency.type, Dependency.lag,
    Dependency.lag_unit,
)  # fmt: skip
TaskRow = Row[*tuple[Any, ...]]  # the columns of TASK_COLUMNS, by name


@dataclass(frozen=True)
class LoadedProject:
    project: Project
    tasks: dict[str, TaskRow]
    network: engine.Network


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def _calendars(session: AsyncSession, project_id: uuid.UUID) -> dict[str, engine.Calendar]:
    return await _load_calendars(session, Calendar.project_id == project_id)


async def calendars_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[str, engine.Calendar]:
    """Engine calendars of the given live calendars (of any project)."""
    if not ids:
        return {}
    return await _load_calendars(session, Calendar.id.in_(ids))


async def _load_calendars(
    session: AsyncSession, where: ColumnElement[bool]
) -> dict[str, engine.Calendar]:
    calendars = (
        await session.execute(select(Calendar).where(where, Calendar.is_deleted.is_(False)))
    ).scalars()
    by_id = {str(c.id): c for c in calendars}
    exceptions = (
        await session.execute(
            select(CalendarException).where(
                CalendarException.calendar_id.in_([uuid.UUID(i) for i in by_id])
            )
        )
    ).scalars()
    holidays: dict[str, set[date]] = {i: set() for i in by_id}
    extra: dict[str, set[date]] = {i: set() for i in by_id}
    for exc in exceptions:
        target = extra if exc.is_working else holidays
        target[str(exc.calendar_id)].update(_days(exc.start_date, exc.end_date))
    return {
        i: engine.Calendar(
            id=i,
            working_weekdays=c.working_weekdays,
            holidays=frozenset(holidays[i] - extra[i]),
            extra_working_days=frozenset(extra[i]),
        )
        for i, c in by_id.items()
    }


async def project_calendar(session: AsyncSession, project: Project) -> engine.Calendar:
    """The calendar the engine schedules the project on: its default calendar with exceptions,
    else Monday-Friday without holidays."""
    calendars = await _calendars(session, project.id)
    default = str(project.default_calendar_id) if project.default_calendar_id else None
    if default is not None and default in calendars:
        return calendars[default]
    return engine.Calendar(id="default", working_weekdays=engine.MON_FRI)


def _parent_ids(tasks: list[TaskRow]) -> dict[str, str | None]:
    """The WBS parent of each task is the task whose path is its path minus the last label."""
    by_path = {t.wbs_path: str(t.id) for t in tasks}
    parents: dict[str, str | None] = {}
    for t in tasks:
        prefix, _, _ = t.wbs_path.rpartition(".")
        parents[str(t.id)] = by_path.get(prefix) if prefix else None
    return parents


def _engine_task(t: TaskRow, parent: str | None) -> engine.Task:
    return engine.Task(
        id=str(t.id),
        name=t.name,
        duration=0 if t.kind == "milestone" else t.duration,
        kind=engine.TaskKind(t.kind),
        parent=parent,
        calendar=str(t.calendar_id) if t.calendar_id else None,
        constraint_type=engine.ConstraintType(t.constraint_type),
        constraint_date=t.constraint_date,
        deadline=t.deadline,
        actual_start=t.actual_start,
        actual_finish=t.actual_finish,
        percent_complete=t.percent_complete or None,
        optimistic=t.optimistic_duration,
        most_likely=t.most_likely_duration,
        pessimistic=t.pessimistic_duration,
        leveled_start=t.leveled_start,
    )


async def load_project(session: AsyncSession, project_id: uuid.UUID) -> LoadedProject:
    """Read the live rows of a project (four queries, two more with links from other
    projects) and build a validated `Network`. Predecessors in other projects enter as pinned
    stand-in milestones (`app.scheduling.external`); `tasks` holds only the project's own.

    Raises `engine.ScheduleInputError` when the stored data is not schedulable."""
    project = await session.get(Project, project_id)
    if project is None or project.is_deleted:
        raise NotFoundError("project not found")
    tasks = list(
        await session.execute(
            select(*TASK_COLUMNS).where(Task.project_id == project_id, Task.is_deleted.is_(False))
        )
    )
    links = list(
        await session.execute(
            select(*LINK_COLUMNS).where(
                Dependency.project_id == project_id, Dependency.is_deleted.is_(False)
            )
        )
    )
    own = {t.id for t in tasks}
    outside = await external_inputs(
        session, [d for d in links if d.predecessor_id not in own], calendars_by_id
    )
    calendars = await _calendars(session, project_id)
    parents = _parent_ids(tasks)
    default = str(project.default_calendar_id) if project.default_calendar_id else None
    network = engine.Network(
        start=project.start_date,
        tasks=[_engine_task(t, parents[str(t.id)]) for t in tasks] + outside.tasks,
        dependencies=outside.dependencies
        + [
            engine.Dependency(
                predecessor=str(d.predecessor_id),
                successor=str(d.successor_id),
                type=engine.LinkType(d.type),
                lag=d.lag,
                lag_unit=engine.LagUnit(d.lag_unit),
            )
            for d in links
            if d.predecessor_id in own
        ],
        calendars={**outside.calendars, **calendars},
        default_calendar=default if default in calendars else None,
        status_date=project.status_date,
        rules=engine.DateRules(project.scheduling_rules),
    )
    return LoadedProject(project=project, tasks={str(t.id): t for t in tasks}, network=network)
