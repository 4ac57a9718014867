"""Tombstone window: purged tombstones raise the project's floor; older cursors must resync."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select, text

from app.models import ProjectSyncFloor, SyncBatch, Task
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState, unit_of_work
from app.sync.purge import purge_sync, purge_sync_job
from tests.app.sync.helpers import SyncClient, changes, task_record
from tests.factories import make_project, make_user, make_workspace


async def test_purge_then_old_cursor_gets_410_and_a_full_pull_recovers(
    client: httpx.AsyncClient, settings: Settings, db: AppState
) -> None:
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.PROJECT_MANAGER}
    )
    phone = SyncClient(client, settings, owner.id, project.id)
    stale = SyncClient(client, settings, owner.id, project.id)
    await phone.pull()
    keep, gone = uuid.uuid4(), uuid.uuid4()
    created = await phone.push(
        changes("tasks", created=[task_record(keep, "K"), task_record(gone, "G")])
    )
    assert created.status_code == 200
    await stale.pull()  # this client saw both tasks, then goes offline
    await phone.pull()
    assert (await phone.push(changes("tasks", deleted=[str(gone)]), batch="b1")).status_code == 200
    await phone.pull()
    async with unit_of_work(db.sessions) as uow:
        # Age the tombstone and the batch past their windows, without renumbering the row
        # (as if time had passed: triggers off for this transaction).
        await uow.session.execute(text("SET LOCAL session_replication_role = replica"))
        await uow.session.execute(
            text("UPDATE task SET updated_at = now() - interval '40 days' WHERE id = :i"),
            {"i": gone},
        )
        await uow.session.execute(
            text("UPDATE sync_batch SET created_at = now() - interval '2 days'")
        )

    async with unit_of_work(db.sessions) as uow:
        dry = await purge_sync(uow.session, 30, 24, dry_run=True)
    assert dry.tombstones["tasks"] == 1
    assert dry.batches == 1
    async with unit_of_work(db.sessions) as uow:
        result = await purge_sync(uow.session, 30, 24)
    assert result.tombstones == {
        "assignments": 0,
        "comments": 0,
        "task_labels": 0,
        "risk_tasks": 0,
        "risks": 0,
        "baselines": 0,
        "dependencies": 0,
        "tasks": 1,
        "sprints": 0,
        "labels": 0,
        "board_columns": 0,
        "calendars": 0,
    }
    assert result.batches == 1
    async with db.sessions() as session:
        assert await session.get(Task, gone) is None
        assert await session.get(Task, keep) is not None
        floor = await session.scalar(select(ProjectSyncFloor.floor_seq))
        assert await session.scalar(select(func.count()).select_from(SyncBatch)) == 0
    assert floor is not None
    assert floor > stale.last_pulled_at

    response = await stale.get(last_pulled_at=stale.last_pulled_at)
    assert response.status_code == 410
    problem = response.json()
    assert problem["type"].endswith("/resync-required")
    assert problem["floor"] == floor
    # A client past the floor pulls as usual; a full pull recovers the stale one.
    assert (await phone.get(last_pulled_at=phone.last_pulled_at)).status_code == 200
    stale.local.clear()
    stale.last_pulled_at = 0
    await stale.pull()
    assert set(stale.local["tasks"]) == {str(keep)}
    # Fresh tombstones are kept.
    summary = await purge_sync_job(db)  # the periodic job, with the settings' windows
    assert summary == {
        "tombstones": {
            "assignments": 0,
            "comments": 0,
            "task_labels": 0,
            "risk_tasks": 0,
            "risks": 0,
            "baselines": 0,
            "dependencies": 0,
            "tasks": 0,
            "sprints": 0,
            "labels": 0,
            "board_columns": 0,
            "calendars": 0,
        },
        "batches": 0,
        "floors_raised": 0,
    }
