"""Running one forecast: claim the queued run, simulate, store the results, announce.

Shared by the RQ job (`jobs.forecasts.run_forecast`) and the in-process runner. The run is
claimed (queued → running) in its own short transaction, the simulation runs in a thread with
no transaction open, and the results are written in a second transaction; events go out only
after each commit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import scheduler as engine
from app.errors import NotFoundError
from app.events.bus import EventBus
from app.events.types import (
    BoardEvent,
    EventType,
    ForecastCompletePayload,
    ForecastFailedPayload,
    ForecastProgressPayload,
)
from app.forecasts import errors
from app.forecasts.inputs import risk_events
from app.models import ForecastRun
from app.scheduling.external import is_external
from app.scheduling.network import load_project
from app.state import unit_of_work
from app.webhooks.outbox import record as record_webhook

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress events of one run
UNFINISHED = ("queued", "running")


@dataclass(frozen=True)
class ForecastOutcome:
    """`state` is `done`, `failed`, or `skipped` (the run was not queued any more, or was
    failed by the stale-run reaper before it could finish)."""

    run_id: uuid.UUID
    project_id: uuid.UUID | None
    state: str
    percentiles: dict[str, date] | None = None
    error_code: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Claimed:
    project_id: uuid.UUID
    iterations: int
    seed: int
    percentiles: list[float]


class _Progress:
    """The engine's progress callback (called from its thread): publishes a throttled
    `forecast_progress` on the event loop without ever blocking the simulation."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        bus: EventBus,
        project_id: uuid.UUID,
        run_id: uuid.UUID,
    ) -> None:
        self.loop = loop
        self.bus = bus
        self.project_id = project_id
        self.run_id = run_id
        self.last = 0.0
        self.pending: list[concurrent.futures.Future[None]] = []

    def __call__(self, completed: int, total: int) -> None:
        now = time.monotonic()
        if completed < total and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        payload = ForecastProgressPayload(self.run_id, completed, total)
        event = BoardEvent.make(self.project_id, EventType.FORECAST_PROGRESS, payload, None)
        self.pending.append(asyncio.run_coroutine_threadsafe(self._send(event), self.loop))

    async def _send(self, event: BoardEvent) -> None:
        try:
            await self.bus.publish(event)
        except Exception:  # progress is advisory; the result is still stored
            log.warning("could not publish forecast progress", exc_info=True)

    async def drain(self) -> None:
        await asyncio.gather(*(asyncio.wrap_future(f) for f in self.pending))


async def _claim(sessions: async_sessionmaker[AsyncSession], run_id: uuid.UUID) -> _Claimed | None:
    async with unit_of_work(sessions) as uow:
        run = (
            await uow.session.execute(
                select(ForecastRun).where(ForecastRun.id == run_id).with_for_update()
            )
        ).scalar_one_or_none()
        if run is None or run.state != "queued":
            return None
        run.state = "running"
        run.started_at = func.now()
        run.heartbeat_at = func.now()
        return _Claimed(run.project_id, run.iterations, run.seed, list(run.requested_percentiles))


async def _inputs(
    sessions: async_sessionmaker[AsyncSession], project_id: uuid.UUID
) -> tuple[engine.Network, list[engine.RiskEvent]]:
    async with sessions() as session:
        loaded = await load_project(session, project_id)
        return loaded.network, await risk_events(session, project_id)


def _results(result: engine.SimulationResult) -> dict[str, Any]:
    """The stored result columns. Stand-ins of predecessors in other projects
    (`app.scheduling.external`) are inputs of the network, not tasks of the project: they are
    left out of criticality and sensitivity."""
    by_key = {f"{p:g}": d for p, d in result.percentiles.items()}
    return {
        "percentiles": {k: d.isoformat() for k, d in by_key.items()},
        "p50": by_key.get("50"),
        "p80": by_key.get("80"),
        "p95": by_key.get("95"),
        "mean_days": result.mean,
        "std_days": result.std,
        "mean_finish": result.mean_finish,
        "deterministic_finish": result.deterministic_finish,
        "histogram": [[d.isoformat(), n] for d, n in result.histogram],
        "cdf": [[d.isoformat(), p] for d, p in result.cdf],
        "criticality": {t: c for t, c in result.criticality.items() if not is_external(t)},
        "sensitivity": [[t, rho] for t, rho in result.sensitivity if not is_external(t)],
    }


