"""The forecast job on an RQ worker against real Redis and PostgreSQL, and the dispatcher."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.forecasts.dispatch import QUEUE, RQForecasts, enqueue_forecast, job_id
from app.models import ForecastRun
from app.state import AppState
from tests.app.forecasts.factories import chain_project, queue_run, set_estimates
from tests.jobs.test_scheduling_job import _read


@pytest.fixture
async def run_id(db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    project, ids = await chain_project(db, {"A": 2, "B": 4})
    await set_estimates(db, ids["B"], 3, 4, 9)
    return str(await queue_run(db, project.id, iterations=1000, seed=5))


def test_worker_runs_the_forecast(db: AppState, run_id: str, redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    assert enqueue_forecast(connection, run_id) == job_id(run_id)
    queue = Queue(QUEUE, connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True)
    job = queue.fetch_job(job_id(run_id))
    assert job is not None
    summary = job.return_value()
    assert summary is not None
    assert summary["state"] == "done"
    [(state, p50, p95, iterations)] = _read(
        db.database_url,
        select(ForecastRun.state, ForecastRun.p50, ForecastRun.p95, ForecastRun.iterations),
    )
    assert (state, iterations) == ("done", 1000)
    assert dt.date(2026, 1, 12) <= p50 <= p95  # B's most likely keeps the CPM finish at least
    assert summary["percentiles"]["P50"] == p50.isoformat()
    connection.close()


async def test_unreachable_queue_fails_the_run(db: AppState, run_id: str) -> None:
    forecasts = RQForecasts(db, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        await forecasts.submit(uuid.UUID(run_id))
    finally:
        await forecasts.stop()
    async with db.sessions() as session:
        run = await session.get(ForecastRun, uuid.UUID(run_id))
    assert run is not None
    assert run.state == "failed"
    assert run.error is not None
    assert run.error.startswith("queue_unavailable: ")
