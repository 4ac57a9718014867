"""Baselines over GraphQL with the in-process runner: capture, compare against hand-computed
working-day variances, activate one per project, drift events, permissions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.models.enums import Role
from app.scheduling.announce import announce
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.sprints.helpers import op, settle
from tests.graph.tasks.factories import World, create_task, link, make_world

CALENDAR = """mutation($p: ID!) { createCalendar(input: {projectId: $p, name: "Office",
  exceptions: [{startDate: "2026-01-14", endDate: "2026-01-14", name: "Holiday"}]}) {
  ... on CalendarPayload { calendar { id } } } }"""
DEFAULT_CALENDAR = """mutation($p: ID!, $c: ID!) { updateProject(id: $p,
  input: {defaultCalendarId: $c}) { __typename } }"""
CAPTURE = """mutation($p: ID!, $n: String!, $a: Boolean!) {
  captureBaseline(input: {projectId: $p, name: $n, setActive: $a}) { __typename
    ... on BaselinePayload { baseline { id name isActive projectFinish taskCount } }
    ... on ValidationError { fields { path message } } } }"""
ACTIVATE = """mutation($id: ID!) { setActiveBaseline(id: $id) { __typename
  ... on BaselinePayload { baseline { id isActive } } } }"""
UPDATE = """mutation($id: ID!, $d: Int!) { updateTask(id: $id, input: {duration: $d}) {
  __typename } }"""
DELETE_TASK = """mutation($id: ID!) { deleteTask(id: $id) { __typename } }"""
COMPARE = """query($p: ID!, $b: ID!) { baselineComparison(projectId: $p, baselineId: $b) {
  baseline { name }
  tasks { name baselineStart baselineFinish currentStart currentFinish startVariance
          finishVariance durationVariance baselineTotalFloat currentTotalFloat }
  addedTasks { name start finish duration }
  removedTasks { name start finish duration }
  summary { baselineFinish currentFinish finishVariance tasksCompared tasksLate tasksEarly
            tasksOnTime tasksAdded tasksRemoved } } }"""
LIST = """query($p: ID!) { baselines(projectId: $p) { name isActive } }"""


def _runner(db: AppState) -> InProcessRunner:
    return InProcessRunner(
        db.sessions, sweep_every=30, on_outcome=lambda o: announce(o, db.events), bus=db.events
    )


async def _plan(gql: GraphQLClient, world: World) -> dict[str, str]:
    """Mon 5 Jan 2026 start, Monday-Friday with Wed 14 Jan off: A 5d -> B 3d, C 2d."""
    pm, project = world.pm, str(world.project.id)
    body = await gql(CALENDAR, {"p": project}, user=pm)
    calendar = body["data"]["createCalendar"]["calendar"]["id"]
    body = await gql(DEFAULT_CALENDAR, {"p": project, "c": calendar}, user=pm)
    assert body["data"]["updateProject"]["__typename"] == "ProjectPayload"
    ids = {
        name: (await create_task(gql, pm, world.project, name, duration=days))["id"]
        for name, days in (("A", 5), ("B", 3), ("C", 2))
    }
    assert (await link(gql, pm, ids["A"], ids["B"]))["__typename"] == "DependencyPayload"
    return ids


async def test_comparison_matches_hand_computed_variances(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, str(world.project.id)
    runner = _runner(db)
    runner.start()
    db.uow_context["schedule_poke"] = runner.poke
    try:
        ids = await _plan(gql, world)
        await settle(runner)
        # Baseline: A Mon 5 - Fri 9; B Mon 12, Tue 13, (Wed 14 off), Thu 15; C Mon 5 - Tue 6.
        captured = await op(gql, pm, CAPTURE, p=project, n="Plan", a=True)
        assert captured["baseline"] == {
            "id": captured["baseline"]["id"],
            "name": "Plan",
            "isActive": True,
            "projectFinish": "2026-01-15",
            "taskCount": 3,
        }
        baseline = captured["baseline"]["id"]
        async with db.events.subscribe(world.project.id) as stream:
            # A grows to 7 days: Mon 5 - Tue 13. B then starts Thu 15 (after the holiday)
            # and runs Thu 15, Fri 16, Mon 19. C is deleted; D (1 day) is new.
            assert (await op(gql, pm, UPDATE, id=ids["A"], d=7))["__typename"] == "TaskPayload"
            assert (await op(gql, pm, DELETE_TASK, id=ids["C"]))["__typename"] != "NotFound"
            await create_task(gql, pm, world.project, "D", duration=1)
            await settle(runner)
            drift = await asyncio.wait_for(_first(stream, "baseline_drift_detected"), 10)
    finally:
        db.uow_context.pop("schedule_poke")
        await runner.stop()
    assert drift.payload == {
        "baselineId": baseline,
        "baselineName": "Plan",
        "baselineFinish": "2026-01-15",
        "projectFinish": "2026-01-19",
        "previousFinish": "2026-01-15",
        "varianceWorkingDays": 2,  # Thu 15 -> Mon 19 is 4 calendar days, 2 working days
    }

    body = await gql(COMPARE, {"p": project, "b": baseline}, user=world.users[Role.VIEWER].id)
    result = body["data"]["baselineComparison"]
    assert result["tasks"] == [
        {
            "name": "A",
            "baselineStart": "2026-01-05",
            "baselineFinish": "2026-01-09",
            "currentStart": "2026-01-05",
            "currentFinish": "2026-01-13",
            "startVariance": 0,
            "finishVariance": 2,  # Fri 9 -> Tue 13: Mon 12, Tue 13
            "durationVariance": 2,
            "baselineTotalFloat": 0,
            "currentTotalFloat": 0,
        },
        {
            "name": "B",
            "baselineStart": "2026-01-12",
            "baselineFinish": "2026-01-15",
            "currentStart": "2026-01-15",
            "currentFinish": "2026-01-19",
            "startVariance": 2,  # Mon 12 -> Thu 15: Mon 12, Tue 13 (Wed 14 is off)
            "finishVariance": 2,  # Thu 15 -> Mon 19: Thu 15, Fri 16
            "durationVariance": 0,
            "baselineTotalFloat": 0,
            "currentTotalFloat": 0,
        },
    ]
    assert result["addedTasks"] == [
        {"name": "D", "start": "2026-01-05", "finish": "2026-01-05", "duration": 1}
    ]
    assert result["removedTasks"] == [
        {"name": "C", "start": "2026-01-05", "finish": "2026-01-06", "duration": 2}
    ]
    assert result["summary"] == {
        "baselineFinish": "2026-01-15",
        "currentFinish": "2026-01-19",
        "finishVariance": 2,
        "tasksCompared": 2,
        "tasksLate": 2,
        "tasksEarly": 0,
        "tasksOnTime": 0,
        "tasksAdded": 1,
        "tasksRemoved": 1,
    }


async def _first(stream: Any, kind: str) -> Any:
    event = await stream.next()
    while event.type != kind:
        event = await stream.next()
    return event


async def test_one_active_baseline_and_permissions(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    project = str(world.project.id)
    outsider = await make_user(db)
    first = (await op(gql, world.pm, CAPTURE, p=project, n="First", a=True))["baseline"]["id"]
    second = (await op(gql, world.pm, CAPTURE, p=project, n="Second", a=False))["baseline"]["id"]
    assert (await gql(LIST, {"p": project}, user=world.pm))["data"]["baselines"] == [
        {"name": "Second", "isActive": False},
        {"name": "First", "isActive": True},
    ]
    for role, user in sorted(world.users.items()):
        allowed = role >= Role.PROJECT_MANAGER
        # The Project Manager activates Second, then the Project Admin First again.
        target = second if role == Role.PROJECT_MANAGER else first
        got = await op(gql, user.id, ACTIVATE, id=target)
        assert got["__typename"] == ("BaselinePayload" if allowed else "Forbidden"), role
        got = await op(gql, user.id, CAPTURE, p=project, n=f"By {role.name}", a=False)
        assert got["__typename"] == ("BaselinePayload" if allowed else "Forbidden"), role
    assert (await op(gql, outsider.id, ACTIVATE, id=first))["__typename"] == "NotFound"
    assert (await op(gql, outsider.id, CAPTURE, p=project, n="x", a=True))[
        "__typename"
    ] == "NotFound"
    listed = (await gql(LIST, {"p": project}, user=world.users[Role.VIEWER].id))["data"]
    assert [b["name"] for b in listed["baselines"] if b["isActive"]] == ["First"]
    async with db.engine.connect() as connection:
        with pytest.raises(IntegrityError, match="uq_baseline_one_active"):
            await connection.execute(text("UPDATE baseline SET is_active = true"))
    assert (await gql(LIST, {"p": project}, user=outsider.id))["data"]["baselines"] == []
    body = await gql(COMPARE, {"p": project, "b": first}, user=outsider.id)
    assert body["data"]["baselineComparison"] is None
    gone = await op(
        gql, world.pm, "mutation($id: ID!) { deleteBaseline(id: $id) { __typename } }", id=first
    )
    assert gone["__typename"] == "BaselinePayload"
    listed = (await gql(LIST, {"p": project}, user=world.pm))["data"]["baselines"]
    assert [b for b in listed if b["isActive"]] == []
    assert "First" not in [b["name"] for b in listed]
    blank = await op(gql, world.pm, CAPTURE, p=project, n="  ", a=False)
    assert blank["fields"] == [{"path": ["name"], "message": "must not be blank"}]
