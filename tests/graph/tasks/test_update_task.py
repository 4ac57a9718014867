"""updateTask: validation with field paths, field-level roles, versions and concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.tasks.factories import CREATE_TASK, create_task, make_world

UPDATE = """
mutation($id: ID!, $input: UpdateTaskInput!, $v: Int) {
  updateTask(id: $id, input: $input, serverVersion: $v) {
    __typename
    ... on TaskPayload { task { name duration percentComplete storyPoints serverVersion } }
    ... on ValidationError { fields { path message } }
    ... on Conflict { currentVersion }
    ... on Forbidden { message }
  }
}"""


async def _update(
    gql: GraphQLClient, user: Any, task_id: str, v: int | None = None, **fields: Any
) -> dict[str, Any]:
    body = await gql(UPDATE, {"id": task_id, "input": fields, "v": v}, user=user)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["updateTask"]
    return result


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"name": "  "}, ["input", "name"]),
        ({"duration": -1}, ["input", "duration"]),
        ({"kind": "MILESTONE", "duration": 3}, ["input", "duration"]),
        ({"percentComplete": 101}, ["input", "percentComplete"]),
        ({"actualStart": "2026-02-10", "actualFinish": "2026-02-09"}, ["input", "actualFinish"]),
        ({"constraintType": "SNET"}, ["input", "constraintDate"]),
        ({"optimistic": 5, "mostLikely": 3, "pessimistic": 9}, ["input", "mostLikely"]),
        ({"mostLikely": 3, "pessimistic": 2}, ["input", "pessimistic"]),
        ({"assigneeId": "00000000-0000-0000-0000-00000000beef"}, ["input", "assigneeId"]),
        ({"name": None}, ["input", "name"]),
    ],
)
async def test_invalid_input_names_the_field(
    gql: GraphQLClient, db: AppState, fields: dict[str, Any], path: list[str]
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    result = await _update(gql, world.pm, task["id"], **fields)
    assert result["__typename"] == "ValidationError"
    assert [f["path"] for f in result["fields"]] == [path]


async def test_create_validates_too_and_milestones_get_zero_duration(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    body = await gql(
        CREATE_TASK,
        {"input": {"projectId": str(world.project.id), "name": "", "duration": -2}},
        user=world.pm,
    )
    fields = body["data"]["createTask"]["fields"]
    assert [f["path"] for f in fields] == [["input", "name"], ["input", "duration"]]
    milestone = await create_task(gql, world.pm, world.project, "Go-live", kind="MILESTONE")
    assert milestone["kind"] == "MILESTONE"


async def test_assignee_must_be_a_member(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    member = world.users[Role.VIEWER].id
    outsider = await make_user(db)
    ok = await _update(gql, world.pm, task["id"], assigneeId=str(member))
    assert ok["__typename"] == "TaskPayload"
    bad = await _update(gql, world.pm, task["id"], assigneeId=str(outsider.id))
    assert bad["fields"] == [
        {"path": ["input", "assigneeId"], "message": "is not a member of the project"}
    ]


async def test_team_member_edits_work_fields_but_not_schedule_fields(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    member = world.users[Role.TEAM_MEMBER].id
    work = await _update(gql, member, task["id"], percentComplete=40, storyPoints=5, name="Dig")
    assert work["task"] == {
        "name": "Dig",
        "duration": 1,
        "percentComplete": 40.0,
        "storyPoints": 5,
        "serverVersion": 2,
    }
    schedule = await _update(gql, member, task["id"], duration=4)
    assert schedule["__typename"] == "Forbidden"
    assert "duration" in schedule["message"]
    pm = await _update(gql, world.pm, task["id"], duration=4)
    assert pm["task"]["duration"] == 4


async def test_stale_server_version_is_a_conflict(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    assert (await _update(gql, world.pm, task["id"], 1, name="one"))["task"]["serverVersion"] == 2
    stale = await _update(gql, world.pm, task["id"], 1, name="two")
    assert stale == {"__typename": "Conflict", "currentVersion": 2}


async def test_fifty_concurrent_updates_lose_nothing(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "T")
    results = await asyncio.gather(
        *(_update(gql, world.pm, task["id"], name=f"edit {i}") for i in range(50))
    )
    assert {r["__typename"] for r in results} == {"TaskPayload"}
    # Each write saw a distinct version: the counter was incremented inside each UPDATE.
    assert sorted(r["task"]["serverVersion"] for r in results) == list(range(2, 52))
    body = await gql(
        "query($id: ID!) { task(id: $id) { name serverVersion } }",
        {"id": task["id"]},
        user=world.pm,
    )
    final = body["data"]["task"]
    assert final["serverVersion"] == 51
    last = next(r for r in results if r["task"]["serverVersion"] == 51)
    assert final["name"] == last["task"]["name"]
