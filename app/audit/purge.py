"""Retention of the security audit log: entries older than `TRUEPPM_AUDIT_RETENTION_DAYS`
are deleted by the retention purge (`app.retention`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import SecurityAuditEntry
from app.retention.batches import delete_in_batches


async def purge_audit(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete entries recorded more than `days` ago."""
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await delete_in_batches(
        sessions, SecurityAuditEntry, SecurityAuditEntry.at < cutoff, dry_run=dry_run
    )
