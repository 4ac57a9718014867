"""End to end in-process: GraphQL writes → outbox → runner → engine dates readable over GraphQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.scheduling.announce import announce
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user, make_workspace

CREATE_PROJECT = """mutation($ws: ID!) { createProject(input: {workspaceId: $ws, name: "Bridge",
  startDate: "2026-01-05"}) { ... on ProjectPayload { project { id } } } }"""
CREATE_TASK = """mutation($p: ID!, $n: String!, $d: Int!) { createTask(input: {projectId: $p,
  name: $n, duration: $d}) { __typename ... on TaskPayload { task { id } } } }"""
LINK = """mutation($a: ID!, $b: ID!) { createDependency(input: {predecessorId: $a, successorId: $b,
  lag: 1}) { __typename } }"""
UPDATE = """mutation($id: ID!, $d: Int!) { updateTask(id: $id, input: {duration: $d}) {
  __typename } }"""
DATES = """query($p: ID!) { tasks(projectId: $p) { nodes { name earlyStart earlyFinish lateFinish
  totalFloat isCritical } } }"""


@pytest.fixture
async def runner(db: AppState) -> AsyncIterator[InProcessRunner]:
    scheduler = InProcessRunner(
        db.sessions, sweep_every=30, on_outcome=lambda outcome: announce(outcome, db.events)
    )
    scheduler.start()
    db.uow_context["schedule_poke"] = scheduler.poke
    yield scheduler
    db.uow_context.pop("schedule_poke")
    await scheduler.stop()


async def _settle(runner: InProcessRunner) -> None:
    await asyncio.sleep(0.2)  # the poke runs after commit; let the relay claim and queue
    await asyncio.wait_for(runner.idle.wait(), timeout=10)


async def _dates(gql: GraphQLClient, user: Any, project: str) -> dict[str, dict[str, Any]]:
    body = await gql(DATES, {"p": project}, user=user)
    return {n.pop("name"): n for n in body["data"]["tasks"]["nodes"]}


async def test_graphql_writes_are_scheduled(
    gql: GraphQLClient, db: AppState, runner: InProcessRunner
) -> None:
    admin = await make_user(db)
    workspace = await make_workspace(db, admin)
    created = await gql(CREATE_PROJECT, {"ws": str(workspace.id)}, user=admin.id)
    project = created["data"]["createProject"]["project"]["id"]
    ids = {}
    for name, days in (("Design", 5), ("Build", 10), ("Paint", 2)):
        body = await gql(CREATE_TASK, {"p": project, "n": name, "d": days}, user=admin.id)
        ids[name] = body["data"]["createTask"]["task"]["id"]
    await _settle(runner)  # the runs caused by creating the tasks are over
    async with db.events.subscribe(uuid.UUID(project)) as stream:
        for a, b in (("Design", "Build"), ("Design", "Paint")):
            body = await gql(LINK, {"a": ids[a], "b": ids[b]}, user=admin.id)
            assert body["data"]["createDependency"]["__typename"] == "DependencyPayload"
        await _settle(runner)
        event = await asyncio.wait_for(stream.next(), timeout=5)
        while event.type != "cpm_complete":
            event = await asyncio.wait_for(stream.next(), timeout=5)
    assert event.payload["projectFinish"] == "2026-01-26"
    assert event.payload["criticalPath"] == [ids["Design"], ids["Build"]]
    assert {c["taskId"] for c in event.payload["changedTasks"]} == set(ids.values())

    dates = await _dates(gql, admin.id, project)
    # Design Mon 5 → Fri 9 Jan; 1 working day of lag; Build Tue 13 → Mon 26 (10 days).
    assert dates["Design"] == {
        "earlyStart": "2026-01-05",
        "earlyFinish": "2026-01-09",
        "lateFinish": "2026-01-09",
        "totalFloat": 0,
        "isCritical": True,
    }
    assert dates["Build"]["earlyStart"] == "2026-01-13"
    assert dates["Build"]["earlyFinish"] == "2026-01-26"
    assert (dates["Paint"]["earlyFinish"], dates["Paint"]["totalFloat"]) == ("2026-01-14", 8)
    assert dates["Paint"]["isCritical"] is False

    # A schedule-field edit reschedules; Paint becomes the longer branch.
    body = await gql(UPDATE, {"id": ids["Paint"], "d": 15}, user=admin.id)
    assert body["data"]["updateTask"]["__typename"] == "TaskPayload"
    await _settle(runner)
    dates = await _dates(gql, admin.id, project)
    assert (dates["Paint"]["earlyFinish"], dates["Paint"]["isCritical"]) == ("2026-02-02", True)
    assert (dates["Build"]["totalFloat"], dates["Build"]["isCritical"]) == (5, False)
