"""Role x mutation matrix for tasks, dependencies and calendars, and workspace isolation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.matrix import Reseeding
from tests.graph.tasks.factories import World, create_task, link, make_world

Op = Callable[[GraphQLClient, World, Any, dict[str, str]], Awaitable[str]]


async def _typename(gql: GraphQLClient, user: Any, query: str, variables: dict[str, Any]) -> str:
    body = await gql(query, variables, user=user)
    assert "errors" not in body, body
    value = next(iter(body["data"].values()))
    name: str = value["__typename"]
    return name


def _op(query: str, variables: Callable[[World, dict[str, str]], dict[str, Any]]) -> Op:
    async def run(gql: GraphQLClient, world: World, user: Any, ids: dict[str, str]) -> str:
        return await _typename(gql, user, query, variables(world, ids))

    return run


OPS: dict[str, tuple[Op, Role]] = {
    "createTask": (
        _op(
            'mutation($p: ID!) { createTask(input: {projectId: $p, name: "N"}) { __typename } }',
            lambda w, i: {"p": str(w.project.id)},
        ),
        Role.TEAM_MEMBER,
    ),
    "updateTask work": (
        _op(
            "mutation($id: ID!) { updateTask(id: $id, input: {percentComplete: 10}) "
            "{ __typename } }",
            lambda w, i: {"id": i["a"]},
        ),
        Role.TEAM_MEMBER,
    ),
    "updateTask schedule": (
        _op(
            "mutation($id: ID!) { updateTask(id: $id, input: {duration: 3}) { __typename } }",
            lambda w, i: {"id": i["a"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "moveWbsTask": (
        _op(
            "mutation($id: ID!, $p: ID) { moveWbsTask(id: $id, newParentId: $p) { __typename } }",
            lambda w, i: {"id": i["b"], "p": i["a"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "deleteTask": (
        _op(
            "mutation($id: ID!) { deleteTask(id: $id) { __typename } }",
            lambda w, i: {"id": i["b"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "createDependency": (
        _op(
            "mutation($a: ID!, $b: ID!) { createDependency(input: "
            "{predecessorId: $b, successorId: $a}) { __typename } }",
            lambda w, i: {"a": i["c"], "b": i["b"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "updateDependency": (
        _op(
            "mutation($id: ID!) { updateDependency(id: $id, input: {lag: 2}) { __typename } }",
            lambda w, i: {"id": i["link"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "deleteDependency": (
        _op(
            "mutation($id: ID!) { deleteDependency(id: $id) { __typename } }",
            lambda w, i: {"id": i["link"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "createCalendar": (
        _op(
            'mutation($p: ID!) { createCalendar(input: {projectId: $p, name: "C"}) '
            "{ __typename } }",
            lambda w, i: {"p": str(w.project.id)},
        ),
        Role.PROJECT_MANAGER,
    ),
    "updateCalendar": (
        _op(
            "mutation($id: ID!) { updateCalendar(id: $id, input: {workingWeekdays: 63}) "
            "{ __typename } }",
            lambda w, i: {"id": i["calendar"]},
        ),
        Role.PROJECT_MANAGER,
    ),
    "deleteCalendar": (
        _op(
            "mutation($id: ID!) { deleteCalendar(id: $id) { __typename } }",
            lambda w, i: {"id": i["calendar"]},
        ),
        Role.PROJECT_MANAGER,
    ),
}
CREATE_CALENDAR = """
mutation($p: ID!) { createCalendar(input: {projectId: $p, name: "Base"}) {
  ... on CalendarPayload { calendar { id } } } }"""


async def _seed(gql: GraphQLClient, db: AppState, world: World) -> dict[str, str]:
    a = await create_task(gql, world.pm, world.project, "A")
    b = await create_task(gql, world.pm, world.project, "B")
    c = await create_task(gql, world.pm, world.project, "C")
    dep = await link(gql, world.pm, a["id"], b["id"])
    body = await gql(CREATE_CALENDAR, {"p": str(world.project.id)}, user=world.pm)
    calendar = body["data"]["createCalendar"]["calendar"]["id"]
    return {
        "a": a["id"],
        "b": b["id"],
        "c": c["id"],
        "link": dep["dependency"]["id"],
        "calendar": calendar,
    }


@pytest.mark.parametrize("operation", list(OPS))
async def test_role_matrix(gql: GraphQLClient, db: AppState, operation: str) -> None:
    run, minimum = OPS[operation]
    world = await make_world(db)
    outsider = await make_user(db)
    seeds = Reseeding(lambda: _seed(gql, db, world))
    actors = {"NON_MEMBER": outsider.id} | {role.name: world.users[role].id for role in Role}
    outcomes: dict[str, str] = {}
    for name, user in actors.items():
        outcomes[name] = await seeds.run(lambda ids, user=user: run(gql, world, user, ids))
    expected = {
        role.name: ("Forbidden" if role < minimum else _success(operation)) for role in Role
    }
    expected["NON_MEMBER"] = "NotFound"
    assert outcomes == expected


def _success(operation: str) -> str:
    if operation == "deleteTask":
        return "DeleteTaskPayload"
    if operation == "deleteCalendar":
        return "DeleteCalendarPayload"
    if "Calendar" in operation:
        return "CalendarPayload"
    if "Dependency" in operation:
        return "DependencyPayload"
    return "TaskPayload"


async def test_other_workspace_objects_are_not_found(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    ids = await _seed(gql, db, world)
    stranger = await make_world(db)  # owner of another workspace: admin there, nothing here
    for name, (run, _) in OPS.items():
        assert await run(gql, world, stranger.owner.id, ids) == "NotFound", name
    reads = {
        "tasks": (
            "query($p: ID!) { tasks(projectId: $p) { totalCount } }",
            {"p": str(world.project.id)},
        ),
        "dependencies": (
            "query($p: ID!) { dependencies(projectId: $p) { totalCount } }",
            {"p": str(world.project.id)},
        ),
        "calendars": (
            "query($p: ID!) { calendars(projectId: $p) { id } }",
            {"p": str(world.project.id)},
        ),
        "task": ("query($id: ID!) { task(id: $id) { id } }", {"id": ids["a"]}),
        "dependency": ("query($id: ID!) { dependency(id: $id) { id } }", {"id": ids["link"]}),
        "calendar": ("query($id: ID!) { calendar(id: $id) { id } }", {"id": ids["calendar"]}),
    }
    empty = {"tasks": {"totalCount": 0}, "dependencies": {"totalCount": 0}, "calendars": []}
    for name, (query, variables) in reads.items():
        body = await gql(query, variables, user=stranger.owner.id)
        assert body["data"][name] == empty.get(name), name
        mine = await gql(query, variables, user=world.pm)
        assert mine["data"][name] not in (None, [], {"totalCount": 0}), name
