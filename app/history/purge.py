"""The `HISTORY_RETENTION_DAYS` purge: history entries older than the window are deleted.

It runs in batches, each its own short transaction, so a large backlog never holds locks on
the table for long nor builds one huge transaction; `trueppm purge-history` and the periodic
job `history.purge` (daily 02:00 UTC, `purge_history_job`) call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import HistoryEntry

if TYPE_CHECKING:
    from app.state import AppState


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    deleted: int
    dry_run: bool


async def purge_history(
    sessions: async_sessionmaker[AsyncSession],
    retention_days: int,
    *,
    now: dt.datetime | None = None,
    batch_size: int = 5_000,
    dry_run: bool = False,
) -> PurgeResult:
    """Delete (or with `dry_run` count) entries recorded before `now - retention_days`."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    old = HistoryEntry.at < cutoff
    if dry_run:
        async with sessions() as session:
            stmt = select(func.count()).select_from(HistoryEntry).where(old)
            count = (await session.execute(stmt)).scalar_one()
        return PurgeResult(cutoff, count, True)
    deleted = 0
    while True:
        async with sessions() as session, session.begin():
            batch = select(HistoryEntry.id).where(old).order_by(HistoryEntry.id).limit(batch_size)
            result = await session.execute(
                delete(HistoryEntry).where(HistoryEntry.id.in_(batch)).returning(HistoryEntry.id)
            )
            count = len(result.all())
        deleted += count
        if count < batch_size:
            return PurgeResult(cutoff, deleted, False)


async def purge_history_job(state: AppState) -> dict[str, Any]:
    """The periodic job (`trueppm beat`, daily 02:00 UTC): purge with the settings' window."""
    result = await purge_history(state.sessions, state.settings.history_retention_days)
    return {
        "retention_days": state.settings.history_retention_days,
        "cutoff": result.cutoff.isoformat(),
        "deleted": result.deleted,
    }
