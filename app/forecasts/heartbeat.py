"""The liveness heartbeat of a forecast run: proof that a runner still holds it.

Whoever holds a run — the RQ job from its first line, the in-process runner from the moment a
run is submitted (while it waits its turn too) — wraps its work in `keep_alive`, which writes
`forecast_run.heartbeat_at` at once and then every `interval` seconds from the event loop
(the simulation itself runs in a thread, so the loop is free). When the process dies the
writes stop, and the reaper (`app.forecasts.reaper`) fails the run once its heartbeat is
older than `TRUEPPM_FORECAST_STALE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ForecastRun
from app.settings import Settings

log = logging.getLogger(__name__)

# Heartbeats per stale window: a run is declared lost only after this many missed writes.
BEATS_PER_WINDOW = 5


def heartbeat_interval(settings: Settings) -> float:
    """Seconds between two heartbeat writes for the configured stale window."""
    return max(1.0, settings.forecast_stale_seconds / BEATS_PER_WINDOW)


async def touch(sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID) -> bool:
    """Stamp the run's heartbeat if it is still unfinished; True when a row was stamped."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id, ForecastRun.state.in_(("queued", "running")))
            .values(heartbeat_at=func.now())
            .returning(ForecastRun.id)
        )
        return result.first() is not None


async def _beat(
    sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID, interval: float
) -> None:
    while True:
        try:
            await touch(sessions, run_id)
        except Exception:  # a database blip: the next beat retries; a long outage is a lost run
            log.warning("forecast heartbeat failed", extra={"run_id": str(run_id)}, exc_info=True)
        await asyncio.sleep(interval)


@asynccontextmanager
async def keep_alive(
    sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID, interval: float
) -> AsyncIterator[None]:
    """Heartbeat the run while the block runs (first write at once)."""
    task = asyncio.create_task(_beat(sessions, run_id, interval), name=f"heartbeat-{run_id}")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
