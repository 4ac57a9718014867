"""The stale forecast reaper against real Redis/RQ and PostgreSQL: a vanished job, a job RQ
marked failed, and a real `trueppm worker` SIGKILLed in the middle of a run."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import text, update

from app.forecasts.dispatch import QUEUE, enqueue_forecast, job_id
from app.forecasts.reaper import RQJobStatuses, reap_stale_forecasts
from app.models import ForecastRun
from app.settings import Settings
from app.state import AppState, unit_of_work
from jobs.beat import run_periodic
from tests.app.forecasts.factories import chain_project, queue_run
from tests.graph.events.servers import WorkerProcess

STALE_SECONDS = 5


async def _age(db: AppState, run_id: uuid.UUID, created: str) -> None:
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id)
            .values(created_at=text(f"now() - interval '{created}'"))
        )


def _buffered(connection: redis.Redis, project_id: uuid.UUID) -> list[dict[str, Any]]:
    """The project's published events, from the Valkey replay buffer."""
    raw = connection.lrange(f"trueppm:buffer:{project_id}", 0, -1)
    return [json.loads(item) for item in raw]  # type: ignore[union-attr]


async def _row(db: AppState, run_id: uuid.UUID) -> ForecastRun:
    async with db.sessions() as session:
        run = await session.get(ForecastRun, run_id)
    assert run is not None
    return run


async def test_a_waiting_job_is_left_and_a_vanished_one_is_lost(
    db: AppState, redis_url: str
) -> None:
    project, _ = await chain_project(db, {"A": 2})
    waiting, vanished = await queue_run(db, project.id), await queue_run(db, project.id)
    connection = redis.Redis.from_url(redis_url)
    for run_id in (waiting, vanished):
        enqueue_forecast(connection, run_id)
        await _age(db, run_id, "2 hours")  # a long wait in the queue is not a dead worker
    Job.fetch(job_id(vanished), connection=connection).delete()  # e.g. Valkey lost its data
    reader = RQJobStatuses(redis_url)
    try:
        failed = await reap_stale_forecasts(
            db.sessions, db.events, stale_after=timedelta(minutes=5), jobs=reader
        )
    finally:
        reader.close()
    assert [(v.run_id, v.code) for v in failed] == [(vanished, "worker_lost")]
    assert (await _row(db, waiting)).state == "queued"
    lost = await _row(db, vanished)
    assert (lost.state, lost.error) == ("failed", "worker_lost: its queue job is gone; ask again")
    connection.close()


@pytest.fixture
async def failed_job_run(
    db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> tuple[uuid.UUID, uuid.UUID]:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    project, _ = await chain_project(db, {"A": 2})
    run_id = await queue_run(db, project.id)
    await _age(db, run_id, "1 minute")
    return project.id, run_id


def test_the_beat_job_fails_a_run_whose_rq_job_failed(
    db: AppState,
    failed_job_run: tuple[uuid.UUID, uuid.UUID],
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project_id, run_id = failed_job_run
    connection = redis.Redis.from_url(redis_url)
    enqueue_forecast(connection, run_id)
    with monkeypatch.context() as broken:  # a worker deployed without DATABASE_URL
        broken.delenv("DATABASE_URL")
        SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=True)
    job = Job.fetch(job_id(run_id), connection=connection)
    assert job.get_status() == "failed"

    summary = run_periodic("forecasts.reap_stale")  # what `trueppm worker` runs for the beat

    assert summary == {"failed": [{"run_id": str(run_id), "code": "worker_failed"}]}
    [event] = _buffered(connection, project_id)
    assert event["type"] == "forecast_failed"
    assert event["payload"] == {
        "forecastRunId": str(run_id),
        "code": "worker_failed",
        "message": "its queue job ended as failed; ask again",
    }
    assert run_periodic("forecasts.reap_stale") == {"failed": []}
    connection.close()


@pytest.fixture
def worker(
    settings: Settings, database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], WorkerProcess]]:
    monkeypatch.setenv("TRUEPPM_FORECAST_STALE_SECONDS", str(STALE_SECONDS))  # beat every 1 s
    started: list[WorkerProcess] = []

    def spawn() -> WorkerProcess:
        started.append(WorkerProcess(settings, database_url, redis_url))
        return started[-1]

    yield spawn
    for process in started:
        process.kill()


@asynccontextmanager
async def _risks_locked(db: AppState) -> Any:
    """Hold `risk` exclusively: the job claims its run, then waits reading the risks, alive."""
    async with db.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("LOCK TABLE risk IN ACCESS EXCLUSIVE MODE"))
        yield
        await transaction.rollback()


async def _reap(db: AppState, redis_url: str) -> list[Any]:
    reader = RQJobStatuses(redis_url)
    try:
        return await reap_stale_forecasts(
            db.sessions, db.events, stale_after=timedelta(seconds=STALE_SECONDS), jobs=reader
        )
    finally:
        reader.close()


async def test_a_killed_worker_s_run_is_failed_once_its_heartbeat_stops(
    db: AppState, redis_url: str, worker: Callable[[], WorkerProcess]
) -> None:
    project, _ = await chain_project(db, {"A": 2, "B": 3})
    run_id = await queue_run(db, project.id)
    connection = redis.Redis.from_url(redis_url)
    async with _risks_locked(db):
        enqueue_forecast(connection, run_id)
        process = worker()
        deadline = time.monotonic() + 90
        while (await _row(db, run_id)).state != "running":
            assert time.monotonic() < deadline, "the worker never claimed the run"
            await asyncio.sleep(0.2)
        await _age(db, run_id, "1 minute")  # past the grace
        await asyncio.sleep(STALE_SECONDS + 1)  # longer than the window: the worker is alive
        assert await _reap(db, redis_url) == []
        process.kill()  # SIGKILL, worker and work horse together
    assert Job.fetch(job_id(run_id), connection=connection).get_status() == "started"
    beat = (await _row(db, run_id)).heartbeat_at
    assert beat is not None
    await asyncio.sleep(STALE_SECONDS + 1)

    [verdict] = await _reap(db, redis_url)

    assert (verdict.run_id, verdict.code) == (run_id, "worker_lost")
    run = await _row(db, run_id)
    assert run.state == "failed"
    assert run.error == f"worker_lost: no heartbeat from its runner for over {STALE_SECONDS} s"
    assert run.heartbeat_at == beat  # nobody wrote after the kill
    async with db.events.subscribe(project.id, since=0) as stream:
        event = await asyncio.wait_for(stream.next(), timeout=5)
    assert (event.type.value, event.payload["code"]) == ("forecast_failed", "worker_lost")
    connection.close()
