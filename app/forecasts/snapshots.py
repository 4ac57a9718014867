"""Project forecast snapshots: the drift history of a project's finish date.

A snapshot is captured after every successful recompute (best-effort, after its commit: a
capture failure never touches the recompute) and by the nightly floor job, which guarantees at
least one snapshot per active project per UTC day and backfills a recompute whose capture was
missed (seed 003: `scheduling.capture_daily_forecast_floor`, 00:30 UTC).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ForecastRun, Project, ProjectForecastSnapshot, Task, TaskRun
from app.models.enums import ProjectStatus
from app.state import unit_of_work

if TYPE_CHECKING:
    from app.state import AppState

log = logging.getLogger(__name__)

INACTIVE = (ProjectStatus.COMPLETED.value, ProjectStatus.CANCELLED.value)


async def capture_snapshot(
    session: AsyncSession, project_id: uuid.UUID, kind: str
) -> ProjectForecastSnapshot:
    """Add a snapshot of the project's current CPM outputs and latest finished forecast.

    Counts leave out summary tasks (they roll up their children): `task_count` live tasks and
    milestones, `completed_count` those at 100 % or with an actual finish, `critical_count`
    those flagged critical. `total_float` is the smallest total float of those tasks — the
    float of the critical path, negative when a deadline or constraint is missed."""
    work = and_(Task.kind != "summary")
    done = or_(Task.percent_complete >= 100, Task.actual_finish.is_not(None))
    counts = (
        await session.execute(
            select(
                func.max(Task.early_finish),
                func.min(Task.total_float).filter(work),
                func.count().filter(work),
                func.count().filter(work, done),
                func.count().filter(work, Task.is_critical.is_(True)),
            ).where(Task.project_id == project_id, Task.is_deleted.is_(False))
        )
    ).one()
    forecast = (
        await session.execute(
            select(ForecastRun.id, ForecastRun.p50, ForecastRun.p80, ForecastRun.p95)
            .where(ForecastRun.project_id == project_id, ForecastRun.state == "done")
            .order_by(ForecastRun.seq.desc())
            .limit(1)
        )
    ).one_or_none()
    snapshot = ProjectForecastSnapshot(
        project_id=project_id,
        kind=kind,
        cpm_finish=counts[0],
        total_float=counts[1],
        task_count=counts[2],
        completed_count=counts[3],
        critical_count=counts[4],
        forecast_run_id=forecast.id if forecast else None,
        p50=forecast.p50 if forecast else None,
        p80=forecast.p80 if forecast else None,
        p95=forecast.p95 if forecast else None,
    )
    session.add(snapshot)
    await session.flush()
    return snapshot


async def capture_after_recompute(
    sessions: async_sessionmaker[AsyncSession], project_id: uuid.UUID
) -> None:
    """Best-effort capture after a committed recompute; failures are logged, never raised
    (the nightly floor backfills a missed one)."""
    try:
        async with unit_of_work(sessions) as uow:
            await capture_snapshot(uow.session, project_id, "recompute")
    except Exception:
        log.warning(
            "forecast snapshot capture failed", extra={"project_id": str(project_id)}, exc_info=True
        )


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def projects_needing_floor(session: AsyncSession, now: dt.datetime) -> list[uuid.UUID]:
    """Live, not completed/cancelled projects with no snapshot since the start of the UTC day,
    or whose last successful recompute is newer than their last snapshot."""
    last_snapshot = (
        select(func.max(ProjectForecastSnapshot.captured_at))
        .where(ProjectForecastSnapshot.project_id == Project.id)
        .scalar_subquery()
    )
    last_recompute = (
        select(func.max(TaskRun.finished_at))
        .where(
            TaskRun.project_id == Project.id,
            TaskRun.kind == "cpm",
            TaskRun.state == "succeeded",
        )
        .scalar_subquery()
    )
    stmt = (
        select(Project.id)
        .where(
            Project.is_deleted.is_(False),
            Project.status.not_in(INACTIVE),
            or_(
                last_snapshot.is_(None),
                last_snapshot < _day_start(now),
                last_recompute > last_snapshot,
            ),
        )
        .order_by(Project.id)
    )
    return list((await session.execute(stmt)).scalars())


async def capture_daily_floor(state: AppState, now: dt.datetime | None = None) -> dict[str, Any]:
    """The nightly floor (a periodic job): one `floor` snapshot for each project that needs
    one, each in its own transaction so one project's failure does not block the others."""
    now = now or dt.datetime.now(dt.UTC)
    async with state.sessions() as session:
        project_ids = await projects_needing_floor(session, now)
    captured, failed = 0, 0
    for project_id in project_ids:
        try:
            async with unit_of_work(state.sessions) as uow:
                await capture_snapshot(uow.session, project_id, "floor")
            captured += 1
        except Exception:
            failed += 1
            log.warning(
                "floor snapshot failed", extra={"project_id": str(project_id)}, exc_info=True
            )
    return {"captured": captured, "failed": failed}
