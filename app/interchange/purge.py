"""Retention of the import outbox: imports that ended (DONE or DEAD) more than
`TRUEPPM_IMPORT_RETENTION_DAYS` ago are deleted by the retention purge (`app.retention`),
report and all; an import still open is never deleted. The uploaded file itself is already
gone: it is dropped from the row when the import ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ImportRequest
from app.retention.batches import delete_in_batches


async def purge_imports(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete imports that ended more than `days` ago."""
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await delete_in_batches(
        sessions,
        ImportRequest,
        ImportRequest.ended_at.is_not(None),
        ImportRequest.ended_at < cutoff,
        dry_run=dry_run,
    )
