"""Forecast snapshots: captured after each successful recompute, and the nightly floor."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update

from app.forecasts.run import execute_forecast
from app.forecasts.snapshots import capture_daily_floor
from app.models import Project, ProjectForecastSnapshot, Task
from app.scheduling.outbox import request_schedule
from app.scheduling.recompute import recompute
from app.state import AppState, unit_of_work
from tests.app.forecasts.factories import chain_project, queue_run


async def _snapshots(state: AppState, project_id: uuid.UUID) -> list[ProjectForecastSnapshot]:
    async with state.sessions() as session:
        stmt = (
            select(ProjectForecastSnapshot)
            .where(ProjectForecastSnapshot.project_id == project_id)
            .order_by(ProjectForecastSnapshot.captured_at)
        )
        return list((await session.execute(stmt)).scalars())


async def _request(state: AppState, project_id: uuid.UUID) -> None:
    async with unit_of_work(state.sessions) as uow:
        await request_schedule(uow.session, project_id, "test")


async def test_recompute_records_a_snapshot(db: AppState) -> None:
    project, ids = await chain_project(db, {"A": 2, "B": 4, "C": 1})
    async with unit_of_work(db.sessions) as uow:  # A is finished
        await uow.session.execute(
            update(Task).where(Task.id == ids["A"]).values(percent_complete=100)
        )
    await _request(db, project.id)
    assert (await recompute(db.sessions, project.id)).state == "succeeded"
    [snap] = await _snapshots(db, project.id)
    assert snap.kind == "recompute"
    assert snap.cpm_finish == dt.date(2026, 1, 13)  # 2 + 4 + 1 working days from Mon 5 Jan
    assert snap.total_float == 0
    assert (snap.task_count, snap.completed_count, snap.critical_count) == (3, 1, 3)
    assert snap.forecast_run_id is None
    assert snap.p50 is None

    run_id = await queue_run(db, project.id, iterations=200)
    await execute_forecast(db.sessions, db.events, run_id)
    await _request(db, project.id)
    await recompute(db.sessions, project.id)
    latest = (await _snapshots(db, project.id))[-1]
    assert latest.forecast_run_id == run_id
    assert latest.p50 == latest.p80 == latest.p95 == dt.date(2026, 1, 13)


async def test_skipped_or_failed_recompute_records_nothing(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2})
    assert (await recompute(db.sessions, project.id)).state == "skipped"
    assert await _snapshots(db, project.id) == []


async def test_floor_captures_once_a_day_per_active_project(db: AppState) -> None:
    active, _ = await chain_project(db, {"A": 2})
    closed, _ = await chain_project(db, {"A": 2})
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(Project).where(Project.id == closed.id).values(status="completed")
        )
    now = dt.datetime.now(dt.UTC)
    first = await capture_daily_floor(db, now)
    assert first == {"captured": 1, "failed": 0}
    [snap] = await _snapshots(db, active.id)
    assert snap.kind == "floor"
    assert snap.task_count == 1
    assert await _snapshots(db, closed.id) == []
    # Same day again: nothing new.
    assert await capture_daily_floor(db, now) == {"captured": 0, "failed": 0}
    # The next UTC day: a new floor point.
    tomorrow = now + dt.timedelta(days=1)
    assert await capture_daily_floor(db, tomorrow) == {"captured": 1, "failed": 0}
    assert len(await _snapshots(db, active.id)) == 2


async def test_floor_backfills_a_missed_recompute_capture(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2})
    await capture_daily_floor(db)
    assert len(await _snapshots(db, project.id)) == 1
    # A recompute whose own capture was lost (simulate by deleting the snapshot it made).
    await _request(db, project.id)
    await recompute(db.sessions, project.id)
    async with unit_of_work(db.sessions) as uow:
        newest = (await _snapshots(db, project.id))[-1]
        assert newest.kind == "recompute"
        await uow.session.delete(await uow.session.get(ProjectForecastSnapshot, newest.id))
    assert await capture_daily_floor(db) == {"captured": 1, "failed": 0}
    snaps = await _snapshots(db, project.id)
    assert [s.kind for s in snaps] == ["floor", "floor"]
    assert snaps[-1].cpm_finish == dt.date(2026, 1, 6)
