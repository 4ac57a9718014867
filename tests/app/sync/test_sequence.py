"""The commit-ordered sync sequence: coverage of every synced table and every write path, and
the property the cursor relies on (a row committed after a pull is seen by the next pull)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from sqlalchemy import bindparam, select, text, update

from app.models import Base, Dependency, Project, Task, Versioned
from app.state import AppState, unit_of_work
from app.sync.ddl import TRIGGER
from app.sync.sequence import high_water
from app.versioning import soft_delete, versioned_update
from tests.factories import make_project, make_user, make_workspace

SYNCED = [Project.__table__, Task.__table__, Dependency.__table__]


def _project_scoped_versioned_tables() -> set[str]:
    names = set()
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if issubclass(mapper.class_, Versioned) and (
            "project_id" in table.c or table.name == "project"
        ):
            names.add(table.name)
    return names


async def test_every_project_scoped_versioned_table_has_the_trigger(db: AppState) -> None:
    # A table another change adds with `project_id` on the Versioned mixin fails here until
    # its migration calls `attach_sync_trigger(...)`.
    async with db.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = :name AND NOT t.tgisinternal"
            ),
            {"name": TRIGGER},
        )
        with_trigger = {r[0] for r in rows}
    expected = _project_scoped_versioned_tables()
    assert {"project", "task", "dependency", "calendar"} <= expected
    assert expected - with_trigger == set(), "attach_sync_trigger() missing on these tables"


async def _setup(db: AppState) -> tuple[uuid.UUID, list[uuid.UUID]]:
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    ids = [uuid.uuid4() for _ in range(3)]
    async with unit_of_work(db.sessions) as uow:
        for i in ids:
            uow.session.add(Task(id=i, project_id=project.id, wbs_path="t" + i.hex, name="t"))
    return project.id, ids


async def _seqs(db: AppState, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    async with db.sessions() as session:
        rows = await session.execute(select(Task.id, Task.sync_seq).where(Task.id.in_(ids)))
        return {r[0]: r[1] for r in rows}


async def test_every_write_path_moves_the_row_past_the_high_water(db: AppState) -> None:
    project_id, ids = await _setup(db)
    inserted = await _seqs(db, ids)
    assert all(seq > 0 for seq in inserted.values())
    assert len(set(inserted.values())) == 3

    async def mark() -> int:
        async with db.sessions() as session:
            return await high_water(session, project_id, SYNCED)

    before = await mark()
    assert before == max(inserted.values())
    async with unit_of_work(db.sessions) as uow:  # ORM-enabled versioned UPDATE
        await versioned_update(uow.session, Task, ids[0], {"name": "renamed"})
    after_orm = await mark()
    assert (await _seqs(db, ids))[ids[0]] == after_orm > before

    async with unit_of_work(db.sessions) as uow:  # the scheduler's Core executemany
        stmt = (
            update(Task.__table__)  # type: ignore[arg-type]
            .where(Task.__table__.c.id == bindparam("row_id"))
            .values(early_start=bindparam("es"))
        )
        await uow.session.execute(stmt, [{"row_id": i, "es": dt.date(2026, 2, 2)} for i in ids[1:]])
    core = await _seqs(db, ids)
    assert min(core[ids[1]], core[ids[2]]) > after_orm

    async with unit_of_work(db.sessions) as uow:  # tombstone
        await soft_delete(uow.session, Task, ids[0])
    async with unit_of_work(db.sessions) as uow:  # raw SQL
        await uow.session.execute(
            text("UPDATE project SET name = 'x' WHERE id = :p"), {"p": project_id}
        )
        project_seq = await uow.session.scalar(
            select(Project.sync_seq).where(Project.id == project_id)
        )
    final = await _seqs(db, ids)
    assert final[ids[0]] > max(core.values())
    assert project_seq is not None
    assert project_seq > final[ids[0]]
    assert await mark() == project_seq


async def test_a_row_committed_after_a_pull_is_seen_by_the_next_pull(db: AppState) -> None:
    """The writer's transaction starts (and numbers its row) before the pull reads the
    high water; it commits after. The pull must not advance past it."""
    project_id, ids = await _setup(db)
    async with db.sessions() as writer:
        await writer.begin()
        await versioned_update(writer, Task, ids[0], {"name": "slow writer"})

        # A second writer on the same project queues behind the first (commit order).
        async def second() -> None:
            async with unit_of_work(db.sessions) as uow:
                await versioned_update(uow.session, Task, ids[1], {"name": "second"})

        second_task = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not second_task.done(), "a second writer of the project must wait for the first"

        async with db.sessions() as puller:
            cursor = await high_water(puller, project_id, SYNCED)
            seen = set(
                (
                    await puller.execute(
                        select(Task.id).where(
                            Task.project_id == project_id, Task.sync_seq <= cursor
                        )
                    )
                ).scalars()
            )
        assert seen == set(ids)  # the committed versions, with their old numbers
        await writer.commit()
    await asyncio.wait_for(second_task, 10)

    async with db.sessions() as puller:
        changed = list(
            (
                await puller.execute(
                    select(Task.id)
                    .where(Task.project_id == project_id, Task.sync_seq > cursor)
                    .order_by(Task.sync_seq)
                )
            ).scalars()
        )
    # Both late commits are after the cursor, in commit order.
    assert changed == [ids[0], ids[1]]


async def test_other_projects_do_not_wait(db: AppState) -> None:
    project_a, ids_a = await _setup(db)
    project_b, ids_b = await _setup(db)
    async with db.sessions() as writer:
        await writer.begin()
        await versioned_update(writer, Task, ids_a[0], {"name": "holding A"})
        async with unit_of_work(db.sessions) as uow:
            await asyncio.wait_for(
                versioned_update(uow.session, Task, ids_b[0], {"name": "B is free"}), 5
            )
        await writer.rollback()
    assert project_a != project_b


@pytest.mark.parametrize("key", ["other"])
def test_attach_refuses_an_unknown_key(key: str) -> None:
    from app.sync.ddl import attach_sync_trigger

    with pytest.raises(ValueError, match="project_id"):
        attach_sync_trigger("task", key=key)


async def test_a_rolled_back_savepoint_does_not_leave_the_project_unlocked(db: AppState) -> None:
    """The trigger skips re-locking a project it locked earlier in the transaction; after a
    savepoint that took the lock rolls back, the next write must take it again."""
    _, ids = await _setup(db)
    async with db.sessions() as writer:
        await writer.begin()
        savepoint = await writer.begin_nested()
        await versioned_update(writer, Task, ids[0], {"name": "rolled back"})
        await savepoint.rollback()
        await versioned_update(writer, Task, ids[1], {"name": "kept"})

        async def second() -> None:
            async with unit_of_work(db.sessions) as uow:
                await versioned_update(uow.session, Task, ids[2], {"name": "second"})

        other = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not other.done(), "the outer transaction must hold the project lock again"
        await writer.commit()
    await asyncio.wait_for(other, 10)
    seqs = await _seqs(db, ids)
    assert seqs[ids[2]] > seqs[ids[1]]


async def test_row_updates_take_the_project_first_so_structural_writers_do_not_deadlock(
    db: AppState,
) -> None:
    """A structural writer holds the project (lock_project) and then updates a task; a
    concurrent versioned_update of that task must queue on the project, not lock the row
    first and then wait for the project (which deadlocked before the lock order was fixed)."""
    from app.tasks.repository import lock_project

    project_id, ids = await _setup(db)
    async with db.sessions() as structural:
        await structural.begin()
        await lock_project(structural, project_id)

        async def row_update() -> None:
            async with unit_of_work(db.sessions) as uow:
                await versioned_update(uow.session, Task, ids[0], {"name": "by the row writer"})

        other = asyncio.create_task(row_update())
        await asyncio.sleep(0.3)
        assert not other.done()
        await asyncio.wait_for(versioned_update(structural, Task, ids[0], {"kind": "summary"}), 5)
        await structural.commit()
    await asyncio.wait_for(other, 10)
    async with db.sessions() as session:
        row = await session.get(Task, ids[0])
        assert row is not None
        assert (row.name, row.kind) == ("by the row writer", "summary")


async def test_a_pool_row_waits_for_and_holds_every_project_of_its_workspace(
    db: AppState,
) -> None:
    """A resource belongs to every project's pull of its workspace: numbering one serializes
    with the writers of each of them and with a project being created there (trigger v3),
    while another workspace's projects do not wait."""
    from app.models import Resource

    project_id, ids = await _setup(db)
    async with db.sessions() as session:
        workspace_id = (await session.get_one(Project, project_id)).workspace_id
    _, elsewhere = await _setup(db)
    async with db.sessions() as pool_writer:
        await pool_writer.begin()
        resource = Resource(workspace_id=workspace_id, name="Ada")
        pool_writer.add(resource)
        await pool_writer.flush()

        async def task_write() -> None:
            async with unit_of_work(db.sessions) as uow:
                await versioned_update(uow.session, Task, ids[0], {"name": "after the pool"})

        async def new_project() -> None:
            async with unit_of_work(db.sessions) as uow:
                uow.session.add(
                    Project(workspace_id=workspace_id, name="Later", start_date=dt.date(2026, 1, 5))
                )

        waiting = [asyncio.create_task(task_write()), asyncio.create_task(new_project())]
        await asyncio.sleep(0.3)
        assert not any(w.done() for w in waiting), "pool and project writers must take turns"
        async with unit_of_work(db.sessions) as uow:  # another workspace is free
            await asyncio.wait_for(
                versioned_update(uow.session, Task, elsewhere[0], {"name": "free"}), 5
            )
        async with db.sessions() as puller:
            tables = [*SYNCED, Resource.__table__]
            cursor = await high_water(puller, project_id, tables)
        await pool_writer.commit()
    await asyncio.wait_for(asyncio.gather(*waiting), 10)
    async with db.sessions() as session:
        pool_seq = await session.scalar(select(Resource.sync_seq).where(Resource.id == resource.id))
        task_seq = await session.scalar(select(Task.sync_seq).where(Task.id == ids[0]))
        later = await session.scalar(
            select(Project.sync_seq).where(Project.workspace_id == workspace_id,
                                           Project.name == "Later")
        )  # fmt: skip
    # The pool row committed after the pull's high water was read: the next pull sees it.
    assert cursor < pool_seq < task_seq
    assert later is not None
    assert later > pool_seq
