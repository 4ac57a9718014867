"""Retention of the sprint-close outbox: requests done more than the outbox window ago are
deleted by the retention purge (`app.retention`); a pending request is never deleted. A job
re-delivered for a purged request finds nothing and skips (`app.sprints.closing`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import SprintCloseRequest
from app.retention.batches import purge_before


async def purge_close_requests(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete sprint-close requests marked done more than `days` ago."""
    return await purge_before(
        sessions, SprintCloseRequest, SprintCloseRequest.done_at, days, now=now, dry_run=dry_run
    )
