"""The Monte Carlo forecast job run by `trueppm worker` (RQ, queue `trueppm-forecasts`).

It builds its own database engine and event bus inside the work process and runs the same
code as the in-process runner (`app.forecasts.run.execute_forecast`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.forecasts.heartbeat import heartbeat_interval, keep_alive
from app.forecasts.run import ForecastOutcome, execute_forecast
from app.settings import Settings
from app.state import AppState


async def _run(settings: Settings, run_id: uuid.UUID) -> ForecastOutcome:
    if settings.database_url is None:
        raise RuntimeError("the worker needs DATABASE_URL (the embedded database is in-process)")
    state = AppState(settings=settings, database_url=settings.database_url)
    try:
        # Heartbeat from the first line: the reaper fails the run if this process dies.
        async with keep_alive(state.sessions, run_id, heartbeat_interval(settings)):
            await state.events.connect()
            return await execute_forecast(state.sessions, state.events, run_id)
    finally:
        await state.close()


def run_forecast(run_id: str) -> dict[str, Any]:
    """Run one queued forecast; returns a small JSON-able summary."""
    outcome = asyncio.run(_run(Settings.from_env(), uuid.UUID(run_id)))
    return {
        "state": outcome.state,
        "percentiles": {k: d.isoformat() for k, d in (outcome.percentiles or {}).items()},
        "error": outcome.error,
    }
