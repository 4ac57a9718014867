"""Role x operation matrix for sprints: Team Member and up change, Viewer reads, outsiders
see nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.models import Project, ProjectMember
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.matrix import Reseeding
from tests.graph.sprints.helpers import ADD, create_sprint
from tests.graph.sprints.helpers import START as START_SPRINT
from tests.graph.tasks.factories import World, create_task, make_world

MUTATIONS: dict[str, tuple[str, Any]] = {
    "createSprint": (
        'mutation($p: ID!) { createSprint(input: {projectId: $p, name: "N", '
        'startDate: "2026-03-02", endDate: "2026-03-13"}) { __typename } }',
        lambda w, i: {"p": str(w.project.id)},
    ),
    "updateSprint": (
        'mutation($id: ID!) { updateSprint(id: $id, input: {goal: "ship"}) { __typename } }',
        lambda w, i: {"id": i["planned"]},
    ),
    "addTasksToSprint": (ADD, lambda w, i: {"s": i["planned"], "t": [i["task"]]}),
    "removeTasksFromSprint": (
        "mutation($s: ID!, $t: [ID!]!) { removeTasksFromSprint(sprintId: $s, taskIds: $t) "
        "{ __typename } }",
        lambda w, i: {"s": i["active"], "t": [i["planned_task"]]},
    ),
    "startSprint": (START_SPRINT, lambda w, i: {"id": i["planned"]}),
    "closeSprint": (
        "mutation($id: ID!) { closeSprint(id: $id) { __typename } }",
        lambda w, i: {"id": i["active"]},
    ),
    "deleteSprint": (
        "mutation($id: ID!) { deleteSprint(id: $id) { __typename } }",
        lambda w, i: {"id": i["planned"]},
    ),
}
START = dt.date(2026, 1, 5)
READ = """query($p: ID!, $s: ID!) { sprints(projectId: $p) { totalCount }
  sprint(id: $s) { id } sprintBurndown(sprintId: $s) { committedPoints }
  velocity(projectId: $p) { averageCompletedPoints } backlog(projectId: $p) { totalCount } }"""


async def _fresh_project(db: AppState, world: World) -> World:
    """The same members on a new project, so every case starts from the same sprints (a case
    refused with Forbidden or NotFound changes nothing: the next case may reuse it)."""
    async with unit_of_work(db.sessions) as uow:
        project = Project(workspace_id=world.project.workspace_id, name="P", start_date=START)
        uow.session.add(project)
        await uow.session.flush()
        for role, user in world.users.items():
            uow.session.add(ProjectMember(project_id=project.id, user_id=user.id, role=int(role)))
    return World(owner=world.owner, project=project, users=world.users)


async def _setup(gql: GraphQLClient, world: World) -> dict[str, str]:
    pm, project = world.pm, str(world.project.id)
    task = (await create_task(gql, pm, world.project, "T"))["id"]
    planned_task = (await create_task(gql, pm, world.project, "P"))["id"]
    active = await create_sprint(gql, pm, project, "A", "2026-01-05", "2026-01-16")
    planned = await create_sprint(gql, pm, project, "B", "2026-01-19", "2026-01-30")
    body = await gql(ADD, {"s": active["id"], "t": [planned_task]}, user=pm)
    assert body["data"]["addTasksToSprint"]["__typename"] == "SprintPlanPayload"
    body = await gql(START_SPRINT, {"id": active["id"]}, user=pm)
    assert body["data"]["startSprint"]["__typename"] == "SprintPayload"
    return {
        "task": task,
        "planned_task": planned_task,
        "active": active["id"],
        "planned": planned["id"],
    }


def _expected(name: str, role: Role | None) -> str:
    if role is None:
        return "NotFound"
    if role < Role.TEAM_MEMBER:
        return "Forbidden"
    if name == "startSprint":
        return "ActiveSprintExists"  # allowed, but the setup's sprint is already active
    return "SprintPlanPayload" if "Tasks" in name else "SprintPayload"


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_mutation_matrix(gql: GraphQLClient, db: AppState, name: str) -> None:
    world = await make_world(db)
    outsider = await make_user(db)
    query, variables = MUTATIONS[name]

    async def fresh() -> tuple[World, dict[str, str]]:
        project = await _fresh_project(db, world)
        return project, await _setup(gql, project)

    async def attempt(seeded: tuple[World, dict[str, str]], user: Any) -> str:
        body = await gql(query, variables(*seeded), user=user)
        assert "errors" not in body, body
        got: str = next(iter(body["data"].values()))["__typename"]
        return got

    seeds = Reseeding(fresh)
    cases: list[tuple[Any, Role | None]] = [(outsider.id, None)]
    cases += [(user.id, role) for role, user in sorted(world.users.items())]
    for user, role in cases:
        got = await seeds.run(lambda seeded, user=user: attempt(seeded, user))
        assert got == _expected(name, role), (name, role, got)


async def test_viewer_reads_and_outsider_sees_nothing(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    ids = await _setup(gql, world)
    variables = {"p": str(world.project.id), "s": ids["active"]}
    body = await gql(READ, variables, user=world.users[Role.VIEWER].id)
    assert body["data"] == {
        "sprints": {"totalCount": 2},
        "sprint": {"id": ids["active"]},
        "sprintBurndown": {"committedPoints": 0},
        "velocity": {"averageCompletedPoints": 0.0},
        "backlog": {"totalCount": 1},
    }
    outsider = await make_user(db)
    body = await gql(READ, variables, user=outsider.id)
    assert body["data"] == {
        "sprints": {"totalCount": 0},
        "sprint": None,
        "sprintBurndown": None,
        "velocity": None,
        "backlog": {"totalCount": 0},
    }
