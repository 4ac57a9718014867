"""Retention of the import outbox: imports that ended (DONE or DEAD) more than
`TRUEPPM_IMPORT_RETENTION_DAYS` ago are deleted by the retention purge (`app.retention`),
report and all; an import still open is never deleted. The uploaded file itself is already
gone: it is dropped from the row when the import ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ImportRequest
from app.retention.batches import purge_before


async def purge_imports(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete imports that ended more than `days` ago."""
    return await purge_before(
        sessions, ImportRequest, ImportRequest.ended_at, days, now=now, dry_run=dry_run
    )
