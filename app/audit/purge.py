"""Retention of the security audit log: entries older than `TRUEPPM_AUDIT_RETENTION_DAYS`
are deleted by the retention purge (`app.retention`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import SecurityAuditEntry
from app.retention.batches import purge_before


async def purge_audit(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete entries recorded more than `days` ago."""
    return await purge_before(
        sessions, SecurityAuditEntry, SecurityAuditEntry.at, days, now=now, dry_run=dry_run
    )
