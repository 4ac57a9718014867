"""Two offline clients edit tasks, labels and the labels on tasks, push and pull in a random
order (hypothesis stateful); once both have synced, both hold exactly the server's state.

Client behaviour modelled (what a WatermelonDB app does): local edits are kept as pending
changes; a push sends them; a 409 sync conflict keeps them (records the server deleted are
dropped, the client accepts the deletion), and after the next pull they are pushed again on
top of the server's versions (last writer wins per record). A record the server refuses (a
label put on a task deleted meanwhile, a pair the other client linked first) is dropped, as
the app would after showing it. Deleting a task or a label deletes its links locally too.
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

from app.models import Label, Task, TaskLabel
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient
from tests.factories import make_project, make_user, make_workspace

T = TypeVar("T")
TABLES = ("tasks", "labels", "task_labels")
NAMED = ("tasks", "labels")
Pair = tuple[str, str]


@dataclass
class Pending:
    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    updated: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def drop(self, row_id: str) -> None:
        self.created.pop(row_id, None)
        self.updated.pop(row_id, None)
        self.deleted.discard(row_id)


@dataclass
class View:
    """What the user sees: task names, label names and (task, label) pairs."""

    tasks: dict[str, str]
    labels: dict[str, str]
    links: dict[str, Pair]


@dataclass
class Offline:
    sync: SyncClient
    pending: dict[str, Pending] = field(default_factory=lambda: {t: Pending() for t in TABLES})

    def names(self, table: str) -> dict[str, str]:
        pending = self.pending[table]
        names = {i: r["name"] for i, r in self.sync.local.get(table, {}).items()}
        names.update({i: r["name"] for i, r in pending.created.items()})
        for i, change in pending.updated.items():
            if i in names:
                names[i] = change["name"]
        for i in pending.deleted:
            names.pop(i, None)
        return names

    def links(self) -> dict[str, Pair]:
        """Visible links by id: pulled and pending-created, minus pending deletions."""
        pending = self.pending["task_labels"]
        rows = {**self.sync.local.get("task_labels", {}), **pending.created}
        tasks, labels = self.names("tasks"), self.names("labels")
        return {
            i: (r["task_id"], r["label_id"])
            for i, r in rows.items()
            if i not in pending.deleted and r["task_id"] in tasks and r["label_id"] in labels
        }

    def view(self) -> View:
        return View(self.names("tasks"), self.names("labels"), self.links())

    def has_pending(self) -> bool:
        return any(self.pending.values())

    def delete(self, table: str, row_id: str) -> None:
        pending = self.pending[table]
        if pending.created.pop(row_id, None) is None:
            pending.updated.pop(row_id, None)
            pending.deleted.add(row_id)

    def delete_links_of(self, column: str, row_id: str) -> None:
        """The app deletes a task's (or label's) links with it."""
        for link_id, (task, label) in self.links().items():
            if (task if column == "task_id" else label) == row_id:
                self.delete("task_labels", link_id)

    async def push(self) -> int:
        body = {}
        for table, pending in self.pending.items():
            local = self.sync.local.get(table, {})
            body[table] = {
                "created": list(pending.created.values()),
                "updated": [dict(local[i], **c) for i, c in pending.updated.items() if i in local],
                "deleted": sorted(pending.deleted),
            }
        response = await self.sync.push(body)
        problem = response.json()
        if response.status_code == 200:
            self._synced(body)
        elif problem.get("type", "").endswith("/sync-conflict"):
            for conflict in problem["conflicts"]:
                if conflict["reason"] in ("deleted", "missing"):
                    self.pending[conflict["table"]].drop(conflict["id"])
        elif response.status_code in (404, 409, 422) and problem.get("table") == "task_labels":
            self.pending["task_labels"].drop(problem["id"])
        else:
            raise AssertionError(response.text)
        return response.status_code

    def _synced(self, body: dict[str, Any]) -> None:
        """What WatermelonDB does after a successful push: the pushed records stay local as
        synced rows (so a record the server did not store would linger), deletions go."""
        for table, changes in body.items():
            local = self.sync.local.setdefault(table, {})
            for record in changes["created"] + changes["updated"]:
                local[record["id"]] = record
            for row_id in changes["deleted"]:
                local.pop(row_id, None)
        self.pending = {t: Pending() for t in TABLES}

    async def pull(self) -> None:
        await self.sync.pull(page_size=4)
        for table in NAMED:
            pending, live = self.pending[table], self.sync.local.get(table, {})
            for i in [i for i in pending.updated if i not in live]:
                del pending.updated[i]
            pending.deleted &= set(live)
        links = self.pending["task_labels"]
        links.deleted &= set(self.sync.local.get("task_labels", {}))


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
        self.ids = 0
        self.run(self._reset())

    async def _reset(self) -> None:
        async with self.db.engine.begin() as connection:
            for table in ("task_label", "label", "dependency", "task"):
                await connection.execute(text(f"DELETE FROM {table}"))
        for client in self.clients:
            client.sync.local.clear()
            client.sync.last_pulled_at = 0
            client.pending = {t: Pending() for t in TABLES}
        # Start from a few shared rows both clients have, so edits and deletes of server rows
        # (and their conflicts) happen from the first step.
        first = self.clients[0]
        tasks = [self._new(first, "tasks", f"seed-{n}") for n in range(3)]
        label = self._new(first, "labels", "seed-label")
        self._new(first, "task_labels", None, task_id=tasks[0], label_id=label)
        assert await first.push() == 200
        for client in self.clients:
            await client.pull()

    def _new(self, client: Offline, table: str, name: str | None, **values: str) -> str:
        # Ids from a counter, not uuid4: the rules pick rows by sorted id, and hypothesis must
        # be able to replay (and shrink) a failing run exactly.
        self.ids += 1
        row_id = str(uuid.UUID(int=(0x5EED << 112) + self.ids))
        record = {"id": row_id, **values} if name is None else {"id": row_id, "name": name}
        client.pending[table].created[row_id] = record
        return row_id

    @rule(who=st.integers(0, 1), table=st.sampled_from(NAMED))
    def create(self, who: int, table: str) -> None:
        self.counter += 1
        self._new(self.clients[who], table, f"c{who}-{self.counter}")

    @rule(who=st.integers(0, 1), table=st.sampled_from(NAMED), pick=st.integers(0, 50))
    def rename(self, who: int, table: str, pick: int) -> None:
        client = self.clients[who]
        ids = sorted(client.names(table))
        if not ids:
            return
        self.counter += 1
        row_id, name = ids[pick % len(ids)], f"e{who}-{self.counter}"
        pending = client.pending[table]
        if row_id in pending.created:
            pending.created[row_id]["name"] = name
        else:
            pending.updated[row_id] = {"name": name}

    @rule(who=st.integers(0, 1), table=st.sampled_from(NAMED), pick=st.integers(0, 50))
    def delete(self, who: int, table: str, pick: int) -> None:
        client = self.clients[who]
        ids = sorted(client.names(table))
        if not ids:
            return
        row_id = ids[pick % len(ids)]
        client.delete_links_of("task_id" if table == "tasks" else "label_id", row_id)
        client.delete(table, row_id)

    # Small picks: both clients often label the same task with the same label offline.
    @rule(who=st.integers(0, 1), task=st.integers(0, 2), label=st.integers(0, 1))
    def attach(self, who: int, task: int, label: int) -> None:
        client = self.clients[who]
        tasks, labels = sorted(client.names("tasks")), sorted(client.names("labels"))
        if not tasks or not labels:
            return
        pair = (tasks[task % len(tasks)], labels[label % len(labels)])
        if pair not in client.view().links.values():
            self._new(client, "task_labels", None, task_id=pair[0], label_id=pair[1])

    @rule(who=st.integers(0, 1), pick=st.integers(0, 50))
    def detach(self, who: int, pick: int) -> None:
        client = self.clients[who]
        ids = sorted(client.links())
        if ids:
            client.delete("task_labels", ids[pick % len(ids)])

    @rule(who=st.integers(0, 1))
    def pull(self, who: int) -> None:
        self.run(self.clients[who].pull())

    @precondition(lambda self: any(c.has_pending() for c in self.clients))
    @rule(who=st.integers(0, 1))
    def push(self, who: int) -> None:
        self.run(self.clients[who].push())

    def teardown(self) -> None:
        self.run(self._converge())

    async def _server(self) -> View:
        async with self.db.sessions() as session:
            views = []
            for model in (Task, Label):
                rows = await session.execute(
                    select(model.id, model.name).where(
                        model.project_id == self.project_id, model.is_deleted.is_(False)
                    )
                )
                views.append({str(r[0]): r[1] for r in rows})
            links = await session.execute(
                select(TaskLabel.id, TaskLabel.task_id, TaskLabel.label_id).where(
                    TaskLabel.project_id == self.project_id, TaskLabel.is_deleted.is_(False)
                )
            )
            pairs = {str(r[0]): (str(r[1]), str(r[2])) for r in links}
        # No live link may point at a deleted task or label.
        assert all(t in views[0] and lb in views[1] for t, lb in pairs.values()), pairs
        return View(views[0], views[1], pairs)

    async def _converge(self) -> None:
        # Each push settles at least one pending record (applied or refused and dropped).
        for _ in range(40):
            for client in self.clients:
                await client.pull()
                if client.has_pending():
                    await client.push()
            if not any(c.has_pending() for c in self.clients):
                break
        assert not any(c.has_pending() for c in self.clients)
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
        stateful_step_count=16,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
