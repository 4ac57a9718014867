"""Cross-project links as inputs of one project's schedule, and the reschedule they cause.

Each project is scheduled on its own. A predecessor in another project of the program enters
the successor project's network as a fixed point: a milestone pinned at the predecessor's
current computed date — its early finish (MFO) for FS/FF links, its early start (MSO) for
SS/SF links — on the predecessor's own calendar. The real link (type, lag, lag unit) then
runs from that milestone, so the engine applies its usual rules (a working-day lag counts on
the successor's calendar). A predecessor not scheduled yet (no computed dates), deleted, or
in a trashed project contributes nothing.

When a recompute moves the early dates of a task with successors in other projects, it
records a schedule request for each of those projects in the same transaction as its
outputs. Links across projects never form a loop (refused at creation, see
`app.programs.links`), so these requests stop once the dates stop moving.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.models import Dependency, Project, Task
from app.scheduling.outbox import request_schedule

START_PREFIX = "ext-start:"
FINISH_PREFIX = "ext-finish:"
STANDARD_CALENDAR = "ext-standard"
_START_LINKS = {"SS", "SF"}


def is_external(engine_id: str) -> bool:
    """Whether an engine task id is one of the pinned stand-ins of an outside predecessor."""
    return engine_id.startswith((START_PREFIX, FINISH_PREFIX))


def external_task_id(engine_id: str) -> str:
    """The real task id behind a stand-in id."""
    return engine_id.split(":", 1)[1]


@dataclass(frozen=True)
class ExternalInputs:
    tasks: list[engine.Task]
    dependencies: list[engine.Dependency]
    calendars: dict[str, engine.Calendar]


@dataclass(frozen=True)
class _Predecessor:
    early_start: date | None
    early_finish: date | None
    calendar: str | None


async def _predecessors(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, _Predecessor]:
    stmt = (
        select(
            Task.id,
            Task.early_start,
            Task.early_finish,
            Task.calendar_id,
            Project.default_calendar_id,
        )
        .join(Project, Project.id == Task.project_id)
        .where(Task.id.in_(list(ids)), Task.is_deleted.is_(False), Project.is_deleted.is_(False))
    )
    found = {}
    for task_id, start, finish, own, default in (await session.execute(stmt)).all():
        calendar = own or default
        found[task_id] = _Predecessor(start, finish, str(calendar) if calendar else None)
    return found


CalendarLoader = Callable[[AsyncSession, set[uuid.UUID]], Awaitable[dict[str, engine.Calendar]]]


async def external_inputs(
    session: AsyncSession, links: Sequence[Any], load_calendars: CalendarLoader
) -> ExternalInputs:
    """Stand-in milestones and links for `links` (rows with predecessor_id, successor_id, type,
    lag and lag_unit, whose predecessors are outside the project).

    `load_calendars(session, ids)` returns the engine calendars of the given calendar ids."""
    if not links:
        return ExternalInputs([], [], {})
    found = await _predecessors(session, {d.predecessor_id for d in links})
    wanted = {uuid.UUID(p.calendar) for p in found.values() if p.calendar is not None}
    calendars = await load_calendars(session, wanted)
    calendars[STANDARD_CALENDAR] = engine.Calendar(STANDARD_CALENDAR)
    tasks: dict[str, engine.Task] = {}
    dependencies = []
    for link in links:
        pred = found.get(link.predecessor_id)
        if pred is None:
            continue
        from_start = link.type in _START_LINKS
        pinned = pred.early_start if from_start else pred.early_finish
        if pinned is None:
            continue
        ident = (START_PREFIX if from_start else FINISH_PREFIX) + str(link.predecessor_id)
        calendar = pred.calendar if pred.calendar in calendars else STANDARD_CALENDAR
        tasks[ident] = engine.Task(
            id=ident,
            name="external predecessor",
            duration=0,
            kind=engine.TaskKind.MILESTONE,
            calendar=calendar,
            constraint_type=engine.ConstraintType.MSO if from_start else engine.ConstraintType.MFO,
            constraint_date=pinned,
        )
        dependencies.append(
            engine.Dependency(
                predecessor=ident,
                successor=str(link.successor_id),
                type=engine.LinkType(link.type),
                lag=link.lag,
                lag_unit=engine.LagUnit(link.lag_unit),
            )
        )
    return ExternalInputs(list(tasks.values()), dependencies, calendars)


def moved_tasks(tasks: Mapping[str, Any], changed: dict[str, dict[str, Any]]) -> list[uuid.UUID]:
    """Tasks whose early dates (what a cross-project link reads) the run changed."""
    return [
        uuid.UUID(task_id)
        for task_id, new in changed.items()
        if (tasks[task_id].early_start, tasks[task_id].early_finish)
        != (new["early_start"], new["early_finish"])
    ]


async def request_downstream(
    session: AsyncSession, project_id: uuid.UUID, moved: list[uuid.UUID]
) -> list[uuid.UUID]:
    """Request a schedule of every live project with a live link from a moved task."""
    if not moved:
        return []
    stmt = (
        select(Dependency.project_id)
        .join(Project, Project.id == Dependency.project_id)
        .where(
            Dependency.predecessor_project_id == project_id,
            Dependency.is_deleted.is_(False),
            Dependency.predecessor_id.in_(moved),
            Project.is_deleted.is_(False),
        )
        .distinct()
    )
    projects = sorted((await session.execute(stmt)).scalars())
    for downstream in projects:
        await request_schedule(session, downstream, "upstream project rescheduled")
    return projects


async def request_dependents(session: AsyncSession, project_id: uuid.UUID, reason: str) -> None:
    """Request a schedule of every live project with a live link from `project_id` (its
    tasks stop or start counting as predecessors when it is trashed or restored)."""
    stmt = (
        select(Dependency.project_id)
        .join(Project, Project.id == Dependency.project_id)
        .where(
            Dependency.predecessor_project_id == project_id,
            Dependency.is_deleted.is_(False),
            Project.is_deleted.is_(False),
        )
        .distinct()
    )
    for downstream in sorted((await session.execute(stmt)).scalars()):
        await request_schedule(session, downstream, reason)
