"""The RQ sprint-close job against real Redis and PostgreSQL: the relay claims the request,
the worker carries the unfinished tasks over once, and a second run is a no-op."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select, update

from app.db import create_engine, session_factory
from app.models import Sprint, SprintCloseRequest, Task
from app.models.enums import Role
from app.scheduling.queue import QUEUE
from app.scheduling.runner import relay_close_requests
from app.sprints import service
from app.sprints.queue import SprintCloseDispatcher, enqueue_close, job_id
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import START, add_tasks
from tests.factories import make_project, make_user, make_workspace
from tests.jobs.test_scheduling_job import _read


def _work(connection: redis.Redis) -> list[Any]:
    queue = Queue(QUEUE, connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True)
    return [
        queue.fetch_job(ident).return_value()  # type: ignore[union-attr]
        for ident in queue.finished_job_registry.get_job_ids()
    ]


@pytest.fixture
async def closed(db: AppState, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> dict[str, Any]:
    """A project with sprints Old (active, then closed) and New (planned); Old holds Done
    (done), Open and Half (not done); Elsewhere is in the backlog."""
    monkeypatch.setenv("DATABASE_URL", db.database_url)
    monkeypatch.setenv("VALKEY_URL", redis_url)
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.TEAM_MEMBER}, start=START
    )
    ids = await add_tasks(
        db, project, {n: ("task", 1) for n in ("Done", "Open", "Half", "Elsewhere")}
    )
    async with unit_of_work(db.sessions) as uow:
        values = {"start_date": START, "end_date": START}
        old = await service.create_sprint(uow, owner.id, project.id, {"name": "Old", **values})
        new = await service.create_sprint(uow, owner.id, project.id, {"name": "New", **values})
        sprint_ids = {"Old": old.id, "New": new.id}
    async with unit_of_work(db.sessions) as uow:
        await service.add_tasks(
            uow, owner.id, sprint_ids["Old"], [ids[n] for n in ("Done", "Open", "Half")]
        )
        await service.start_sprint(uow, owner.id, sprint_ids["Old"], None)
        await uow.session.execute(
            update(Task).where(Task.id == ids["Done"]).values(percent_complete=100)
        )
        await uow.session.execute(
            update(Task).where(Task.id == ids["Half"]).values(percent_complete=60)
        )
        await service.close_sprint(uow, owner.id, sprint_ids["Old"], None)
    return {"tasks": ids, "sprints": sprint_ids}


def _sprints(database_url: str) -> dict[str, uuid.UUID | None]:
    rows = _read(database_url, select(Task.name, Task.sprint_id))
    return {name: sprint for name, sprint in rows}


def test_job_carries_over_once(db: AppState, closed: dict[str, Any], redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    dispatcher = SprintCloseDispatcher(connection)
    claimed = asyncio.run(_relay(db.database_url, dispatcher))
    assert len(claimed) == 1
    request_id = claimed[0]
    assert enqueue_close(connection, request_id) is None  # already waiting: not duplicated
    results = _work(connection)
    new = closed["sprints"]["New"]
    assert results == [
        {
            "state": "carried_over",
            "sprint_id": str(closed["sprints"]["Old"]),
            "target_sprint_id": str(new),
            "moved": sorted(str(closed["tasks"][n]) for n in ("Open", "Half")),
        }
    ]
    after = _sprints(db.database_url)
    assert after == {"Done": closed["sprints"]["Old"], "Open": new, "Half": new, "Elsewhere": None}
    # Run the same request again (a retried or duplicated job): nothing changes.
    assert enqueue_close(connection, request_id) == job_id(request_id)
    assert _work(connection) == [
        {"state": "skipped", "sprint_id": None, "target_sprint_id": None, "moved": []}
    ]
    assert _sprints(db.database_url) == after
    done = _read(
        db.database_url, select(SprintCloseRequest.done_at, SprintCloseRequest.moved_tasks)
    )
    assert [row[1] for row in done] == [2]
    versions = _read(db.database_url, select(Sprint.name, Sprint.state))
    assert sorted(versions) == [("New", "planned"), ("Old", "closed")]
    connection.close()


async def _relay(database_url: str, dispatcher: SprintCloseDispatcher) -> list[uuid.UUID]:
    engine = create_engine(database_url, pool_size=1)
    try:
        return await relay_close_requests(session_factory(engine), dispatcher)
    finally:
        await engine.dispose()
