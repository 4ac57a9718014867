"""The `history` query: values recorded by real mutations, actors, and who may read them."""

from __future__ import annotations

from typing import Any

from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.risks.helpers import UPDATE_RISK, create_risk, link_risk
from tests.graph.tasks.factories import create_task, make_world

HISTORY = """
query($type: String!, $id: ID!, $first: Int, $after: String) {
  history(objectType: $type, objectId: $id, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { objectType objectId projectId actorId action serverVersion
            changes { field old new } }
  }
}"""


async def _history(gql: GraphQLClient, user: Any, type: str, id: str, **extra: Any) -> Any:
    body = await gql(HISTORY, {"type": type, "id": id, **extra}, user=user)
    assert "errors" not in body, body
    return body["data"]["history"]


async def test_risk_history_names_actor_fields_and_values(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    admin = world.users[Role.PROJECT_ADMIN].id
    risk = await create_risk(gql, world.pm, world.project, "Late steel", probability=0.2)
    await gql(
        UPDATE_RISK,
        {"id": risk["id"], "input": {"probability": 0.6, "impactDays": 4, "status": "MITIGATING"}},
        user=admin,
    )
    await gql("mutation($id: ID!) { deleteRisk(id: $id) { __typename } }", {"id": risk["id"]},
              user=world.pm)  # fmt: skip
    viewer = world.users[Role.VIEWER].id
    page = await _history(gql, viewer, "risk", risk["id"])
    assert page["totalCount"] == 3
    create, change, delete = page["nodes"]
    assert {n["objectType"] for n in page["nodes"]} == {"risk"}
    assert {n["projectId"] for n in page["nodes"]} == {str(world.project.id)}
    assert [(n["action"], n["actorId"], n["serverVersion"]) for n in page["nodes"]] == [
        ("CREATE", str(world.pm), 1),
        ("UPDATE", str(admin), 2),
        ("DELETE", str(world.pm), 3),
    ]
    created = {c["field"]: (c["old"], c["new"]) for c in create["changes"]}
    assert created["title"] == (None, "Late steel")
    assert created["probability"] == (None, 0.2)
    assert created["status"] == (None, "open")
    assert change["changes"] == [
        {"field": "impactDays", "old": 0.0, "new": 4.0},
        {"field": "probability", "old": 0.2, "new": 0.6},
        {"field": "status", "old": "open", "new": "mitigating"},
    ]
    assert delete["changes"] == [
        {"field": "deletedVersion", "old": None, "new": 3},
        {"field": "isDeleted", "old": False, "new": True},
    ]
    first = await _history(gql, viewer, "risk", risk["id"], first=2)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await _history(gql, viewer, "risk", risk["id"], after=first["pageInfo"]["endCursor"])
    assert [n["action"] for n in rest["nodes"]] == ["DELETE"]


async def test_links_and_task_edits_have_history(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    task = await create_task(gql, world.pm, world.project, "Pour")
    await gql(
        'mutation($id: ID!) { updateTask(id: $id, input: {name: "Pour slab"}) { __typename } }',
        {"id": task["id"]},
        user=world.pm,
    )
    risk = await create_risk(gql, world.pm, world.project)
    await link_risk(gql, world.pm, risk["id"], task["id"])
    task_page = await _history(gql, world.pm, "task", task["id"])
    rename = task_page["nodes"][1]
    assert (rename["action"], rename["actorId"]) == ("UPDATE", str(world.pm))
    assert rename["changes"] == [{"field": "name", "old": "Pour", "new": "Pour slab"}]
    links = await gql(
        'query($p: ID!) { history(objectType: "project", objectId: $p) { totalCount } }',
        {"p": str(world.project.id)},
        user=world.pm,
    )
    assert links["data"]["history"]["totalCount"] == 1  # the project's own creation


async def test_who_may_read_history(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    risk = await create_risk(gql, world.pm, world.project)
    stranger = await make_user(db)
    other = await make_world(db)
    for role in Role:
        assert (await _history(gql, world.users[role].id, "risk", risk["id"]))["totalCount"] == 1
    assert (await _history(gql, world.owner.id, "risk", risk["id"]))["totalCount"] == 1
    for outsider in (stranger.id, other.owner.id):
        assert (await _history(gql, outsider, "risk", risk["id"]))["totalCount"] == 0
    workspace_id = str(world.project.workspace_id)
    mine = await _history(gql, world.owner.id, "workspace", workspace_id)
    assert [(n["action"], n["actorId"]) for n in mine["nodes"]] == [("CREATE", None)]
    assert (await _history(gql, other.owner.id, "workspace", workspace_id))["totalCount"] == 0


async def test_an_unknown_object_type_is_a_clear_error(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    body = await gql(HISTORY, {"type": "user_account", "id": str(world.pm)}, user=world.pm)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("invalid input: objectType: must be one of ")
    assert "risk" in error["message"]
    assert "task" in error["message"]
