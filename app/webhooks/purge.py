"""Retention of the webhook delivery log: deliveries that finished (delivered or given up)
more than `TRUEPPM_WEBHOOK_RETENTION_DAYS` ago are deleted with their attempts by the
retention purge (`app.retention`); a pending delivery is never deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import WebhookDelivery
from app.retention.batches import delete_in_batches


async def purge_deliveries(
    sessions: async_sessionmaker[AsyncSession],
    days: int,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete deliveries that finished more than `days` ago (their attempts cascade)."""
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await delete_in_batches(
        sessions,
        WebhookDelivery,
        WebhookDelivery.state != "pending",
        WebhookDelivery.finished_at < cutoff,
        dry_run=dry_run,
    )
