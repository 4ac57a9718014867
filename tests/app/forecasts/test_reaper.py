"""The stale forecast reaper without a queue (the embedded default): heartbeats decide.

Runs with an RQ queue, and a real worker killed mid-run, are in tests/jobs/test_forecast_reaper.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app.events.types import EventType
from app.forecasts import errors
from app.forecasts.heartbeat import keep_alive, touch
from app.forecasts.reaper import _Candidate, judge, reap_stale_forecasts
from app.forecasts.run import execute_forecast
from app.models import ForecastRun
from app.state import AppState, unit_of_work
from tests.app.forecasts.factories import chain_project, queue_run
from tests.app.forecasts.test_run import _events, _run_row

STALE = timedelta(seconds=300)
LOST = "worker_lost: no heartbeat from its runner for over 300 s"


async def _age(db: AppState, run_id: uuid.UUID, **ages: str) -> None:
    """Set the run's state and make its timestamps `now() - <interval>` (e.g. `'10 minutes'`)."""
    values: dict[str, object] = {
        k: text(f"now() - interval '{v}'") for k, v in ages.items() if k != "state"
    }
    if "state" in ages:
        values["state"] = ages["state"]
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(
            update(ForecastRun).where(ForecastRun.id == run_id).values(**values)
        )


def _run(state: str, silent: bool) -> _Candidate:
    return _Candidate(uuid.uuid4(), uuid.uuid4(), state, silent)


@pytest.mark.parametrize(
    ("queue", "status", "state", "silent", "expected"),
    [
        ("rq", None, "queued", False, errors.WORKER_LOST),
        ("rq", None, "running", False, errors.WORKER_LOST),
        ("rq", "failed", "running", False, errors.WORKER_FAILED),
        ("rq", "stopped", "running", False, errors.WORKER_FAILED),
        ("rq", "canceled", "queued", False, errors.WORKER_FAILED),
        ("rq", "finished", "running", False, errors.WORKER_FAILED),
        ("rq", "queued", "queued", True, None),  # a long queue is not a dead worker
        ("rq", "deferred", "queued", True, None),
        ("rq", "started", "running", False, None),
        ("rq", "started", "running", True, errors.WORKER_LOST),  # killed; RQ has not noticed
        ("rq", "started", "queued", True, errors.WORKER_LOST),  # died before claiming
        ("unreachable", None, "queued", True, None),  # may be waiting in the queue
        ("unreachable", None, "running", True, errors.WORKER_LOST),
        ("unreachable", None, "running", False, None),
        ("none", None, "queued", True, errors.WORKER_LOST),
        ("none", None, "queued", False, None),
        ("none", None, "running", True, errors.WORKER_LOST),
        ("none", None, "running", False, None),
    ],
)
def test_verdicts(
    queue: str, status: str | None, state: str, silent: bool, expected: str | None
) -> None:
    verdict = judge(_run(state, silent), status, queue=queue, stale_after=STALE)
    assert (verdict.code if verdict else None) == expected


async def test_a_silent_run_is_failed_and_announced_others_are_left(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2})
    silent = await queue_run(db, project.id)
    await _age(db, silent, state="running", created_at="20 minutes", heartbeat_at="6 minutes")
    alive = await queue_run(db, project.id)
    await _age(db, alive, state="running", created_at="20 minutes", heartbeat_at="4 minutes")
    never = await queue_run(db, project.id)  # queued long ago, no runner ever held it
    await _age(db, never, created_at="10 minutes")
    young = await queue_run(db, project.id)  # committed a moment ago: within the grace
    done = await queue_run(db, project.id)
    await _age(db, done, state="done", created_at="1 day")

    failed = await reap_stale_forecasts(db.sessions, db.events, stale_after=STALE)

    assert {v.run_id for v in failed} == {silent, never}
    rows = {r: await _run_row(db, r) for r in (silent, alive, never, young, done)}
    assert [rows[r].state for r in (silent, alive, never, young, done)] == [
        "failed",
        "running",
        "failed",
        "queued",
        "done",
    ]
    assert rows[silent].error == LOST
    assert rows[silent].finished_at is not None
    events = await _events(db.events, project.id, 2)
    assert [e.type for e in events] == [EventType.FORECAST_FAILED] * 2
    assert {e.payload["forecastRunId"] for e in events} == {str(silent), str(never)}
    assert {e.payload["code"] for e in events} == {errors.WORKER_LOST}
    assert events[0].payload["message"] == LOST.removeprefix("worker_lost: ")
    assert await reap_stale_forecasts(db.sessions, db.events, stale_after=STALE) == []


async def test_keep_alive_stamps_the_heartbeat_until_the_block_ends(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2})
    run_id = await queue_run(db, project.id)
    stamps = set()
    async with keep_alive(db.sessions, run_id, 0.2):
        deadline = time.monotonic() + 10
        while len(stamps - {None}) < 3 and time.monotonic() < deadline:
            stamps.add((await _run_row(db, run_id)).heartbeat_at)
            await asyncio.sleep(0.1)
    assert len(stamps - {None}) >= 3  # it kept writing
    last = (await _run_row(db, run_id)).heartbeat_at
    await asyncio.sleep(0.5)
    assert (await _run_row(db, run_id)).heartbeat_at == last  # and stopped with the block
    await _age(db, run_id, state="failed")
    assert await touch(db.sessions, run_id) is False  # a finished run is never stamped


@asynccontextmanager
async def _risks_locked(state: AppState) -> AsyncIterator[None]:
    """Hold `risk` exclusively: a forecast claims its run, then waits reading its risks."""
    async with state.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("LOCK TABLE risk IN ACCESS EXCLUSIVE MODE"))
        yield
        await transaction.rollback()


async def test_a_run_failed_while_its_runner_was_stuck_stays_failed(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2, "B": 3})
    run_id = await queue_run(db, project.id, iterations=200)
    async with _risks_locked(db):
        task = asyncio.create_task(execute_forecast(db.sessions, db.events, run_id))
        deadline = time.monotonic() + 30
        while (await _run_row(db, run_id)).state != "running":
            assert time.monotonic() < deadline, "the run was never claimed"
            await asyncio.sleep(0.1)
        await _age(db, run_id, created_at="1 hour", heartbeat_at="10 minutes")
        [verdict] = await reap_stale_forecasts(db.sessions, db.events, stale_after=STALE)
        assert verdict.run_id == run_id
    outcome = await asyncio.wait_for(task, 30)  # the simulation completes after all...
    assert outcome.state == "skipped"  # ...but the run stays failed, its results unwritten
    run = await _run_row(db, run_id)
    assert (run.state, run.error, run.p50) == ("failed", LOST, None)
    async with db.sessions() as session:
        done = await session.scalar(select(ForecastRun.id).where(ForecastRun.state == "done"))
    assert done is None
    # One forecast_failed; then only the simulation's progress, never a forecast_complete.
    types = []
    async with db.events.subscribe(project.id, since=0) as stream:
        with contextlib.suppress(TimeoutError):
            while True:
                types.append((await asyncio.wait_for(stream.next(), timeout=0.5)).type)
    assert types[0] == EventType.FORECAST_FAILED
    assert set(types[1:]) <= {EventType.FORECAST_PROGRESS}
