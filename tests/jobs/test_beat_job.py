"""A periodic job fired by the beat runs end to end on an RQ worker (real Redis + PostgreSQL)."""

from __future__ import annotations

import pytest
import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.beat.heartbeat import MemoryHeartbeat
from app.beat.loop import QUEUE, Beat, ValkeyBeatBackend
from app.beat.registry import REGISTRY
from app.models import ProjectForecastSnapshot
from app.state import AppState
from tests.app.forecasts.factories import chain_project
from tests.jobs.test_scheduling_job import _read

FLOOR = "scheduling.capture_daily_forecast_floor"


@pytest.fixture
async def fired(db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    project, _ = await chain_project(db, {"A": 3})
    backend = ValkeyBeatBackend(redis_url, lock_ttl=30)
    beat = Beat(backend, MemoryHeartbeat(), interval=1, jobs=[REGISTRY[FLOOR]])
    try:
        assert await beat.tick() == [FLOOR]
    finally:
        await beat.stop()
        await backend.close()
    return str(project.id)


def test_the_floor_job_runs_on_a_worker(db: AppState, fired: str, redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    queue = Queue(QUEUE, connection=connection)
    [job_id] = queue.get_job_ids()
    SimpleWorker([queue], connection=connection).work(burst=True)
    job = queue.fetch_job(job_id)
    assert job is not None
    assert job.return_value() == {"captured": 1, "failed": 0}
    rows = _read(
        db.database_url,
        select(ProjectForecastSnapshot.kind, ProjectForecastSnapshot.project_id),
    )
    assert [(kind, str(project)) for kind, project in rows] == [("floor", fired)]
    connection.close()
