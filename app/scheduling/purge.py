"""Retention of the scheduling records: finished engine runs and done schedule requests.

Both are bounded by the retention purge (`app.retention`). Only terminal rows are eligible:
a `TaskRun` with a finish time and a terminal state, a `ScheduleRequest` already marked done.
A pending request is never deleted, however old (the relay may still re-dispatch it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ScheduleRequest, TaskRun
from app.retention.batches import delete_in_batches

TERMINAL_RUN_STATES = ("succeeded", "failed", "canceled")


def _cutoff(days: int, now: datetime | None) -> datetime:
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    return (now or datetime.now(UTC)) - timedelta(days=days)


async def purge_task_runs(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete runs that finished (succeeded, failed or canceled) more than `days` ago."""
    cutoff = _cutoff(days, now)
    return await delete_in_batches(
        sessions,
        TaskRun,
        TaskRun.state.in_(TERMINAL_RUN_STATES),
        TaskRun.finished_at.is_not(None),
        TaskRun.finished_at < cutoff,
        dry_run=dry_run,
    )


async def purge_schedule_requests(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete schedule requests marked done more than `days` ago."""
    cutoff = _cutoff(days, now)
    return await delete_in_batches(
        sessions,
        ScheduleRequest,
        ScheduleRequest.done_at.is_not(None),
        ScheduleRequest.done_at < cutoff,
        dry_run=dry_run,
    )
