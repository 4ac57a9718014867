"""The whole loop over real processes: a GraphQL mutation over HTTP on one API process →
outbox → relay → RQ → `trueppm worker` → engine → `cpm_complete` pushed through Redis to
WebSocket subscribers of both API processes, one per subscription protocol."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.auth.tokens import issue_access_token
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.events.helpers import redis_url_or_skip
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

SCHEDULE = "subscription($p: ID!) { scheduleEvents(projectId: $p) { type seq payload } }"
UPDATE = """mutation($id: ID!, $d: Int!) { updateTask(id: $id, input: {duration: $d}) {
  __typename ... on TaskPayload { task { duration } } } }"""


@pytest.fixture(scope="module")
def live(settings: Settings, database_url: str) -> Iterator[list[ApiProcess]]:
    """Two API processes and one worker sharing PostgreSQL and Redis."""
    valkey_url = redis_url_or_skip()
    with processes() as started:
        apis = []
        for _ in range(2):
            apis.append(ApiProcess(settings, database_url, valkey_url))
            started.append(apis[-1])
        started.append(WorkerProcess(settings, database_url, valkey_url))
        yield apis


def _mutate(server: ApiProcess, token: str, task: uuid.UUID, days: int) -> None:
    response = httpx.post(
        f"{server.http}/graphql",
        json={"query": UPDATE, "variables": {"id": str(task), "d": days}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.json()["data"]["updateTask"] == {
        "__typename": "TaskPayload",
        "task": {"duration": days},
    }


def _changed(payload: dict[str, Any], names: dict[uuid.UUID, str]) -> dict[str, dict[str, Any]]:
    out = {}
    for row in payload["changedTasks"]:
        name = names[uuid.UUID(row.pop("taskId"))]
        out[name] = row
    return out


def _row(es: str, ef: str, ls: str, lf: str, total: int, free: int) -> dict[str, Any]:
    return {
        "earlyStart": es,
        "earlyFinish": ef,
        "lateStart": ls,
        "lateFinish": lf,
        "totalFloat": total,
        "freeFloat": free,
    }


async def test_mutation_over_http_reaches_both_protocols_on_both_processes(
    db: AppState, settings: Settings, live: list[ApiProcess]
) -> None:
    owner = await make_user(db)
    pm = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(db, workspace, members={pm.id: Role.PROJECT_MANAGER}, start=START)
    ids = await add_tasks(db, project, {"A": ("task", 5), "B": ("task", 10), "C": ("task", 2)})
    # Written without a schedule request: the only recompute is the one the mutation causes.
    await link(db, project, [(ids["A"], ids["B"]), (ids["A"], ids["C"])], request=False)
    names = {task_id: name for name, task_id in ids.items()}
    token = issue_access_token(settings, pm.id)
    init = {"authorization": f"Bearer {token}"}
    sockets = []
    for server, protocol in ((live[0], TRANSPORT_WS), (live[1], LEGACY_WS)):
        ws, reply = await open_ws(server, protocol, init)
        assert reply["type"] == "connection_ack"
        await start(ws, protocol, SCHEDULE, {"p": str(project.id)})
        sockets.append(ws)
    await asyncio.sleep(0.5)  # both servers hold their Redis subscription

    # B 10 → 12 days through process 0. By hand, Mon-Fri calendar from Mon 5 Jan 2026:
    # A 5-9 Jan; B 12 Jan + 12 working days → Tue 27 Jan; C 12-13 Jan, float to 27 Jan = 10.
    await asyncio.to_thread(_mutate, live[0], token, ids["B"], 12)
    for ws in sockets:
        event = (await asyncio.wait_for(next_data(ws), 60))["scheduleEvents"]
        assert event["type"] == "CPM_COMPLETE"
        payload = event["payload"]
        assert payload["projectFinish"] == "2026-01-27"
        assert payload["criticalPath"] == [str(ids["A"]), str(ids["B"])]
        assert _changed(payload, names) == {
            "A": _row("2026-01-05", "2026-01-09", "2026-01-05", "2026-01-09", 0, 0),
            "B": _row("2026-01-12", "2026-01-27", "2026-01-12", "2026-01-27", 0, 0),
            "C": _row("2026-01-12", "2026-01-13", "2026-01-26", "2026-01-27", 10, 10),
        }

    # C 2 → 15 days through process 1: C ends Fri 30 Jan and becomes critical; B gets 3 days
    # of float; A's values do not move, so A is not in the changed list.
    await asyncio.to_thread(_mutate, live[1], token, ids["C"], 15)
    seqs = []
    for ws in sockets:
        event = (await asyncio.wait_for(next_data(ws), 60))["scheduleEvents"]
        payload = event["payload"]
        assert (event["type"], payload["projectFinish"]) == ("CPM_COMPLETE", "2026-01-30")
        assert payload["criticalPath"] == [str(ids["A"]), str(ids["C"])]
        assert _changed(payload, names) == {
            "B": _row("2026-01-12", "2026-01-27", "2026-01-15", "2026-01-30", 3, 3),
            "C": _row("2026-01-12", "2026-01-30", "2026-01-12", "2026-01-30", 0, 0),
        }
        seqs.append(event["seq"])
        await ws.close()
    # Both clients saw the same event; the task_updated events took seq 1 and 3.
    assert seqs == [4, 4]
