"""The RQ scheduling job against real Redis and PostgreSQL: runs, locks, defers once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app.db import create_engine
from app.models import Task, TaskRun
from app.scheduling.queue import LOCK_PREFIX, QUEUE, enqueue_schedule, job_id
from app.state import AppState
from tests.app.scheduling.factories import START, add_tasks, link
from tests.factories import make_project, make_user, make_workspace


def _work(connection: redis.Redis) -> None:
    """A burst worker in this (main) thread; the job runs its own event loop, as in a real
    worker, so the tests below are synchronous and read results through a fresh engine."""
    SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=True)


def _read(database_url: str, stmt: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(stmt)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
async def project(db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    owner = await make_user(db)
    row = await make_project(db, await make_workspace(db, owner), start=START)
    ids = await add_tasks(db, row, {"A": ("task", 2), "B": ("task", 4)})
    await link(db, row, [(ids["A"], ids["B"])])
    return str(row.id)


def test_job_computes_and_writes(db: AppState, project: str, redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    assert enqueue_schedule(connection, project) == job_id(project)
    assert enqueue_schedule(connection, project) is None  # one waiting job per project
    _work(connection)
    finishes = sorted(row[0] for row in _read(db.database_url, select(Task.early_finish)))
    assert finishes == [dt.date(2026, 1, 6), dt.date(2026, 1, 12)]
    assert [row[0] for row in _read(db.database_url, select(TaskRun.state))] == ["succeeded"]
    connection.close()


def test_locked_project_defers_once(db: AppState, project: str, redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    connection.set(LOCK_PREFIX + project, "another-run")
    enqueue_schedule(connection, project)
    _work(connection)
    enqueue_schedule(connection, project)
    _work(connection)
    registry = ScheduledJobRegistry(QUEUE, connection=connection)
    assert registry.get_job_ids() == [job_id(project, "deferred")]
    assert _read(db.database_url, select(TaskRun.id)) == []  # the engine never ran
    connection.delete(LOCK_PREFIX + project)
    connection.close()
