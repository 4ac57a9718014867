"""Valkey going away under real processes: a PRIVATE redis-server (never the shared one) that
the tests stop and restart under two API processes (a worker joins once it is back)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.tokens import issue_access_token
from app.models import ScheduleRequest, Task, TaskRun
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.events.helpers import RedisProcess
from tests.app.scheduling.factories import START, add_tasks, link
from tests.factories import make_project, make_user, make_workspace
from tests.graph.events.servers import (
    LEGACY_WS,
    TRANSPORT_WS,
    ApiProcess,
    WorkerProcess,
    next_data,
    open_ws,
    processes,
    start,
)

BOARD = "subscription($p: ID!) { boardEvents(projectId: $p) { type seq payload } }"
UPDATE = """mutation($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) {
  __typename } }"""


@dataclass
class Cluster:
    redis: RedisProcess
    apis: list[ApiProcess]
    started: list[ApiProcess | WorkerProcess]
    config: tuple[Settings, str]

    def start_worker(self) -> None:
        """A worker started after the outage: what RQ's own reconnection does is RQ's
        concern; this proves the requests themselves survive and drain."""
        settings, database_url = self.config
        self.started.append(WorkerProcess(settings, database_url, self.redis.url))


@pytest.fixture(scope="module")
def cluster(settings: Settings, database_url: str) -> Iterator[Cluster]:
    redis = RedisProcess()
    redis.start()
    try:
        with processes() as started:
            apis = []
            for _ in range(2):
                apis.append(ApiProcess(settings, database_url, redis.url))
                started.append(apis[-1])
            yield Cluster(redis, apis, started, (settings, database_url))
    finally:
        redis.stop()


async def _project(db: AppState) -> tuple[uuid.UUID, uuid.UUID, dict[str, uuid.UUID]]:
    owner = await make_user(db)
    pm = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace, members={pm.id: Role.PROJECT_MANAGER}, start=START)
    ids = await add_tasks(db, project, {"A": ("task", 5), "B": ("task", 10)})
    await link(db, project, [(ids["A"], ids["B"])], request=False)
    return pm.id, project.id, ids


def _update(api: ApiProcess, token: str, task: uuid.UUID, changes: dict[str, Any]) -> None:
    response = httpx.post(
        f"{api.http}/graphql",
        json={"query": UPDATE, "variables": {"id": str(task), "input": changes}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.json() == {"data": {"updateTask": {"__typename": "TaskPayload"}}}


async def _rows(db: AppState, stmt: Any) -> list[Any]:
    async with db.sessions() as session:
        return list((await session.execute(stmt)).all())


async def test_subscriptions_continue_after_redis_restarts(
    db: AppState, settings: Settings, cluster: Cluster
) -> None:
    pm, project, ids = await _project(db)
    token = issue_access_token(settings, pm)
    sockets = []
    for api in cluster.apis:
        for protocol in (TRANSPORT_WS, LEGACY_WS):
            ws, reply = await open_ws(api, protocol, {"authorization": f"Bearer {token}"})
            assert reply["type"] == "connection_ack"
            await start(ws, protocol, BOARD, {"p": str(project)})
            sockets.append(ws)
    await asyncio.sleep(0.5)
    await asyncio.to_thread(_update, cluster.apis[0], token, ids["A"], {"name": "Design"})
    for ws in sockets:
        event = (await asyncio.wait_for(next_data(ws), 10))["boardEvents"]
        assert (event["type"], event["seq"]) == ("TASK_UPDATED", 1)

    cluster.redis.stop()
    await asyncio.sleep(0.5)
    cluster.redis.start()  # same port, empty: the sequence counter starts again
    for ws in sockets:
        # Each process reconnects, sees the counter went back and tells its boards to reload.
        event = (await asyncio.wait_for(next_data(ws), 30))["boardEvents"]
        assert event["type"] == "RESYNC_REQUIRED"
    await asyncio.to_thread(_update, cluster.apis[1], token, ids["B"], {"name": "Build"})
    for ws in sockets:
        event = (await asyncio.wait_for(next_data(ws), 10))["boardEvents"]
        assert (event["type"], event["seq"]) == ("TASK_UPDATED", 1)
        assert event["payload"]["changes"] == {"name": "Build"}
        await ws.close()


async def test_writes_succeed_while_redis_is_down_and_schedule_after_it_returns(
    db: AppState, settings: Settings, cluster: Cluster
) -> None:
    pm, project, ids = await _project(db)
    token = issue_access_token(settings, pm)
    cluster.redis.stop()
    try:
        await asyncio.to_thread(_update, cluster.apis[0], token, ids["A"], {"duration": 3})
        await asyncio.to_thread(_update, cluster.apis[1], token, ids["B"], {"duration": 4})
        await asyncio.sleep(6)  # more than one relay sweep (5 s) of each API process
        pending = await _rows(
            db,
            select(ScheduleRequest.enqueued_at).where(
                ScheduleRequest.project_id == project, ScheduleRequest.done_at.is_(None)
            ),
        )
        # Every dispatch attempt failed and rolled its claim back: both requests wait, unclaimed.
        assert [row[0] for row in pending] == [None, None]
        assert await _rows(db, select(TaskRun.id).where(TaskRun.project_id == project)) == []
    finally:
        cluster.redis.start()
    cluster.start_worker()

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        waiting = await _rows(
            db,
            select(ScheduleRequest.id).where(
                ScheduleRequest.project_id == project, ScheduleRequest.done_at.is_(None)
            ),
        )
        if not waiting:
            break
        await asyncio.sleep(0.5)
    assert waiting == []
    dates = await _rows(
        db,
        select(Task.name, Task.early_start, Task.early_finish, Task.total_float).where(
            Task.project_id == project
        ),
    )
    # A 3 days Mon 5 → Wed 7 Jan; B 4 days Thu 8 → Tue 13 Jan (over the weekend).
    assert sorted(tuple(row) for row in dates) == [
        ("A", dt.date(2026, 1, 5), dt.date(2026, 1, 7), 0),
        ("B", dt.date(2026, 1, 8), dt.date(2026, 1, 13), 0),
    ]
    runs = await _rows(
        db, select(TaskRun.state, TaskRun.requests).where(TaskRun.project_id == project)
    )
    assert [row[0] for row in runs] == ["succeeded"] * len(runs)
    assert sum(row[1] for row in runs) == 2  # each request was served exactly once
