"""Writers and pullers in parallel for several seconds: every committed change reaches every
puller (no change is skipped by a cursor, whatever the interleaving of commits and pulls)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

import httpx
from sqlalchemy import select

from app.models import Task
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState, unit_of_work
from app.versioning import versioned_update
from tests.app.sync.helpers import SyncClient
from tests.factories import make_project, make_user, make_workspace

DURATION = 4.0


async def test_every_committed_change_reaches_every_puller(
    client: httpx.AsyncClient, settings: Settings, db: AppState
) -> None:
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.PROJECT_MANAGER}
    )
    rng = random.Random(7)
    existing: list[uuid.UUID] = []
    created: set[uuid.UUID] = set()
    commits = 0
    deadline = time.monotonic() + DURATION

    async def writer(seed: int) -> None:
        nonlocal commits
        local = random.Random(seed)
        while time.monotonic() < deadline:
            async with unit_of_work(db.sessions) as uow:
                if not existing or local.random() < 0.4:
                    task_id = uuid.uuid4()
                    uow.session.add(
                        Task(
                            id=task_id, project_id=project.id, wbs_path="t" + task_id.hex, name="n"
                        )
                    )
                    await uow.session.flush()
                else:
                    task_id = local.choice(existing)
                    await versioned_update(
                        uow.session, Task, task_id, {"name": f"w{seed}-{commits}"}
                    )
                # Hold the transaction open across pulls so commits land mid-pull.
                await asyncio.sleep(local.uniform(0, 0.03))
            commits += 1
            if task_id not in created:
                created.add(task_id)
                existing.append(task_id)

    pullers = [SyncClient(client, settings, owner.id, project.id) for _ in range(3)]
    pulls = 0

    async def puller(sync: SyncClient) -> None:
        nonlocal pulls
        while time.monotonic() < deadline:
            await sync.pull(page_size=rng.choice([5, 50, 1000]))
            pulls += 1
            await asyncio.sleep(0.01)

    await asyncio.gather(*(writer(s) for s in range(3)), *(puller(p) for p in pullers))
    async with db.sessions() as session:
        server = {
            str(r[0]): (r[1], r[2])
            for r in await session.execute(
                select(Task.id, Task.name, Task.server_version).where(Task.project_id == project.id)
            )
        }
    assert commits > 20
    assert pulls > 10
    for sync in pullers:
        await sync.pull()
        local = {i: (r["name"], r["server_version"]) for i, r in sync.local["tasks"].items()}
        assert local == server
    assert {uuid.UUID(i) for i in server} == created
