"""Real `trueppm worker` processes: one SIGKILLed mid-job, and two racing for one project.

A job is held mid-run deterministically, without any test hook in the code: the test keeps
the project's task rows locked (`SELECT ... FOR UPDATE`), so the job loads, computes and then
waits inside its transaction at the write, holding the project's Valkey lock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import redis
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, text

from app.models import ScheduleRequest, Task, TaskRun
from app.scheduling.queue import LOCK_PREFIX, QUEUE, RQDispatcher, job_id
from app.scheduling.runner import relay_once
from app.settings import Settings
from app.state import AppState
from tests.app.scheduling.factories import START, add_tasks, link
from tests.factories import make_project, make_user, make_workspace
from tests.graph.events.servers import WorkerProcess

LOCK_TTL = 3


@pytest.fixture
def workers(
    settings: Settings, database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], WorkerProcess]]:
    monkeypatch.setenv("TRUEPPM_SCHEDULE_LOCK_TTL", str(LOCK_TTL))
    started: list[WorkerProcess] = []

    def spawn() -> WorkerProcess:
        started.append(WorkerProcess(settings, database_url, redis_url))
        return started[-1]

    yield spawn
    for worker in started:
        worker.kill()


async def _project(db: AppState) -> uuid.UUID:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner), start=START)
    ids = await add_tasks(db, project, {"A": ("task", 2), "B": ("task", 4)})
    await link(db, project, [(ids["A"], ids["B"])])  # records one schedule request
    return project.id


async def _rows(db: AppState, stmt: Any) -> list[Any]:
    async with db.sessions() as session:
        return list((await session.execute(stmt)).all())


async def _wait_for(check: Callable[[], Any], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@asynccontextmanager
async def _rows_locked(db: AppState, project: uuid.UUID) -> AsyncIterator[None]:
    """Hold the project's task rows until the block ends (then roll back)."""
    async with db.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(
            select(Task.id).where(Task.project_id == project).with_for_update()
        )
        yield
        await transaction.rollback()


async def _job_blocked_at_write(db: AppState) -> bool:
    stmt = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE 'UPDATE task SET early_start%'"
    )
    return bool((await _rows(db, stmt))[0][0])


async def _dispatch(db: AppState, url: str, reclaim_after: timedelta) -> list[uuid.UUID]:
    dispatcher = RQDispatcher(url)
    try:
        return await relay_once(db.sessions, dispatcher, reclaim_after=reclaim_after)
    finally:
        dispatcher.close()


async def _assert_scheduled_once(db: AppState, project: uuid.UUID) -> None:
    rows = await _rows(
        db,
        select(Task.name, Task.early_start, Task.early_finish, Task.server_version)
        .where(Task.project_id == project)
        .order_by(Task.name),
    )
    # A Mon 5 → Tue 6 Jan, B Wed 7 → Mon 12 Jan; each row's outputs written once (version 2).
    assert [tuple(row) for row in rows] == [
        ("A", dt.date(2026, 1, 5), dt.date(2026, 1, 6), 2),
        ("B", dt.date(2026, 1, 7), dt.date(2026, 1, 12), 2),
    ]


async def test_killed_worker_leaves_requests_pending_and_a_new_worker_recomputes_once(
    db: AppState, redis_url: str, workers: Callable[[], WorkerProcess]
) -> None:
    project = await _project(db)
    connection = redis.Redis.from_url(redis_url)
    async with _rows_locked(db, project):
        assert await _dispatch(db, redis_url, timedelta(minutes=5)) == [project]
        first = workers()
        await _wait_for(lambda: _job_blocked_at_write(db), "the job to reach its write")
        assert connection.exists(LOCK_PREFIX + str(project))
        first.kill()  # SIGKILL, worker and work horse, mid-transaction
        assert first.process.returncode == -9
    # PostgreSQL rolled the killed run back: nothing written, the request still pending.
    assert await _rows(db, select(TaskRun.id).where(TaskRun.project_id == project)) == []
    pending = await _rows(db, select(ScheduleRequest.enqueued_at, ScheduleRequest.done_at))
    assert len(pending) == 1
    assert pending[0][0] is not None  # claimed by the relay...
    assert pending[0][1] is None  # ...but never done

    # The dead run's lock frees itself (no renewal any more) within its TTL.
    async def lock_gone() -> bool:
        return not connection.exists(LOCK_PREFIX + str(project))

    await _wait_for(lock_gone, "the lock to expire", timeout=LOCK_TTL + 5)
    # The relay ignores a freshly claimed request, then re-dispatches a stale one.
    assert await _dispatch(db, redis_url, timedelta(minutes=5)) == []
    await asyncio.sleep(1.1)
    assert await _dispatch(db, redis_url, timedelta(seconds=1)) == [project]
    workers()

    async def done() -> bool:
        return not await _rows(
            db, select(ScheduleRequest.id).where(ScheduleRequest.done_at.is_(None))
        )

    await _wait_for(done, "the request to be served")
    runs = await _rows(db, select(TaskRun.state, TaskRun.requests))
    assert [tuple(run) for run in runs] == [("succeeded", 1)]
    await _assert_scheduled_once(db, project)
    connection.close()


async def test_two_jobs_for_one_project_never_run_the_engine_at_once(
    db: AppState, redis_url: str, workers: Callable[[], WorkerProcess]
) -> None:
    project = await _project(db)
    connection = redis.Redis.from_url(redis_url)
    workers()
    workers()
    async with _rows_locked(db, project):
        assert await _dispatch(db, redis_url, timedelta(minutes=5)) == [project]
        await _wait_for(lambda: _job_blocked_at_write(db), "the first job to reach its write")
        # A second job for the project while the first holds the lock: the idle worker picks
        # it up, finds the lock taken and schedules one retry instead of running the engine.
        async with db.sessions() as session, session.begin():
            session.add(ScheduleRequest(project_id=project, reason="second"))
        assert await _dispatch(db, redis_url, timedelta(minutes=5)) == [project]

        async def deferred() -> bool:
            registry = ScheduledJobRegistry(QUEUE, connection=connection)
            return registry.get_job_ids() == [job_id(project, "deferred")]

        await _wait_for(deferred, "the second job to defer itself")
        assert await _rows(db, select(TaskRun.id)) == []  # the first is still mid-run

    # The first run commits; the deferred one runs ~10 s later and serves the second request.
    async def both_done() -> bool:
        return len(await _rows(db, select(TaskRun.id))) == 2

    await _wait_for(both_done, "the deferred run", timeout=60)
    runs = await _rows(
        db,
        select(TaskRun.started_at, TaskRun.finished_at, TaskRun.requests, TaskRun.state).order_by(
            TaskRun.started_at
        ),
    )
    (start1, end1, served1, state1), (start2, _end2, served2, state2) = runs
    assert (served1, state1, served2, state2) == (1, "succeeded", 1, "succeeded")
    assert start2 >= end1 + timedelta(seconds=5)  # strictly after, by the retry delay
    assert start1 < end1
    connection.close()
