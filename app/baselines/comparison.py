"""`baselineComparison`: the current schedule against a baseline, task by task.

Variances are current minus baseline, so positive means later (a slip) or longer. Start and
finish variances are in working days of the project's calendar (the one the engine schedules
on: its default calendar with its exceptions, else Monday-Friday); duration variance is in
working days already. A variance is null when either side has no computed date yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.baselines.workdays import WorkingDays
from app.errors import NotFoundError
from app.models import Baseline, BaselineTask, Project, Task
from app.models.enums import Role
from app.scheduling.network import project_calendar


@dataclass(frozen=True)
class TaskVariance:
    task_id: uuid.UUID
    name: str
    baseline_start: date | None
    baseline_finish: date | None
    baseline_duration: int
    baseline_total_float: int | None
    current_start: date | None
    current_finish: date | None
    current_duration: int
    current_total_float: int | None
    start_variance: int | None
    finish_variance: int | None
    duration_variance: int


@dataclass(frozen=True)
class TaskDates:
    """A task present on one side only (added since, or removed since the baseline)."""

    task_id: uuid.UUID
    name: str
    start: date | None
    finish: date | None
    duration: int


@dataclass(frozen=True)
class Summary:
    baseline_finish: date | None
    current_finish: date | None
    finish_variance: int | None
    tasks_compared: int
    tasks_late: int
    tasks_early: int
    tasks_on_time: int
    tasks_added: int
    tasks_removed: int


@dataclass(frozen=True)
class Comparison:
    baseline: Baseline
    tasks: list[TaskVariance]
    added: list[TaskDates]
    removed: list[TaskDates]
    summary: Summary


def _diff(days: WorkingDays, before: date | None, after: date | None) -> int | None:
    return None if before is None or after is None else days.between(before, after)


def _variance(days: WorkingDays, old: BaselineTask, new: Task) -> TaskVariance:
    return TaskVariance(
        task_id=new.id,
        name=new.name,
        baseline_start=old.early_start,
        baseline_finish=old.early_finish,
        baseline_duration=old.duration,
        baseline_total_float=old.total_float,
        current_start=new.early_start,
        current_finish=new.early_finish,
        current_duration=new.duration,
        current_total_float=new.total_float,
        start_variance=_diff(days, old.early_start, new.early_start),
        finish_variance=_diff(days, old.early_finish, new.early_finish),
        duration_variance=new.duration - old.duration,
    )


def _summary(
    days: WorkingDays,
    baseline: Baseline,
    current: list[Task],
    compared: list[TaskVariance],
    added: int,
    removed: int,
) -> Summary:
    finishes = [t.early_finish for t in current if t.early_finish is not None]
    finish = max(finishes, default=None)
    variances = [v.finish_variance for v in compared if v.finish_variance is not None]
    return Summary(
        baseline_finish=baseline.project_finish,
        current_finish=finish,
        finish_variance=_diff(days, baseline.project_finish, finish),
        tasks_compared=len(compared),
        tasks_late=sum(1 for v in variances if v > 0),
        tasks_early=sum(1 for v in variances if v < 0),
        tasks_on_time=sum(1 for v in variances if v == 0),
        tasks_added=added,
        tasks_removed=removed,
    )


def _order(start: date | None, name: str, task_id: uuid.UUID) -> tuple[bool, date, str, str]:
    return (start is None, start or date.min, name, str(task_id))


async def compare(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, baseline_id: uuid.UUID
) -> Comparison:
    """Compare the project's live tasks with a live baseline of it (Viewer and up)."""
    await require_project_role(session, user_id, project_id, Role.VIEWER)
    baseline = (
        await session.execute(
            select(Baseline).where(
                Baseline.id == baseline_id,
                Baseline.project_id == project_id,
                Baseline.is_deleted.is_(False),
            )
        )
    ).scalar_one_or_none()
    if baseline is None:
        raise NotFoundError("baseline not found")
    project = await session.get(Project, project_id)
    assert project is not None  # the role check found it
    days = WorkingDays(await project_calendar(session, project))
    old = {
        row.task_id: row
        for row in (
            await session.execute(
                select(BaselineTask).where(BaselineTask.baseline_id == baseline.id)
            )
        ).scalars()
    }
    current = list(
        (
            await session.execute(
                select(Task).where(Task.project_id == project_id, Task.is_deleted.is_(False))
            )
        ).scalars()
    )
    compared = [_variance(days, old[t.id], t) for t in current if t.id in old]
    compared.sort(key=lambda v: _order(v.current_start, v.name, v.task_id))
    live = {t.id for t in current}
    added = [
        TaskDates(t.id, t.name, t.early_start, t.early_finish, t.duration)
        for t in current
        if t.id not in old
    ]
    removed = [
        TaskDates(r.task_id, r.name, r.early_start, r.early_finish, r.duration)
        for r in old.values()
        if r.task_id not in live
    ]
    added.sort(key=lambda t: _order(t.start, t.name, t.task_id))
    removed.sort(key=lambda t: _order(t.start, t.name, t.task_id))
    summary = _summary(days, baseline, current, compared, len(added), len(removed))
    return Comparison(baseline, compared, added, removed, summary)
