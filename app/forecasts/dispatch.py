"""Handing a queued forecast to whoever runs it: RQ workers with `VALKEY_URL`, else a task in
this process (the embedded default). Both end in `app.forecasts.run.execute_forecast`.

`app` never imports `jobs`: the RQ job is named by dotted path.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Protocol

import redis
from rq import Queue
from sqlalchemy import select

from app.events.bus import EventBus
from app.forecasts import errors
from app.forecasts.heartbeat import heartbeat_interval, keep_alive
from app.forecasts.run import execute_forecast, fail_run
from app.forecasts.service import SUBMIT_KEY
from app.models import ForecastRun
from app.state import AppState

log = logging.getLogger(__name__)

QUEUE = "trueppm-forecasts"
JOB = "jobs.forecasts.run_forecast"
JOB_TIMEOUT = 3600  # seconds; a 100k-iteration run of a large project fits comfortably


def job_id(run_id: uuid.UUID | str) -> str:
    return f"forecast-{run_id}"


def enqueue_forecast(connection: redis.Redis, run_id: uuid.UUID | str) -> str:
    """Put the run on the forecasts queue (one job per run id)."""
    ident = job_id(run_id)
    Queue(QUEUE, connection=connection).enqueue(
        JOB,
        str(run_id),
        job_id=ident,
        job_timeout=JOB_TIMEOUT,
        result_ttl=600,
        failure_ttl=86400,
    )
    return ident


class Forecasts(Protocol):
    async def submit(self, run_id: uuid.UUID) -> None: ...
    async def stop(self) -> None: ...


class RQForecasts:
    """Enqueue on RQ; if the queue is unreachable the run is failed at once (and announced)
    rather than left queued forever — the user simply asks again."""

    def __init__(self, state: AppState, url: str) -> None:
        self.state = state
        self.connection = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    async def submit(self, run_id: uuid.UUID) -> None:
        try:
            await asyncio.to_thread(enqueue_forecast, self.connection, run_id)
        except redis.RedisError as exc:
            log.warning("could not enqueue forecast %s", run_id, exc_info=True)
            async with self.state.sessions() as session:
                project_id = await session.scalar(
                    select(ForecastRun.project_id).where(ForecastRun.id == run_id)
                )
            if project_id is not None:
                await fail_run(
                    self.state.sessions,
                    self.state.events,
                    run_id,
                    project_id,
                    errors.QUEUE_UNAVAILABLE,
                    f"the job queue is unreachable ({type(exc).__name__}); try again",
                )

    async def stop(self) -> None:
        self.connection.close()


class InProcessForecasts:
    """Run forecasts as tasks of this process, one at a time (the simulation is CPU-bound and
    runs in a thread; one at a time keeps an embedded server responsive)."""

    def __init__(self, state: AppState, bus: EventBus | None = None) -> None:
        self.state = state
        self.bus = bus or state.events
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def _run(self, run_id: uuid.UUID) -> None:
        # The heartbeat covers the wait for the lock too: a queued run held here is alive.
        interval = heartbeat_interval(self.state.settings)
        async with keep_alive(self.state.sessions, run_id, interval), self._lock:
            try:
                await execute_forecast(self.state.sessions, self.bus, run_id)
            except Exception:  # a database outage mid-run: the reaper fails it later
                log.exception("forecast %s could not complete", run_id)

    async def submit(self, run_id: uuid.UUID) -> None:
        task = asyncio.create_task(self._run(run_id), name=f"forecast-{run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait for every submitted run (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


def start_forecasts(state: AppState) -> Forecasts:
    """The forecast runner of this process, registered so `runForecast` dispatches after its
    commit (see `app.forecasts.service.request_forecast`)."""
    forecasts: Forecasts
    if state.settings.valkey_url:
        forecasts = RQForecasts(state, state.settings.valkey_url)
    else:
        forecasts = InProcessForecasts(state)
    state.uow_context[SUBMIT_KEY] = forecasts.submit
    return forecasts
