"""The tiered thinning of forecast snapshots: all recent, weekly, then monthly, per project."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.forecasts.pruning import prune_snapshots
from app.models import ProjectForecastSnapshot
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # a Monday
# With the default curve (90 / 365 days): daily until 2026-08-25 12:00, weekly until
# 2025-11-23 12:00, monthly before.


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


SNAPSHOTS = [
    # Recent: every one kept, even three on one day.
    "2026-11-20 08:00",
    "2026-11-20 09:00",
    "2026-11-20 10:00",
    # Weekly tier. ISO week 2026-W32 (Mon 3 Aug .. Sun 9 Aug): only Sunday's 23:00 stays.
    "2026-08-03 00:00",
    "2026-08-05 12:00",
    "2026-08-09 23:00",
    # Alone in its week (W27): kept.
    "2026-07-01 12:00",
    # Monthly tier. March 2025: only the 31st stays.
    "2025-03-01 00:00",
    "2025-03-15 12:00",
    "2025-03-31 23:59",
    # Alone in its month: kept.
    "2024-12-10 12:00",
]
KEPT = {
    "2026-11-20 08:00",
    "2026-11-20 09:00",
    "2026-11-20 10:00",
    "2026-08-09 23:00",
    "2026-07-01 12:00",
    "2025-03-31 23:59",
    "2024-12-10 12:00",
}


async def _project_with_snapshots(state: AppState) -> uuid.UUID:
    owner = await make_user(state)
    project = await make_project(state, await make_workspace(state, owner))
    async with unit_of_work(state.sessions) as uow:
        for text in SNAPSHOTS:
            uow.session.add(
                ProjectForecastSnapshot(
                    project_id=project.id,
                    captured_at=_at(text),
                    kind="recompute",
                    task_count=1,
                    completed_count=0,
                    critical_count=0,
                )
            )
    return project.id


async def _left(state: AppState, project_id: uuid.UUID) -> set[str]:
    async with state.sessions() as session:
        stamps = (
            await session.execute(
                select(ProjectForecastSnapshot.captured_at).where(
                    ProjectForecastSnapshot.project_id == project_id
                )
            )
        ).scalars()
        return {s.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") for s in stamps}


async def test_the_curve_keeps_recent_weekly_then_monthly_points_per_project(
    db: AppState,
) -> None:
    first = await _project_with_snapshots(db)
    second = await _project_with_snapshots(db)  # same times: thinned on its own
    assert await prune_snapshots(db.sessions, 90, 365, now=NOW, dry_run=True) == 8
    assert len(await _left(db, first)) == len(SNAPSHOTS)
    assert await prune_snapshots(db.sessions, 90, 365, now=NOW) == 8
    assert await _left(db, first) == KEPT
    assert await _left(db, second) == KEPT
    assert await prune_snapshots(db.sessions, 90, 365, now=NOW) == 0  # idempotent


async def test_a_wider_daily_window_keeps_more(db: AppState) -> None:
    project = await _project_with_snapshots(db)
    # Daily for 130 days (back to 2026-07-16 12:00): all of W32 stays.
    assert await prune_snapshots(db.sessions, 130, 365, now=NOW) == 2
    assert await _left(db, project) == KEPT | {"2026-08-03 00:00", "2026-08-05 12:00"}


async def test_the_curve_must_be_ordered(db: AppState) -> None:
    with pytest.raises(ValueError, match="daily_days < weekly_days"):
        await prune_snapshots(db.sessions, 365, 365)
