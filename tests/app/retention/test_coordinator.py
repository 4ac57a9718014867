"""The retention purge coordinator on the real database: windows, terminal rows only, the run
log, failure isolation, the single-flight guard and what the beat health endpoint shows."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select, text, update

from app.asgi import create_app
from app.beat.registry import REGISTRY
from app.models import RetentionPurgeRun
from app.retention.coordinator import (
    PurgeInProgress,
    StepResult,
    begin_run,
    outcome,
    purge_job,
    run_purge,
)
from app.retention.log import latest_state, recent_runs
from app.settings import Settings
from app.state import AppState, unit_of_work
from tests.app.retention.seed import seed_everything, surviving

EXPECTED = {
    "history": 2,
    "task_runs": 2,
    "schedule_requests": 1,
    "sprint_close_requests": 1,
    "sync_batches": 1,
    "sync_tombstones": 1,
    "forecast_snapshots": 1,
    "plan_imports": 1,
    "webhook_deliveries": 1,
    "security_audit": 1,
    "sso_attempts": 1,
}


def _deleted(run: RetentionPurgeRun) -> dict[str, int]:
    return {name: t["deleted"] for name, t in run.tables.items()}


async def test_a_dry_run_counts_and_a_real_run_deletes_exactly_past_the_windows(
    db: AppState,
) -> None:
    keep = await seed_everything(db, dt.datetime.now(dt.UTC))
    before = await surviving(db)

    dry = await run_purge(db, dry_run=True)
    assert (dry.state, dry.dry_run, dry.deleted) == ("ok", True, 13)
    assert _deleted(dry) == EXPECTED
    assert await surviving(db) == before  # nothing deleted

    real = await run_purge(db, trigger="beat")
    assert (real.state, real.dry_run, real.trigger, real.deleted) == ("ok", False, "beat", 13)
    assert _deleted(real) == EXPECTED
    assert all(t["ok"] and t["error"] is None for t in real.tables.values())
    assert real.finished_at is not None
    assert real.finished_at >= real.started_at
    assert real.duration_ms is not None
    assert real.duration_ms >= 0
    # Non-terminal rows (a pending schedule request and sprint close from a month or two ago,
    # an unfinished task run) survive, as does everything inside its window.
    assert await surviving(db) == keep

    again = await run_purge(db)
    assert (again.state, again.deleted) == ("ok", 0)
    assert [r.id for r in await recent_runs(db.sessions)] == [again.id, real.id, dry.id]


async def test_a_failing_table_is_flagged_and_the_others_still_purge(db: AppState) -> None:
    keep = await seed_everything(db, dt.datetime.now(dt.UTC))
    original = db.settings
    db.settings = dataclasses.replace(original, history_retention_days=0)  # a bad override
    try:
        run = await run_purge(db)
    finally:
        db.settings = original
    assert run.state == "partial"
    assert run.tables["history"] == {
        "deleted": 0,
        "ok": False,
        "ms": run.tables["history"]["ms"],
        "error": "ValueError: retention_days must be at least 1",
    }
    assert _deleted(run) == {**EXPECTED, "history": 0}
    assert run.deleted == 11
    left = await surviving(db)
    assert len(left["history"]) == 3  # untouched
    assert {k: v for k, v in left.items() if k != "history"} == {
        k: v for k, v in keep.items() if k != "history"
    }
    assert await latest_state(db.sessions) == {
        "state": "partial",
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_ms": run.duration_ms,
        "deleted": 11,
        "failed_tables": ["history"],
    }


def test_outcome_of_a_run() -> None:
    ok, bad = StepResult(3, True, 1), StepResult(0, False, 1, "boom")
    assert outcome([ok, ok]) == "ok"
    assert outcome([ok, bad]) == "partial"
    assert outcome([bad, bad]) == "failed"


@asynccontextmanager
async def _history_locked(state: AppState) -> AsyncIterator[None]:
    """Hold `history_entry` exclusively, so a run waits in its first step, mid-flight."""
    async with state.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("LOCK TABLE history_entry IN ACCESS EXCLUSIVE MODE"))
        yield
        await transaction.rollback()


async def test_one_real_run_at_a_time_dry_runs_are_not_blocked(db: AppState) -> None:
    async with _history_locked(db):
        first = asyncio.create_task(run_purge(db))
        while not await recent_runs(db.sessions):
            await asyncio.sleep(0.05)
        [holder] = await recent_runs(db.sessions)
        with pytest.raises(PurgeInProgress) as busy:
            await run_purge(db)
        assert busy.value.run_id == holder.id
        assert await purge_job(db) == {"skipped": busy.value.message}
        assert busy.value.message.startswith(f"a purge is already running (run {holder.id}")
        dry = asyncio.create_task(run_purge(db, dry_run=True))  # counts; waits on the lock too
        await asyncio.sleep(0.3)
        assert not dry.done()
    assert (await first).state == "ok"
    assert (await dry).dry_run is True
    assert (await run_purge(db)).state == "ok"  # the guard is free again


async def test_a_run_whose_process_died_stops_blocking_after_the_window(db: AppState) -> None:
    dead = await begin_run(db.sessions, dry_run=False, trigger="beat", inflight_seconds=600)
    with pytest.raises(PurgeInProgress):
        await run_purge(db)
    async with unit_of_work(db.sessions) as uow:  # silent for 11 minutes
        await uow.session.execute(
            update(RetentionPurgeRun)
            .where(RetentionPurgeRun.id == dead)
            .values(heartbeat_at=text("now() - interval '11 minutes'"))
        )
    run = await run_purge(db)
    assert run.state == "ok"
    async with db.sessions() as session:
        abandoned = await session.get(RetentionPurgeRun, dead)
    assert abandoned is not None
    assert abandoned.state == "failed"
    assert abandoned.error is not None
    assert abandoned.error.startswith("abandoned: ")
    assert abandoned.finished_at == abandoned.heartbeat_at


async def test_concurrent_starts_admit_exactly_one(db: AppState) -> None:
    async def start() -> str:
        try:
            await begin_run(db.sessions, dry_run=False, trigger="cli", inflight_seconds=600)
        except PurgeInProgress:
            return "busy"
        return "started"

    results = await asyncio.gather(*(start() for _ in range(5)))
    assert sorted(results) == ["busy"] * 4 + ["started"]
    async with db.sessions() as session:
        running = (
            await session.execute(
                select(RetentionPurgeRun.id).where(RetentionPurgeRun.state == "running")
            )
        ).all()
    assert len(running) == 1


async def test_the_beat_job_runs_the_coordinator(db: AppState) -> None:
    job = REGISTRY["retention.purge"]
    summary = await job.resolve()(db)
    assert summary["state"] == "ok"
    assert summary["trigger"] == "beat"
    assert summary["dry_run"] is False
    assert set(summary["tables"]) == set(EXPECTED)


async def test_beat_health_reports_the_latest_real_run(
    db: AppState, client: httpx.AsyncClient
) -> None:
    before = (await client.get("/api/v1/health/beat/")).json()
    assert before["retention_purge"] == {"state": "unknown"}
    await seed_everything(db, dt.datetime.now(dt.UTC))
    real = await run_purge(db)
    await run_purge(db, dry_run=True)  # dry runs are not what health reports
    after = (await client.get("/api/v1/health/beat/")).json()
    assert after["retention_purge"] == {
        "state": "ok",
        "started_at": real.started_at.isoformat(),
        "finished_at": real.finished_at.isoformat() if real.finished_at else None,
        "duration_ms": real.duration_ms,
        "deleted": 13,
        "failed_tables": [],
    }


async def test_beat_health_says_unavailable_when_the_database_does_not_answer(
    settings: Settings,
) -> None:
    app = create_app(settings, "postgresql://nobody@127.0.0.1:1/none")  # nothing listens
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/api/v1/health/beat/")
    await app.state.trueppm.close()
    assert response.status_code == 503  # no heartbeat either, as before
    assert response.json()["retention_purge"] == {"state": "unavailable"}
