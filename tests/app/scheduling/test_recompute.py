"""Auto-scheduling in-process: outbox → relay → engine → only changed outputs written."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from app.models import ScheduleRequest, Task, TaskRun
from app.scheduling import recompute as recompute_module
from app.scheduling.recompute import recompute
from app.scheduling.runner import InProcessRunner, relay_once
from app.state import AppState
from tests.app.scheduling.factories import START, add_tasks, link
from tests.factories import make_project, make_user, make_workspace


@pytest.fixture
async def chain(db: AppState) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner), start=START)
    ids = await add_tasks(db, project, {"A": ("task", 3), "B": ("task", 2), "M": ("milestone", 0)})
    await link(db, project, [(ids["A"], ids["B"]), (ids["B"], ids["M"])])
    return project.id, ids


async def _tasks(db: AppState, ids: dict[str, uuid.UUID]) -> dict[str, Task]:
    async with db.sessions() as session:
        rows = (await session.execute(select(Task).where(Task.id.in_(ids.values())))).scalars()
        by_id = {row.id: row for row in rows}
    return {name: by_id[i] for name, i in ids.items()}


async def _pending(db: AppState, project_id: uuid.UUID) -> int:
    async with db.sessions() as session:
        rows = await session.execute(
            select(ScheduleRequest).where(
                ScheduleRequest.project_id == project_id, ScheduleRequest.done_at.is_(None)
            )
        )
        return len(rows.all())


async def test_in_process_runner_writes_engine_dates(
    db: AppState, chain: tuple[uuid.UUID, dict[str, uuid.UUID]]
) -> None:
    project_id, ids = chain
    runner = InProcessRunner(db.sessions, sweep_every=0.05)
    runner.start()
    try:
        await runner.poke()
        await asyncio.sleep(0.1)
        await asyncio.wait_for(runner.idle.wait(), timeout=10)
    finally:
        await runner.stop()
    tasks = await _tasks(db, ids)
    assert (tasks["A"].early_start, tasks["A"].early_finish) == (START, dt.date(2026, 1, 7))
    assert (tasks["B"].early_start, tasks["B"].early_finish) == (
        dt.date(2026, 1, 8),
        dt.date(2026, 1, 9),
    )
    assert tasks["M"].early_start == tasks["M"].early_finish == dt.date(2026, 1, 9)
    assert all(t.total_float == 0 and t.is_critical for t in tasks.values())
    assert {t.server_version for t in tasks.values()} == {2}
    assert await _pending(db, project_id) == 0
    async with db.sessions() as session:
        run = (await session.execute(select(TaskRun))).scalar_one()
    assert (run.state, run.requests, run.tasks_changed, run.error) == ("succeeded", 1, 3, None)


async def test_unchanged_outputs_are_not_rewritten(
    db: AppState, chain: tuple[uuid.UUID, dict[str, uuid.UUID]]
) -> None:
    project_id, ids = chain
    first = await recompute(db.sessions, project_id)
    assert first.state == "succeeded"
    assert first.project_finish == dt.date(2026, 1, 9)
    assert first.critical_path == (str(ids["A"]), str(ids["B"]), str(ids["M"]))
    second = await recompute(db.sessions, project_id, force=True)
    assert (second.state, second.changed) == ("succeeded", {})
    assert {t.server_version for t in (await _tasks(db, ids)).values()} == {2}
    assert (await recompute(db.sessions, project_id)).state == "skipped"  # nothing pending


async def test_failed_dispatch_keeps_requests_pending(
    db: AppState, chain: tuple[uuid.UUID, dict[str, uuid.UUID]]
) -> None:
    project_id, _ = chain

    async def queue_down(_: uuid.UUID) -> None:
        raise ConnectionError("valkey unreachable")

    with pytest.raises(ConnectionError):
        await relay_once(db.sessions, queue_down)
    assert await _pending(db, project_id) == 1
    dispatched: list[uuid.UUID] = []

    async def record(pid: uuid.UUID) -> None:
        dispatched.append(pid)

    assert await relay_once(db.sessions, record) == [project_id]
    assert dispatched == [project_id]
    # Claimed but not done: not claimed again until the reclaim window passes.
    assert await relay_once(db.sessions, record) == []
    assert await relay_once(db.sessions, record, reclaim_after=dt.timedelta(0)) == [project_id]


async def test_engine_error_is_recorded_once_not_retried(db: AppState) -> None:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner), start=START)
    ids = await add_tasks(db, project, {"A": ("task", 1), "B": ("task", 1)})
    await link(db, project, [(ids["A"], ids["B"]), (ids["B"], ids["A"])])  # slipped-in cycle
    outcome = await recompute(db.sessions, project.id)
    assert outcome.state == "failed"
    assert outcome.error is not None
    assert "cycl" in outcome.error.lower()
    assert await _pending(db, project.id) == 0
    assert (await recompute(db.sessions, project.id)).state == "skipped"


async def test_crash_before_commit_leaves_requests_for_a_clean_rerun(
    db: AppState,
    chain: tuple[uuid.UUID, dict[str, uuid.UUID]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project_id, ids = chain
    real_write = recompute_module._write

    async def crash(*args: object) -> None:
        await real_write(*args)  # type: ignore[arg-type]
        raise SystemError("worker killed")

    monkeypatch.setattr(recompute_module, "_write", crash)
    with pytest.raises(SystemError):
        await recompute(db.sessions, project_id)
    assert await _pending(db, project_id) == 1
    assert {t.early_start for t in (await _tasks(db, ids)).values()} == {None}
    monkeypatch.setattr(recompute_module, "_write", real_write)
    assert (await recompute(db.sessions, project_id)).state == "succeeded"
    assert {t.server_version for t in (await _tasks(db, ids)).values()} == {2}
