"""The history trigger: attached to every synced table, recording old/new values and actors."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, text, update

from app.models import Base, HistoryEntry, Project, Task, Versioned
from app.state import AppState, unit_of_work
from tests.factories import make_project, make_user, make_workspace


def _versioned_tables() -> set[str]:
    return {
        mapper.local_table.name  # type: ignore[union-attr]
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Versioned)
    }


async def test_every_versioned_table_has_the_history_trigger(db: AppState) -> None:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'trueppm_history' AND NOT t.tgisinternal"
            )
        )
        attached = {row[0] for row in rows}
    missing = _versioned_tables() - attached
    assert not missing, (
        f"synced tables without the history trigger: {sorted(missing)}; attach it in your "
        "migration with op.execute(app.history.ddl.attach_history('<table>')) "
        "(see docs/architecture.md, 'Change history')"
    )
    assert {"task", "project", "risk", "comment"} <= attached


async def _entries(state: AppState, object_id: uuid.UUID) -> list[HistoryEntry]:
    async with state.sessions() as session:
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.object_id == object_id)
            .order_by(HistoryEntry.id)
        )
        return list((await session.execute(stmt)).scalars())


async def test_create_update_delete_restore_record_old_and_new_values(db: AppState) -> None:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    project = await make_project(db, workspace)
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        task = Task(project_id=project.id, wbs_path="t1", name="Dig", duration=3)
        uow.session.add(task)
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        await uow.session.execute(
            update(Task)
            .where(Task.id == task.id)
            .values(name="Dig deeper", duration=5, server_version=Task.server_version + 1)
        )
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        # Only the version moves: nothing a reader cares about changed, nothing is recorded.
        await uow.session.execute(
            update(Task).where(Task.id == task.id).values(server_version=Task.server_version + 1)
        )
    async with unit_of_work(db.sessions) as uow:  # no actor: the system (e.g. a recompute)
        await uow.session.execute(
            update(Task).where(Task.id == task.id).values(total_float=2, is_critical=False)
        )
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        await uow.session.execute(
            update(Task).where(Task.id == task.id).values(is_deleted=True, deleted_version=4)
        )
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        await uow.session.execute(update(Task).where(Task.id == task.id).values(is_deleted=False))
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        await uow.session.execute(text("DELETE FROM task WHERE id = :id"), {"id": task.id})

    entries = await _entries(db, task.id)
    assert [e.action for e in entries] == [
        "create",
        "update",
        "update",
        "delete",
        "restore",
        "purge",
    ]
    assert {e.table_name for e in entries} == {"task"}
    assert {e.project_id for e in entries} == {project.id}
    assert [e.actor_id for e in entries] == [user.id, user.id, None, user.id, user.id, user.id]
    created = entries[0].changes
    assert created["name"] == {"old": None, "new": "Dig"}
    assert created["duration"] == {"old": None, "new": 3}
    assert created["wbs_path"] == {"old": None, "new": "t1"}
    assert "id" not in created
    assert "server_version" not in created
    assert "deadline" not in created
    assert entries[1].changes == {
        "name": {"old": "Dig", "new": "Dig deeper"},
        "duration": {"old": 3, "new": 5},
    }
    assert entries[1].server_version == 2
    assert entries[2].changes == {"total_float": {"old": None, "new": 2}}
    assert entries[3].changes == {
        "is_deleted": {"old": False, "new": True},
        "deleted_version": {"old": None, "new": 4},
    }
    assert entries[4].changes == {"is_deleted": {"old": True, "new": False}}
    assert entries[5].changes == {}


async def test_the_actor_setting_is_local_to_its_transaction(db: AppState) -> None:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    async with unit_of_work(db.sessions, actor_id=user.id) as uow:
        project = Project(workspace_id=workspace.id, name="P", start_date=dt.date(2026, 1, 5))
        uow.session.add(project)
    # The pooled connection is reused: the actor must not leak into the next transaction.
    async with unit_of_work(db.sessions) as uow:
        await uow.session.execute(update(Project).where(Project.id == project.id).values(name="Q"))
    entries = await _entries(db, project.id)
    assert [(e.action, e.actor_id, e.project_id) for e in entries] == [
        ("create", user.id, project.id),
        ("update", None, project.id),
    ]
