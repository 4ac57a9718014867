"""Thinning old forecast snapshots along a tiered curve, so drift charts stay cheap for years.

A snapshot is captured after every recompute, so a busy project adds hundreds a day; the long
tail matters for a multi-year drift chart, but one point per week or month says as much as
hundreds per day did. The retention purge (`app.retention`) applies, per project:

- younger than `daily_days` (`TRUEPPM_FORECAST_SNAPSHOT_DAILY_DAYS`, 90): every snapshot kept;
- from there to `weekly_days` (`TRUEPPM_FORECAST_SNAPSHOT_WEEKLY_DAYS`, 365): the newest
  snapshot of each ISO week (UTC) kept;
- older: the newest of each calendar month (UTC) kept, forever.

Buckets are taken among the rows of one tier, so a week straddling the daily boundary keeps
its young rows and the newest of its older ones. Each project is thinned in its own short
transaction.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, case, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ProjectForecastSnapshot as Snapshot


def _doomed(
    project_id: uuid.UUID, daily_cutoff: datetime, weekly_cutoff: datetime
) -> Select[tuple[uuid.UUID]]:
    """A subquery of the ids of the project's snapshots the curve drops."""
    weekly = Snapshot.captured_at >= weekly_cutoff
    unit = case((weekly, literal("week")), else_=literal("month"))
    bucket = func.date_trunc(unit, func.timezone("UTC", Snapshot.captured_at))
    rank = (
        func.row_number()
        .over(
            partition_by=(weekly, bucket),
            order_by=(Snapshot.captured_at.desc(), Snapshot.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(Snapshot.id, rank)
        .where(Snapshot.project_id == project_id, Snapshot.captured_at < daily_cutoff)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank > 1)


async def prune_snapshots(
    sessions: async_sessionmaker[AsyncSession],
    daily_days: int,
    weekly_days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Drop the snapshots the curve does not keep (or with `dry_run` count them)."""
    if not 1 <= daily_days < weekly_days:
        raise ValueError("need 1 <= daily_days < weekly_days")
    now = now or datetime.now(UTC)
    daily_cutoff = now - timedelta(days=daily_days)
    weekly_cutoff = now - timedelta(days=weekly_days)
    async with sessions() as session:
        projects = list(
            (
                await session.execute(
                    select(Snapshot.project_id)
                    .where(Snapshot.captured_at < daily_cutoff)
                    .group_by(Snapshot.project_id)
                    .order_by(Snapshot.project_id)
                )
            ).scalars()
        )
    total = 0
    for project_id in projects:
        doomed = _doomed(project_id, daily_cutoff, weekly_cutoff)
        async with sessions() as session, session.begin():
            if dry_run:
                count = await session.scalar(select(func.count()).select_from(doomed.subquery()))
                total += int(count or 0)
                continue
            result = await session.execute(
                delete(Snapshot).where(Snapshot.id.in_(doomed)).returning(Snapshot.id)
            )
            total += len(result.all())
    return total
