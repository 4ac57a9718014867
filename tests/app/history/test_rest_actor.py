"""Changes pushed through the REST sync endpoint are attributed to the pushing user."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from app.models import HistoryEntry
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient, changes, task_record
from tests.factories import make_project, make_user, make_workspace


async def test_a_pushed_task_names_its_pusher_in_history(
    client: httpx.AsyncClient, settings: Settings, db: AppState
) -> None:
    owner = await make_user(db)
    pm = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={pm.id: Role.PROJECT_MANAGER}
    )
    phone = SyncClient(client, settings, pm.id, project.id)
    await phone.pull()
    task_id = uuid.uuid4()
    response = await phone.push(changes("tasks", created=[task_record(task_id, "From phone")]))
    assert response.status_code == 200, response.text
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(HistoryEntry.action, HistoryEntry.actor_id, HistoryEntry.changes).where(
                    HistoryEntry.object_id == task_id
                )
            )
        ).all()
    assert [(action, actor) for action, actor, _ in rows] == [("create", pm.id)]
    assert rows[0][2]["name"] == {"old": None, "new": "From phone"}
