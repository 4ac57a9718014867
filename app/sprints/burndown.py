"""Burndown (remaining points per day) and velocity (points completed per closed sprint).

Burndown replays `sprint_task_log`, which triggers on `task` and `board_column` append to
whenever a task's sprint, story points, done-ness (progress or a Done column, see
`repository.task_done`) or liveness changes — so tasks added, removed, re-estimated,
completed or reopened mid-sprint are all counted on the day it happened. A day's value is the
state at the end of that day (UTC); for a closed sprint, days from the closing day on show
the state at the moment of closing (the carry-over job's moves come after it). Days after
today have no value yet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Sprint, SprintTaskLog


@dataclass(frozen=True)
class BurndownDay:
    day: dt.date
    remaining_points: int | None
    completed_points: int | None
    scope_points: int | None
    ideal_points: float


@dataclass(frozen=True)
class Burndown:
    sprint_id: uuid.UUID
    committed_points: int
    days: list[BurndownDay]


@dataclass(frozen=True)
class _Entry:
    at: dt.datetime
    sprint_id: uuid.UUID | None
    points: int
    done: bool
    live: bool


def _state_at(
    history: dict[uuid.UUID, list[_Entry]], sprint_id: uuid.UUID, cutoff: dt.datetime
) -> tuple[int, int]:
    """(scope, completed) points of the sprint as of `cutoff` (entries strictly before it)."""
    scope = completed = 0
    for entries in history.values():
        last = None
        for entry in entries:  # sorted by time, then insertion order
            if entry.at >= cutoff:
                break
            last = entry
        if last is None or last.sprint_id != sprint_id or not last.live:
            continue
        scope += last.points
        if last.done:
            completed += last.points
    return scope, completed


async def _history(session: AsyncSession, sprint_id: uuid.UUID) -> dict[uuid.UUID, list[_Entry]]:
    ever = select(SprintTaskLog.task_id).where(SprintTaskLog.sprint_id == sprint_id).distinct()
    rows = await session.execute(
        select(SprintTaskLog)
        .where(SprintTaskLog.task_id.in_(ever))
        .order_by(SprintTaskLog.task_id, SprintTaskLog.at, SprintTaskLog.id)
    )
    history: dict[uuid.UUID, list[_Entry]] = {}
    for log in rows.scalars():
        entry = _Entry(log.at, log.sprint_id, log.points, log.done, log.live)
        history.setdefault(log.task_id, []).append(entry)
    return history


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _ideal(committed: int, index: int, count: int) -> float:
    if count <= 1:
        return 0.0
    return round(committed * (count - 1 - index) / (count - 1), 2)


async def burndown(session: AsyncSession, sprint: Sprint) -> Burndown:
    """Per calendar day from the sprint's start date to its end date (both included)."""
    now: dt.datetime = (await session.execute(select(func.now()))).scalar_one()
    today = now.astimezone(dt.UTC).date()
    history = await _history(session, sprint.id)
    count = (sprint.end_date - sprint.start_date).days + 1
    days_ = [sprint.start_date + dt.timedelta(days=i) for i in range(count)]
    committed = sprint.committed_points
    if committed is None:
        committed = _state_at(history, sprint.id, min(_end_of(sprint.start_date), now))[0]
    out: list[BurndownDay] = []
    for index, day in enumerate(days_):
        ideal = _ideal(committed, index, count)
        if day > today:
            out.append(BurndownDay(day, None, None, None, ideal))
            continue
        cutoff = _end_of(day)
        if sprint.closed_at is not None and sprint.closed_at < cutoff:
            cutoff = sprint.closed_at + dt.timedelta(microseconds=1)
        scope, completed = _state_at(history, sprint.id, cutoff)
        out.append(BurndownDay(day, scope - completed, completed, scope, ideal))
    return Burndown(sprint.id, committed, out)


@dataclass(frozen=True)
class SprintVelocity:
    sprint: Sprint
    committed_points: int
    completed_points: int


@dataclass(frozen=True)
class Velocity:
    sprints: list[SprintVelocity]
    average_completed_points: float


async def velocity(session: AsyncSession, project_id: uuid.UUID, last: int) -> Velocity:
    """The last `last` closed sprints (oldest first) with committed and completed points."""
    rows: Sequence[Sprint] = (
        (
            await session.execute(
                select(Sprint)
                .where(
                    Sprint.project_id == project_id,
                    Sprint.state == "closed",
                    Sprint.is_deleted.is_(False),
                )
                .order_by(Sprint.closed_at.desc(), Sprint.id.desc())
                .limit(last)
            )
        )
        .scalars()
        .all()
    )
    sprints = [
        SprintVelocity(s, s.committed_points or 0, s.completed_points or 0) for s in reversed(rows)
    ]
    average = sum(v.completed_points for v in sprints) / len(sprints) if sprints else 0.0
    return Velocity(sprints, round(average, 2))
