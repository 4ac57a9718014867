"""Batched deletion: every matching row goes, however many batches it takes; others stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models import TaskRun
from app.retention.batches import delete_in_batches
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace


async def test_deletes_across_batches_and_counts_in_a_dry_run(db: AppState) -> None:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    async with unit_of_work(db.sessions) as uow:
        for i in range(7):
            uow.session.add(
                TaskRun(
                    project_id=project.id,
                    kind="cpm",
                    state="failed" if i < 5 else "succeeded",
                    finished_at=dt.datetime.now(dt.UTC),
                )
            )
    doomed = TaskRun.state == "failed"
    assert await delete_in_batches(db.sessions, TaskRun, doomed, dry_run=True) == 5
    assert await delete_in_batches(db.sessions, TaskRun, doomed, batch_size=2) == 5
    async with db.sessions() as session:
        states = list((await session.execute(select(TaskRun.state))).scalars())
    assert states == ["succeeded", "succeeded"]
    assert await delete_in_batches(db.sessions, TaskRun, doomed, batch_size=2) == 0
