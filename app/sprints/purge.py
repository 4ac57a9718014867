"""Retention of the sprint-close outbox: requests done more than the outbox window ago are
deleted by the retention purge (`app.retention`); a pending request is never deleted. A job
re-delivered for a purged request finds nothing and skips (`app.sprints.closing`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import SprintCloseRequest
from app.retention.batches import delete_in_batches


async def purge_close_requests(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete sprint-close requests marked done more than `days` ago."""
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await delete_in_batches(
        sessions,
        SprintCloseRequest,
        SprintCloseRequest.done_at.is_not(None),
        SprintCloseRequest.done_at < cutoff,
        dry_run=dry_run,
    )
