"""Two offline clients edit, push and pull in a random order (hypothesis stateful); once both
have synced, both hold exactly the server's state.

Client behaviour modelled (what a WatermelonDB app does): local edits are kept as pending
changes; a push sends them; a 409 keeps them (records the server deleted are dropped, the
client accepts the deletion), and after the next pull they are pushed again on top of the
server's versions (last writer wins per record).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, text

from app.models import Task
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient
from tests.factories import make_project, make_user, make_workspace

T = TypeVar("T")


@dataclass
class Offline:
    sync: SyncClient
    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    updated: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def view(self) -> dict[str, str]:
        """What the user sees: the pulled copy with pending changes on top."""
        names = {i: r["name"] for i, r in self.sync.local.get("tasks", {}).items()}
        names.update({i: r["name"] for i, r in self.created.items()})
        for i, change in self.updated.items():
            if i in names:
                names[i] = change["name"]
        for i in self.deleted:
            names.pop(i, None)
        return names

    def pending(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    async def push(self) -> int:
        local = self.sync.local.get("tasks", {})
        updated = [dict(local[i], **c) for i, c in self.updated.items() if i in local]
        response = await self.sync.push(
            {
                "tasks": {
                    "created": list(self.created.values()),
                    "updated": updated,
                    "deleted": sorted(self.deleted),
                }
            }
        )
        if response.status_code == 200:
            self.created.clear()
            self.updated.clear()
            self.deleted.clear()
        elif response.status_code == 409:
            for conflict in response.json()["conflicts"]:
                if conflict["reason"] in ("deleted", "missing"):
                    self.updated.pop(conflict["id"], None)
                    self.deleted.discard(conflict["id"])
        else:
            raise AssertionError(response.text)
        return response.status_code

    async def pull(self) -> None:
        await self.sync.pull(page_size=4)
        live = self.sync.local.get("tasks", {})
        for i in [i for i in self.updated if i not in live and i not in self.created]:
            del self.updated[i]
        self.deleted &= set(live)


class TwoClients(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    clients: list[Offline]
    db: AppState
    project_id: uuid.UUID

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def __init__(self) -> None:
        super().__init__()
        self.counter = 0
        self.run(self._reset())

    async def _reset(self) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(text("DELETE FROM dependency"))
            await connection.execute(text("DELETE FROM task"))
        for client in self.clients:
            client.sync.local.clear()
            client.sync.last_pulled_at = 0
            client.created.clear()
            client.updated.clear()
            client.deleted.clear()
        # Start from a few shared rows both clients have, so edits and deletes of server rows
        # (and their conflicts) happen from the first step.
        first = self.clients[0]
        for n in range(3):
            task_id = str(uuid.uuid4())
            first.created[task_id] = {"id": task_id, "name": f"seed-{n}"}
        assert await first.push() == 200
        for client in self.clients:
            await client.pull()

    @rule(who=st.integers(0, 1))
    def create(self, who: int) -> None:
        self.counter += 1
        task_id = str(uuid.uuid4())
        self.clients[who].created[task_id] = {"id": task_id, "name": f"c{who}-{self.counter}"}

    @rule(who=st.integers(0, 1), pick=st.integers(0, 50))
    def edit(self, who: int, pick: int) -> None:
        client = self.clients[who]
        ids = sorted(client.view())
        if not ids:
            return
        self.counter += 1
        task_id = ids[pick % len(ids)]
        name = f"e{who}-{self.counter}"
        if task_id in client.created:
            client.created[task_id]["name"] = name
        else:
            client.updated[task_id] = {"name": name}

    @rule(who=st.integers(0, 1), pick=st.integers(0, 50))
    def delete(self, who: int, pick: int) -> None:
        client = self.clients[who]
        ids = sorted(client.view())
        if not ids:
            return
        task_id = ids[pick % len(ids)]
        if client.created.pop(task_id, None) is None:
            client.updated.pop(task_id, None)
            client.deleted.add(task_id)

    @rule(who=st.integers(0, 1))
    def pull(self, who: int) -> None:
        self.run(self.clients[who].pull())

    @precondition(lambda self: any(c.pending() for c in self.clients))
    @rule(who=st.integers(0, 1))
    def push(self, who: int) -> None:
        self.run(self.clients[who].push())

    def teardown(self) -> None:
        self.run(self._converge())

    async def _server(self) -> dict[str, str]:
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(Task.id, Task.name).where(
                    Task.project_id == self.project_id, Task.is_deleted.is_(False)
                )
            )
            return {str(r[0]): r[1] for r in rows}

    async def _converge(self) -> None:
        for _ in range(6):
            for client in self.clients:
                await client.pull()
                if client.pending():
                    await client.push()
            if not any(c.pending() for c in self.clients):
                break
        assert not any(c.pending() for c in self.clients)
        server = await self._server()
        for client in self.clients:
            await client.pull()
            assert client.view() == server


async def test_two_offline_clients_converge_to_the_server_state(
    client: httpx.AsyncClient, settings: Settings, db: AppState
) -> None:
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.PROJECT_MANAGER}
    )
    TwoClients.loop = asyncio.get_running_loop()
    TwoClients.db = db
    TwoClients.project_id = project.id
    TwoClients.clients = [
        Offline(SyncClient(client, settings, owner.id, project.id)) for _ in range(2)
    ]
    run = settings_for_speed()
    await asyncio.get_running_loop().run_in_executor(
        None, lambda: run_state_machine_as_test(TwoClients, settings=run)
    )


def settings_for_speed() -> settings:
    return settings(
        max_examples=12,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
