"""The RQ plan-import job against real Redis and PostgreSQL: the relay claims the import, the
worker (which loads `jobs.interchange` first) writes the plan once, and a rerun is a no-op."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from app.db import create_engine, session_factory
from app.interchange.outbox import relay_imports
from app.interchange.queue import ImportDispatcher, enqueue_import, job_id
from app.models import ImportRequest, ScheduleRequest, Task
from app.state import AppState
from tests.app.interchange.helpers import accept
from tests.graph.tasks.factories import make_world
from tests.jobs.test_scheduling_job import _read
from tests.jobs.test_sprint_close_job import _work
from tests.scheduler.oracles._data import require


@pytest.fixture
async def pending(db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> dict[str, Any]:
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    world = await make_world(db)
    data = (require("mspdi") / "task-links-project2013-mspdi.xml").read_bytes()
    import_id = await accept(db, world.pm, world.project.id, "links.xml", data)
    return {"import_id": import_id, "project_id": world.project.id}


async def _relay(database_url: str, dispatcher: ImportDispatcher) -> list[uuid.UUID]:
    engine = create_engine(database_url, pool_size=1)
    try:
        return await relay_imports(session_factory(engine), dispatcher)
    finally:
        await engine.dispose()


def test_job_imports_once(db: AppState, pending: dict[str, Any], redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    claimed = asyncio.run(_relay(db.database_url, ImportDispatcher(connection)))
    assert claimed == [pending["import_id"]]
    assert enqueue_import(connection, claimed[0]) is None  # already waiting: not duplicated
    assert _work(connection) == [{"state": "DONE", "error": None}]
    count = select(func.count()).select_from(Task).where(Task.project_id == pending["project_id"])
    assert _read(db.database_url, count) == [(16,)]
    state = select(ImportRequest.state, ImportRequest.attempts, ImportRequest.content)
    assert _read(db.database_url, state) == [("DONE", 1, None)]
    assert enqueue_import(connection, claimed[0]) == job_id(claimed[0])
    assert _work(connection) == [{"state": "skipped", "error": None}]
    assert _read(db.database_url, count) == [(16,)]
    requests = select(ScheduleRequest.reason).where(
        ScheduleRequest.project_id == pending["project_id"]
    )
    assert _read(db.database_url, requests) == [("plan imported",)]
    connection.close()
