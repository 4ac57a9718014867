"""Retention of the webhook delivery log: deliveries that finished (delivered or given up)
more than `TRUEPPM_WEBHOOK_RETENTION_DAYS` ago are deleted with their attempts by the
retention purge (`app.retention`); a pending delivery is never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import WebhookDelivery
from app.retention.batches import purge_before


async def purge_deliveries(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete deliveries that finished more than `days` ago (their attempts cascade)."""
    return await purge_before(
        sessions,
        WebhookDelivery,
        WebhookDelivery.finished_at,
        days,
        WebhookDelivery.state != "pending",
        now=now,
        dry_run=dry_run,
    )