async def _store(
    sessions: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    values: dict[str, Any],
    *conditions: ColumnElement[bool],
    webhook: tuple[uuid.UUID, dict[str, Any]] | None = None,
) -> bool:
    """Write a final state, only over an unfinished run (and where `conditions` hold): a run
    the reaper already failed (`app.forecasts.reaper`) stays failed. True when written; then
    `webhook` (project, data) is recorded as `forecast.completed` in the same transaction."""
    async with unit_of_work(sessions) as uow:
        result = await uow.session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id, ForecastRun.state.in_(UNFINISHED), *conditions)
            .values(
                finished_at=func.now(),
                duration_ms=(
                    func.extract("epoch", func.clock_timestamp() - ForecastRun.started_at) * 1000
                ).cast(ForecastRun.duration_ms.type),
                **values,
            )
            .returning(ForecastRun.id)
        )
        stored = result.first() is not None
        if stored and webhook is not None:
            record_webhook(uow.session, "forecast.completed", webhook[1], project_id=webhook[0])
        return stored


async def _announce(bus: EventBus, event: BoardEvent) -> None:
    try:
        await bus.publish(event)
    except Exception:  # the run is stored; a missed push is healed by `since` replay
        log.warning("could not publish %s", event.type, exc_info=True)


async def fail_run(
    sessions: async_sessionmaker[AsyncSession],
    bus: EventBus,
    run_id: uuid.UUID,
    project_id: uuid.UUID,
    code: str,
    message: str,
    *conditions: ColumnElement[bool],
) -> ForecastOutcome:
    """Record a run as failed and announce `forecast_failed` after the commit (nothing when
    the run had already finished, or when one of `conditions` no longer holds)."""
    values = {"state": "failed", "error": f"{code}: {message}"}
    if not await _store(sessions, run_id, values, *conditions):
        return ForecastOutcome(run_id, project_id, "skipped")
    payload = ForecastFailedPayload(run_id, code, message)
    await _announce(bus, BoardEvent.make(project_id, EventType.FORECAST_FAILED, payload, None))
    return ForecastOutcome(run_id, project_id, "failed", error_code=code, error=message)


async def execute_forecast(
    sessions: async_sessionmaker[AsyncSession], bus: EventBus, run_id: uuid.UUID
) -> ForecastOutcome:
    """Run the queued forecast `run_id` to completion (or failure); never raises for bad data."""
    claimed = await _claim(sessions, run_id)
    if claimed is None:
        return ForecastOutcome(run_id, None, "skipped")
    project_id = claimed.project_id
    try:
        network, risks = await _inputs(sessions, project_id)
        progress = _Progress(asyncio.get_running_loop(), bus, project_id, run_id)
        tick = time.perf_counter()
        result = await asyncio.to_thread(
            engine.simulate,
            network,
            iterations=claimed.iterations,
            seed=claimed.seed,
            percentiles=claimed.percentiles,
            risks=risks,
            progress=progress,
        )
        engine_ms = int((time.perf_counter() - tick) * 1000)
        await progress.drain()
    except NotFoundError:
        return await fail_run(
            sessions, bus, run_id, project_id, errors.PROJECT_NOT_FOUND, "project not found"
        )
    except engine.SchedulerError as exc:
        log.warning("forecast input rejected", extra={"run_id": str(run_id)}, exc_info=True)
        return await fail_run(sessions, bus, run_id, project_id, errors.INVALID_NETWORK, str(exc))
    except Exception:
        log.exception("forecast failed", extra={"run_id": str(run_id)})
        return await fail_run(
            sessions, bus, run_id, project_id, errors.INTERNAL, "the simulation failed unexpectedly"
        )
    values = _results(result)
    percentiles = {f"P{p:g}": d for p, d in result.percentiles.items()}
    summary = {
        "forecast_run_id": run_id,
        "iterations": result.iterations,
        "seed": result.seed,
        "percentiles": percentiles,
        "mean_days": result.mean,
        "std_days": result.std,
    }
    stored = await _store(
        sessions,
        run_id,
        {
            **values,
            "state": "done",
            "engine_ms": engine_ms,
            "task_count": sum(not is_external(t.id) for t in network.tasks),
            "risk_event_count": len(risks),
        },
        webhook=(project_id, summary),
    )
    if not stored:  # failed by the reaper meanwhile; its forecast_failed was already sent
        log.warning("forecast finished after being failed as stale", extra={"run_id": str(run_id)})
        return ForecastOutcome(run_id, project_id, "skipped")
    async with sessions() as session:
        duration = await session.scalar(
            select(ForecastRun.duration_ms).where(ForecastRun.id == run_id)
        )
    payload = ForecastCompletePayload(
        forecast_run_id=run_id,
        iterations=result.iterations,
        seed=result.seed,
        percentiles=percentiles,
        mean_days=result.mean,
        std_days=result.std,
        duration_ms=duration or 0,
    )
    await _announce(bus, BoardEvent.make(project_id, EventType.FORECAST_COMPLETE, payload, None))
    return ForecastOutcome(run_id, project_id, "done", percentiles=percentiles)
