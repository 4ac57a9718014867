"""RQ jobs across projects: a recompute of A that moves a linked task enqueues B's job."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
import redis
from sqlalchemy import select, update

from app.db import create_engine, session_factory
from app.models import Dependency, ScheduleRequest, Task
from app.scheduling.outbox import request_schedule
from app.scheduling.queue import enqueue_schedule
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import add_tasks
from tests.graph.programs.factories import make_program_world
from tests.jobs.test_scheduling_job import _read, _work


@pytest.fixture
async def linked(
    db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> tuple[str, dict[str, object]]:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    world = await make_program_world(db)
    a = await add_tasks(db, world.a, {"Pour": ("task", 4)})
    b = await add_tasks(db, world.b, {"Frame": ("task", 2)})
    async with unit_of_work(db.sessions) as uow:
        uow.session.add(
            Dependency(
                project_id=world.b.id,
                predecessor_project_id=world.a.id,
                predecessor_id=a["Pour"],
                successor_id=b["Frame"],
                lag=1,
            )
        )
        await request_schedule(uow.session, world.a.id, "test")
    return str(world.a.id), {"pour": a["Pour"], "frame": b["Frame"], "b": world.b.id}


def _frame(db: AppState, ids: dict[str, object]) -> tuple[dt.date, dt.date]:
    rows = _read(
        db.database_url,
        select(Task.early_start, Task.early_finish).where(Task.id == ids["frame"]),
    )
    return rows[0][0], rows[0][1]


def _lengthen(database_url: str, task_id: object, project_id: uuid.UUID) -> None:
    async def run() -> None:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with session_factory(engine)() as session, session.begin():
                await session.execute(update(Task).where(Task.id == task_id).values(duration=9))
                await request_schedule(session, project_id, "test")
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_upstream_job_reschedules_downstream_project(
    db: AppState, linked: tuple[str, dict[str, object]], redis_url: str
) -> None:
    project_a, ids = linked
    connection = redis.Redis.from_url(redis_url)
    enqueue_schedule(connection, project_a)
    _work(connection)  # A's job enqueues B's, and the burst worker drains both
    # Pour Mon 5 - Thu 8 Jan; one working day of lag; Frame Mon 12 - Tue 13.
    assert _frame(db, ids) == (dt.date(2026, 1, 12), dt.date(2026, 1, 13))

    _lengthen(db.database_url, ids["pour"], uuid.UUID(project_a))
    enqueue_schedule(connection, project_a)
    _work(connection)
    # Pour now Mon 5 - Thu 15 Jan; Frame Mon 19 - Tue 20.
    assert _frame(db, ids) == (dt.date(2026, 1, 19), dt.date(2026, 1, 20))
    pending = _read(
        db.database_url, select(ScheduleRequest.id).where(ScheduleRequest.done_at.is_(None))
    )
    assert pending == []
    connection.close()
