"""The retention purges the beat runs: registered, resolvable, and working on the real DB."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text

from app.beat.heartbeat import MemoryHeartbeat
from app.beat.loop import Beat, LocalBeatBackend
from app.beat.registry import DEFAULT_JOBS, REGISTRY, Daily, Every
from app.models import HistoryEntry, ProjectSyncFloor, SyncBatch, Task
from app.retention.log import latest_state
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import add_tasks
from tests.factories import make_project, make_user, make_workspace


@pytest.mark.parametrize(
    ("name", "function", "schedule"),
    [
        ("scheduling.capture_daily_forecast_floor", "capture_daily_floor", Daily(0, 30)),
        ("forecasts.reap_stale", "reap_stale_forecasts_job", Every(120)),
        # seed 003: one retention purge coordinator at 02:00 UTC...
        ("retention.purge", "purge_job", Daily(2, 0)),
        # ...and the per-table purges still dispatchable, never scheduled on their own.
        ("history.purge", "purge_history_job", None),
        ("sync.purge", "purge_sync_job", None),
    ],
)
def test_default_jobs_are_registered_and_resolve(
    name: str, function: str, schedule: Daily | Every | None
) -> None:
    job = REGISTRY[name]
    assert job in DEFAULT_JOBS
    assert job.resolve().__name__ == function
    assert job.schedule == schedule


async def test_the_beat_fires_the_coordinator_never_an_unscheduled_job(db: AppState) -> None:
    backend = LocalBeatBackend(db)
    beat = Beat(backend, MemoryHeartbeat(), interval=1)
    assert not {"history.purge", "sync.purge"} & {job.name for job in beat.jobs}
    now = dt.datetime.now(dt.UTC)
    fired = await beat.tick(now)
    await backend.wait_idle()  # the jobs really ran, against the test database
    assert "retention.purge" in fired
    assert await backend.last_fired("retention.purge") == Daily(2, 0).last_slot(now)
    assert await backend.last_fired("history.purge") is None
    assert await backend.last_fired("sync.purge") is None
    assert (await latest_state(db.sessions))["state"] == "ok"


async def test_history_purge_job_uses_the_retention_setting(db: AppState) -> None:
    assert db.settings.history_retention_days == 90
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        for age in (10, 100, 200):
            session.add(
                HistoryEntry(
                    table_name="retention-test",
                    object_id=uuid.uuid4(),
                    action="update",
                    at=now - dt.timedelta(days=age),
                    changes={"age": age},
                )
            )
    summary = await REGISTRY["history.purge"].resolve()(db)
    assert summary["retention_days"] == 90
    assert summary["deleted"] == 2
    cutoff = dt.datetime.fromisoformat(summary["cutoff"])
    assert abs(cutoff - (now - dt.timedelta(days=90))) < dt.timedelta(minutes=5)
    async with db.sessions() as session:
        left = (
            await session.execute(
                select(HistoryEntry.changes).where(HistoryEntry.table_name == "retention-test")
            )
        ).scalars()
        assert [c["age"] for c in left] == [10]
    assert (await REGISTRY["history.purge"].resolve()(db))["deleted"] == 0


async def test_sync_purge_job_drops_old_tombstones_and_batches(db: AppState) -> None:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    ids = await add_tasks(
        db, project, {"keep": ("task", 1), "fresh": ("task", 1), "old": ("task", 1)}
    )
    async with unit_of_work(db.sessions) as uow:
        # As if time had passed: triggers off so the rows keep their sync numbers.
        await uow.session.execute(text("SET LOCAL session_replication_role = replica"))
        await uow.session.execute(
            text("UPDATE task SET is_deleted = true, updated_at = now() - interval '40 days'"
                 " WHERE id = :i"), {"i": ids["old"]},
        )  # fmt: skip
        await uow.session.execute(
            text("UPDATE task SET is_deleted = true WHERE id = :i"), {"i": ids["fresh"]}
        )
        for batch, age in (("old", "2 days"), ("new", "1 hour")):
            await uow.session.execute(
                text(
                    "INSERT INTO sync_batch (user_id, client_batch_id, project_id, status_code,"
                    f" response, created_at) VALUES (:u, :b, :p, 200, '{{}}', now() - interval"
                    f" '{age}')"
                ),
                {"u": owner.id, "b": batch, "p": project.id},
            )
    old_seq = await _sync_seq(db, ids["old"])

    summary = await REGISTRY["sync.purge"].resolve()(db)
    assert summary["tombstones"]["tasks"] == 1
    assert sum(summary["tombstones"].values()) == 1
    assert (summary["batches"], summary["floors_raised"]) == (1, 1)
    async with db.sessions() as session:
        tasks = set((await session.execute(select(Task.id))).scalars())
        assert tasks == {ids["keep"], ids["fresh"]}
        batches = set((await session.execute(select(SyncBatch.client_batch_id))).scalars())
        assert batches == {"new"}
        floor = await session.get(ProjectSyncFloor, project.id)
        assert floor is not None
        assert floor.floor_seq == old_seq
    again = await REGISTRY["sync.purge"].resolve()(db)
    assert (sum(again["tombstones"].values()), again["batches"]) == (0, 0)


async def _sync_seq(state: AppState, task_id: uuid.UUID) -> int:
    async with state.sessions() as session:
        seq = await session.scalar(select(Task.sync_seq).where(Task.id == task_id))
    assert seq is not None
    return int(seq)
