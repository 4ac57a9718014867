"""Resource usage: per work resource and period, the units the scope's tasks ask for against
the units the resource has, and the over-allocations of the plan as it stands.

Dates are the engine's (each project of the scope scheduled from its rows, leveling floors
included), so usage always matches the dates the API shows. A period sums its days:
`allocated` and `available` are in unit-days (1.0 = one full-time person for one day; x 8
for hours); a period is over-allocated when any one of its days is.
"""

from __future__ import annotations

import asyncio
import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.errors import FieldProblem, ValidationFailed
from app.resources.pool import Pool, Scope, load_pool, project_assignments, resolve_scope
from app.resources.pool import scope_networks as _networks

MAX_DAYS = 3 * 366
_EPS = 1e-9


class Period(enum.StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass
class UsageCell:
    start: date
    end: date
    allocated: float = 0.0
    available: float = 0.0
    peak: float = 0.0  # the most units asked on one day of the period
    overallocated: bool = False
    task_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResourceUsage:
    resource_id: uuid.UUID
    periods: list[UsageCell]


@dataclass(frozen=True)
class OverallocationRow:
    resource_id: uuid.UUID
    first: date
    last: date
    task_ids: tuple[str, ...]
    used: float
    available: float


Daily = dict[str, dict[date, tuple[float, float, tuple[str, ...]]]]


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValidationFailed([FieldProblem(("to",), "must not be before from")])
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed([FieldProblem(("to",), f"a range is at most {MAX_DAYS} days")])


async def _daily(
    session: AsyncSession, user_id: uuid.UUID, scope: Scope, first: date, last: date
) -> tuple[Pool, Daily]:
    projects = await resolve_scope(session, user_id, scope)
    pool = await load_pool(session, projects.workspace_id)
    assigned = await project_assignments(session, projects.project_ids, pool)
    loaded = await _networks(session, projects.project_ids, pool, unleveled=False)

    def compute() -> Daily:
        total: Daily = {r.id: {} for r in pool.resources}
        for project in loaded:
            assignments = assigned[project.project.id]
            if not project.network.tasks:
                continue
            result = engine.schedule(project.network)
            usage = engine.daily_usage(
                project.network, result, pool.resources, assignments, first, last
            )
            for rid, days in usage.items():
                row = total[rid]
                for day, (units, available, tasks) in days.items():
                    asked, _, who = row.get(day, (0.0, available, ()))
                    row[day] = (asked + units, available, who + tasks)
        return total

    return pool, await asyncio.to_thread(compute)


def _period_start(day: date, period: Period) -> date:
    return day - timedelta(days=day.weekday()) if period is Period.WEEK else day


async def resource_usage(
    session: AsyncSession,
    user_id: uuid.UUID,
    scope: Scope,
    first: date,
    last: date,
    period: Period,
) -> list[ResourceUsage]:
    """Per work resource of the pool (name order) and period from `first` through `last`."""
    _check_range(first, last)
    pool, daily = await _daily(session, user_id, scope, first, last)
    out = []
    for r in pool.resources:
        cells: dict[date, UsageCell] = {}
        for day in sorted(daily[r.id]):
            asked, available, who = daily[r.id][day]
            start = _period_start(day, period)
            cell = cells.get(start)
            if cell is None:
                end = start + timedelta(days=6) if period is Period.WEEK else start
                cell = cells[start] = UsageCell(max(start, first), min(end, last))
            cell.allocated += asked
            cell.available += available
            cell.peak = max(cell.peak, asked)
            cell.overallocated |= asked > available + _EPS
            cell.task_ids.extend(t for t in who if t not in cell.task_ids)
        for cell in cells.values():
            cell.allocated, cell.available = round(cell.allocated, 6), round(cell.available, 6)
            cell.task_ids.sort()
        out.append(ResourceUsage(uuid.UUID(r.id), list(cells.values())))
    return out


async def overallocations(
    session: AsyncSession, user_id: uuid.UUID, scope: Scope, first: date, last: date
) -> list[OverallocationRow]:
    """Every stretch of days a work resource is asked for more than it has, by which tasks:
    over-full days joined while the same tasks clash less than a week apart (weekends and
    holidays between them do not split a clash)."""
    _check_range(first, last)
    pool, daily = await _daily(session, user_id, scope, first, last)
    out: list[OverallocationRow] = []
    for r in pool.resources:
        current: OverallocationRow | None = None
        for day in sorted(daily[r.id]):
            asked, available, who = daily[r.id][day]
            if asked <= available + _EPS:
                continue
            tasks = tuple(sorted(set(who)))
            if current and current.task_ids == tasks and (day - current.last).days <= 7:
                current = OverallocationRow(
                    current.resource_id,
                    current.first,
                    day,
                    tasks,
                    max(current.used, round(asked, 6)),
                    min(current.available, available),
                )
                out[-1] = current
                continue
            current = OverallocationRow(
                uuid.UUID(r.id), day, day, tasks, round(asked, 6), available
            )
            out.append(current)
    return out
