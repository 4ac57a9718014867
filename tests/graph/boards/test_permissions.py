"""Role x mutation matrix for board columns, card moves and labels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.boards.helpers import board, column_ids
from tests.graph.matrix import Reseeding
from tests.graph.tasks.factories import World, create_task, make_world

Vars = Callable[[World, dict[str, str]], dict[str, Any]]

OPS: dict[str, tuple[str, Vars, Role, str]] = {
    "createBoardColumn": (
        'mutation($p: ID!) { createBoardColumn(input: {projectId: $p, name: "QA", '
        "category: IN_PROGRESS}) { __typename } }",
        lambda w, i: {"p": str(w.project.id)},
        Role.PROJECT_MANAGER,
        "BoardColumnPayload",
    ),
    "updateBoardColumn": (
        "mutation($id: ID!) { updateBoardColumn(id: $id, input: {wipLimit: 4}) { __typename } }",
        lambda w, i: {"id": i["done"]},
        Role.PROJECT_MANAGER,
        "BoardColumnPayload",
    ),
    "deleteBoardColumn": (
        "mutation($id: ID!) { deleteBoardColumn(id: $id) { __typename } }",
        lambda w, i: {"id": i["done"]},
        Role.PROJECT_MANAGER,
        "DeleteBoardColumnPayload",
    ),
    "moveTask": (
        "mutation($t: ID!, $c: ID!) { moveTask(taskId: $t, columnId: $c) { __typename } }",
        lambda w, i: {"t": i["task"], "c": i["done"]},
        Role.TEAM_MEMBER,
        "TaskPayload",
    ),
    "createLabel": (
        'mutation($p: ID!) { createLabel(input: {projectId: $p, name: "New"}) { __typename } }',
        lambda w, i: {"p": str(w.project.id)},
        Role.TEAM_MEMBER,
        "LabelPayload",
    ),
    "updateLabel": (
        'mutation($id: ID!) { updateLabel(id: $id, input: {color: "#123456"}) { __typename } }',
        lambda w, i: {"id": i["label"]},
        Role.PROJECT_MANAGER,
        "LabelPayload",
    ),
    "deleteLabel": (
        "mutation($id: ID!) { deleteLabel(id: $id) { __typename } }",
        lambda w, i: {"id": i["label"]},
        Role.PROJECT_MANAGER,
        "LabelPayload",
    ),
    "addTaskLabel": (
        "mutation($t: ID!, $l: ID!) { addTaskLabel(taskId: $t, labelId: $l) { __typename } }",
        lambda w, i: {"t": i["task"], "l": i["label"]},
        Role.TEAM_MEMBER,
        "TaskPayload",
    ),
    "removeTaskLabel": (
        "mutation($t: ID!, $l: ID!) { removeTaskLabel(taskId: $t, labelId: $l) { __typename } }",
        lambda w, i: {"t": i["task"], "l": i["label"]},
        Role.TEAM_MEMBER,
        "TaskPayload",
    ),
}
CREATE_LABEL = """
mutation($p: ID!, $n: String!) { createLabel(input: {projectId: $p, name: $n}) {
  ... on LabelPayload { label { id } } } }"""


async def _seed(gql: GraphQLClient, world: World) -> dict[str, str]:
    """A task with a label on the project, and its default columns."""
    project = world.project
    task = await create_task(gql, world.pm, project, "A")
    body = await gql(CREATE_LABEL, {"p": str(project.id), "n": f"L{task['id'][:8]}"}, user=world.pm)
    label = body["data"]["createLabel"]["label"]["id"]
    await gql(
        "mutation($t: ID!, $l: ID!) { addTaskLabel(taskId: $t, labelId: $l) { __typename } }",
        {"t": task["id"], "l": label},
        user=world.pm,
    )
    done = column_ids(await board(gql, world.pm, project.id))["Done"]
    return {"task": task["id"], "label": label, "done": done}


@pytest.mark.parametrize("operation", list(OPS))
async def test_role_matrix(gql: GraphQLClient, db: AppState, operation: str) -> None:
    query, variables, minimum, success = OPS[operation]
    outsider = await make_user(db)

    async def fresh() -> tuple[World, dict[str, str]]:
        world = await make_world(db)
        return world, await _seed(gql, world)

    async def attempt(seeded: tuple[World, dict[str, str]], who: Role | None) -> str:
        world, ids = seeded
        user = world.users[who].id if who is not None else outsider.id
        body = await gql(query, variables(world, ids), user=user)
        assert "errors" not in body, body
        name: str = next(iter(body["data"].values()))["__typename"]
        return name

    seeds = Reseeding(fresh)
    outcomes: dict[str, str] = {}
    for who in [None, *Role]:
        outcomes[who.name if who else "NON_MEMBER"] = await seeds.run(
            lambda seeded, who=who: attempt(seeded, who)
        )
    expected = {role.name: ("Forbidden" if role < minimum else success) for role in Role}
    expected["NON_MEMBER"] = "NotFound"
    assert outcomes == expected
