"""Lock order and lock strength of the board's writers (moveTask, new cards, column deletes).

Every writer of a project's synced rows takes the project row first with `FOR NO KEY UPDATE`
(the sync trigger's lock, app/sync/locks.py), then the column row, then the task row. These
tests replay, statement by statement, the interleavings that deadlocked when a card move took
the project and the task `FOR UPDATE`, a mode that also waits for the `FOR KEY SHARE` locks
PostgreSQL's foreign-key checks take.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.boards.cards import CardMove, move_card
from app.boards.placement import lock_column
from app.models import BoardColumn, Project, Task
from app.state import AppState, unit_of_work
from app.sync.locks import lock_sync_project
from app.tasks.placement import Target
from app.tasks.service import create_task
from app.versioning import versioned_update
from tests.factories import make_project, make_user, make_workspace

_TOP = Target(None, None, None, ("p",), ("b",), ("a",))


async def _board(db: AppState) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, dict[str, uuid.UUID]]:
    """(user, project, one card, column ids by name)."""
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    async with unit_of_work(db.sessions) as uow:
        task = await create_task(uow.session, owner.id, project.id, {"name": "Card"}, _TOP)
        rows = await uow.session.execute(
            select(BoardColumn.name, BoardColumn.id).where(BoardColumn.project_id == project.id)
        )
        columns = {name: column_id for name, column_id in rows.all()}
    return owner.id, project.id, task.id, columns


async def test_a_move_does_not_deadlock_with_a_link_being_inserted_to_its_card(
    db: AppState,
) -> None:
    """Inserting a dependency (say a cross-project link from another project) runs its
    foreign-key checks in constraint order: `FOR KEY SHARE` on the predecessor task, later
    on the predecessor's project. A move of that card between the two used to take the
    project `FOR UPDATE` (blocking the second check) and then wait for the task: a cycle."""
    user, project, card, columns = await _board(db)
    async with db.sessions() as linker:
        await linker.begin()
        await linker.execute(
            select(Task.id).where(Task.id == card).with_for_update(read=True, key_share=True)
        )
        move = asyncio.create_task(_move(db, user, card, columns["Done"]))
        await asyncio.sleep(0.5)  # the move has locked what it locks before the card
        await asyncio.wait_for(
            linker.execute(
                select(Project.id)
                .where(Project.id == project)
                .with_for_update(read=True, key_share=True)
            ),
            5,
        )
        await linker.commit()
    moved = await asyncio.wait_for(move, 10)
    assert moved.column_id == columns["Done"]


async def test_a_move_queues_on_the_project_before_locking_the_column_or_card(
    db: AppState,
) -> None:
    """A writer holding the project (any task edit, through the sync trigger or
    `versioned_update`) may go on to lock the column and the card: the move must be waiting
    for the project, not holding either of them."""
    user, project, card, columns = await _board(db)
    async with db.sessions() as writer:
        await writer.begin()
        await lock_sync_project(writer, project)
        move = asyncio.create_task(_move(db, user, card, columns["Done"]))
        await asyncio.sleep(0.5)
        assert not move.done()
        await asyncio.wait_for(lock_column(writer, columns["Done"]), 5)
        await asyncio.wait_for(versioned_update(writer, Task, card, {"name": "renamed"}), 5)
        await writer.commit()
    moved = await asyncio.wait_for(move, 10)
    assert (moved.name, moved.column_id) == ("renamed", columns["Done"])


async def test_lock_column_takes_the_project_itself(db: AppState) -> None:
    """New cards (`new_card_slot`) and column deletes (`append_cards`) lock columns through
    `lock_column`, which must not rely on its caller for the project lock."""
    _, project, _, columns = await _board(db)
    async with db.sessions() as holder, db.sessions() as other:
        await holder.begin()
        await lock_column(holder, columns["To Do"])
        await other.begin()
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            await other.execute(
                select(Project.id)
                .where(Project.id == project)
                .with_for_update(key_share=True, nowait=True)
            )
        await holder.rollback()


async def _move(db: AppState, user: uuid.UUID, card: uuid.UUID, column: uuid.UUID) -> Task:
    async with unit_of_work(db.sessions) as uow:
        return await move_card(uow, user, CardMove(card, column))
