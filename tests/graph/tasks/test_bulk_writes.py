"""Bulk writes: 1,000 tasks in one call and one transaction, one schedule request and one
batch board event per project, per-item errors by index, all or nothing unless `partial`."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from app.models import Dependency as DependencyRow
from app.models import ScheduleRequest
from app.models import Task as TaskRow
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import World, create_task, make_world

ERRORS = """errors { index error { __typename code message path
  ... on ValidationError { fields { path } } } }"""
CREATE = f"""mutation($inputs: [CreateTaskInput!]!, $partial: Boolean!) {{
  createTasks(inputs: $inputs, partial: $partial) {{
    __typename
    ... on BulkTasksPayload {{ committed tasks {{ id name }} {ERRORS} }}
    ... on ValidationError {{ fields {{ path message }} }}
  }} }}"""
UPDATE = f"""mutation($items: [UpdateTasksItem!]!, $partial: Boolean!) {{
  updateTasks(items: $items, partial: $partial) {{
    ... on BulkTasksPayload {{ committed tasks {{ name duration }} {ERRORS} }} }} }}"""
DELETE = f"""mutation($ids: [ID!]!) {{ deleteTasks(ids: $ids) {{
    ... on BulkDeleteTasksPayload {{ committed deletedTaskIds deletedDependencyIds {ERRORS} }}
  }} }}"""
LINKS = f"""mutation($inputs: [CreateDependencyInput!]!, $partial: Boolean!) {{
  createDependencies(inputs: $inputs, partial: $partial) {{
    ... on BulkDependenciesPayload {{ committed dependencies {{ id }} {ERRORS} }} }} }}"""
UNLINK = f"""mutation($ids: [ID!]!) {{ deleteDependencies(ids: $ids) {{
    ... on BulkDependenciesPayload {{ committed dependencies {{ id isDeleted }} {ERRORS} }}
  }} }}"""


async def _count(db: AppState, stmt: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(stmt) or 0)


def _live_tasks(world: World) -> Any:
    return (
        select(func.count())
        .select_from(TaskRow)
        .where(TaskRow.project_id == world.project.id, TaskRow.is_deleted.is_(False))
    )


def _requests(world: World) -> Any:
    return (
        select(func.count())
        .select_from(ScheduleRequest)
        .where(ScheduleRequest.project_id == world.project.id)
    )


async def test_a_thousand_tasks_in_one_call(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    inputs = [
        {"projectId": str(world.project.id), "name": f"Task {i}", "duration": 1 + i % 5}
        for i in range(1000)
    ]
    async with db.events.subscribe(world.project.id) as stream:
        body = await gql(CREATE, {"inputs": inputs, "partial": False}, user=world.pm)
        result = body["data"]["createTasks"]
        assert result["committed"] is True
        assert result["errors"] == []
        assert [t["name"] for t in result["tasks"]] == [f"Task {i}" for i in range(1000)]
        event = await asyncio.wait_for(stream.next(), 10)
        assert event.type.value == "batch"
        assert event.payload["count"] == 1000
        assert {e["type"] for e in event.payload["events"]} == {"task_created"}
        assert event.payload["events"][0]["payload"]["changes"]["name"] == "Task 0"
        await asyncio.sleep(0.2)
        assert stream.qsize() == 0  # one event for the whole call
    assert await _count(db, _live_tasks(world)) == 1000
    assert await _count(db, _requests(world)) == 1  # one reschedule


async def test_all_or_nothing_reports_every_failure_by_index(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    project = str(world.project.id)
    inputs = [
        {"projectId": project, "name": "Good"},
        {"projectId": project, "name": " "},
        {"projectId": str(uuid.uuid4()), "name": "Elsewhere"},
        {"projectId": project, "name": "Also good"},
    ]
    async with db.events.subscribe(world.project.id) as stream:
        body = await gql(CREATE, {"inputs": inputs, "partial": False}, user=world.pm)
        await asyncio.sleep(0.2)
        assert stream.qsize() == 0  # nothing written, nothing announced
    result = body["data"]["createTasks"]
    assert result["committed"] is False
    assert result["tasks"] == [None, None, None, None]
    assert [(e["index"], e["error"]["code"]) for e in result["errors"]] == [
        (1, "VALIDATION_FAILED"),
        (2, "NOT_FOUND"),
    ]
    assert result["errors"][0]["error"]["fields"] == [{"path": ["input", "name"]}]
    assert await _count(db, _live_tasks(world)) == 0
    assert await _count(db, _requests(world)) == 0

    partial = await gql(CREATE, {"inputs": inputs, "partial": True}, user=world.pm)
    kept = partial["data"]["createTasks"]
    assert kept["committed"] is True
    assert [t and t["name"] for t in kept["tasks"]] == ["Good", None, None, "Also good"]
    assert [e["index"] for e in kept["errors"]] == [1, 2]
    assert await _count(db, _live_tasks(world)) == 2
    assert await _count(db, _requests(world)) == 1


async def test_update_delete_and_links_in_bulk(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, project = world.pm, world.project
    phase = await create_task(gql, pm, project, "Phase")
    a = await create_task(gql, pm, project, "A", parentId=phase["id"], duration=2)
    b = await create_task(gql, pm, project, "B", duration=3)
    c = await create_task(gql, pm, project, "C", duration=4)
    items = [
        {"id": a["id"], "input": {"name": "A2", "duration": 5}},
        {"id": b["id"], "input": {"duration": 6}, "serverVersion": 999},
    ]
    stale = (await gql(UPDATE, {"items": items, "partial": False}, user=pm))["data"]["updateTasks"]
    assert stale["committed"] is False
    assert [(e["index"], e["error"]["__typename"]) for e in stale["errors"]] == [(1, "Conflict")]
    items[1].pop("serverVersion")
    done = (await gql(UPDATE, {"items": items, "partial": False}, user=pm))["data"]["updateTasks"]
    assert done["tasks"] == [{"name": "A2", "duration": 5}, {"name": "B", "duration": 6}]

    links = [
        {"predecessorId": a["id"], "successorId": b["id"]},
        {"predecessorId": b["id"], "successorId": c["id"]},
        {"predecessorId": c["id"], "successorId": a["id"]},  # closes a cycle
    ]
    body = await gql(LINKS, {"inputs": links, "partial": True}, user=pm)
    made = body["data"]["createDependencies"]
    assert made["committed"] is True
    assert [d is not None for d in made["dependencies"]] == [True, True, False]
    assert made["errors"][0]["index"] == 2
    assert made["errors"][0]["error"]["code"] == "DEPENDENCY_CYCLE"
    first = made["dependencies"][0]["id"]
    unlinked = (await gql(UNLINK, {"ids": [first]}, user=pm))["data"]["deleteDependencies"]
    assert unlinked["dependencies"] == [{"id": first, "isDeleted": True}]

    # The phase takes A with it; A listed too is already gone, not an error.
    gone = (await gql(DELETE, {"ids": [phase["id"], a["id"]]}, user=pm))["data"]["deleteTasks"]
    assert gone["committed"] is True
    assert gone["errors"] == []
    assert set(gone["deletedTaskIds"]) == {phase["id"], a["id"]}
    assert await _count(db, _live_tasks(world)) == 2
    live_links = (
        select(func.count())
        .select_from(DependencyRow)
        .where(DependencyRow.project_id == project.id, DependencyRow.is_deleted.is_(False))
    )
    assert await _count(db, live_links) == 1  # B -> C


async def test_limits_and_roles(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    one = {"projectId": str(world.project.id), "name": "x"}
    many = await gql(CREATE, {"inputs": [one] * 1001, "partial": False}, user=world.pm)
    assert many["data"]["createTasks"] == {
        "__typename": "ValidationError",
        "fields": [
            {
                "path": ["inputs"],
                "message": "at most 1000 items per request (TRUEPPM_BULK_MAX), got 1001",
            }
        ],
    }
    empty = await gql(CREATE, {"inputs": [], "partial": False}, user=world.pm)
    assert empty["data"]["createTasks"]["__typename"] == "ValidationError"
    viewer = world.users[Role.VIEWER].id
    refused = await gql(CREATE, {"inputs": [one, one], "partial": True}, user=viewer)
    result = refused["data"]["createTasks"]
    assert [e["error"]["code"] for e in result["errors"]] == ["FORBIDDEN", "FORBIDDEN"]
    assert result["tasks"] == [None, None]
    assert await _count(db, _live_tasks(world)) == 0
