"""Retention of single sign-on attempts: a day after it started, an attempt — finished or
not — is deleted by the retention purge (`app.retention`); its codes expired long before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import SsoAttempt
from app.retention.batches import purge_before

KEEP_DAYS = 1


async def purge_attempts(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    return await purge_before(
        sessions, SsoAttempt, SsoAttempt.created_at, KEEP_DAYS, now=now, dry_run=dry_run
    )
