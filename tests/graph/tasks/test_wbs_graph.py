"""WBS over GraphQL: nesting, outline numbers, ordering, moves and cascading deletes."""

from __future__ import annotations

from typing import Any

from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.tasks.factories import World, create_task, link, make_world

TASKS = """
query($p: ID!, $first: Int, $after: String) {
  tasks(projectId: $p, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name kind outlineNumber parentId depth wbsPath serverVersion }
  }
}"""
MOVE = """
mutation($id: ID!, $parent: ID, $before: ID, $after: ID, $v: Int) {
  moveWbsTask(
    id: $id, newParentId: $parent, beforeId: $before, afterId: $after, serverVersion: $v
  ) {
    __typename
    ... on TaskPayload { task { id parentId outlineNumber wbsPath serverVersion } }
    ... on ValidationError { fields { path message } }
    ... on Conflict { currentVersion }
  }
}"""
DELETE = """
mutation($id: ID!, $v: Int) {
  deleteTask(id: $id, serverVersion: $v) {
    __typename
    ... on DeleteTaskPayload { deletedTaskIds deletedDependencyIds }
    ... on Conflict { currentVersion }
  }
}"""


async def _outline(gql: GraphQLClient, world: World) -> list[tuple[str, str]]:
    body = await gql(TASKS, {"p": str(world.project.id)}, user=world.pm)
    return [(n["outlineNumber"], n["name"]) for n in body["data"]["tasks"]["nodes"]]


async def _tree(gql: GraphQLClient, world: World) -> dict[str, dict[str, Any]]:
    pm = world.pm
    a = await create_task(gql, pm, world.project, "A")
    b = await create_task(gql, pm, world.project, "B")
    a1 = await create_task(gql, pm, world.project, "A1", parentId=a["id"])
    a2 = await create_task(gql, pm, world.project, "A2", parentId=a["id"])
    a21 = await create_task(gql, pm, world.project, "A21", parentId=a2["id"])
    a0 = await create_task(gql, pm, world.project, "A0", beforeId=a1["id"])
    return {"A": a, "B": b, "A0": a0, "A1": a1, "A2": a2, "A21": a21}


async def test_nested_tasks_have_outline_numbers_in_wbs_order(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    tree = await _tree(gql, world)
    assert await _outline(gql, world) == [
        ("1", "A"),
        ("1.1", "A0"),
        ("1.2", "A1"),
        ("1.3", "A2"),
        ("1.3.1", "A21"),
        ("2", "B"),
    ]
    a, a21 = tree["A"], tree["A21"]
    assert a21["parentId"] == tree["A2"]["id"]
    assert a21["depth"] == 3
    assert a21["wbsPath"] == ".".join("t" + t["id"].replace("-", "") for t in (a, tree["A2"], a21))
    body = await gql(TASKS, {"p": str(world.project.id)}, user=world.pm)
    kinds = {n["name"]: n["kind"] for n in body["data"]["tasks"]["nodes"]}
    assert kinds == {
        "A": "SUMMARY",
        "A0": "TASK",
        "A1": "TASK",
        "A2": "SUMMARY",
        "A21": "TASK",
        "B": "TASK",
    }


async def test_tasks_connection_pages_in_wbs_order(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    await _tree(gql, world)
    first = await gql(TASKS, {"p": str(world.project.id), "first": 4}, user=world.pm)
    page = first["data"]["tasks"]
    assert page["totalCount"] == 6
    assert page["pageInfo"]["hasNextPage"] is True
    cursor = page["pageInfo"]["endCursor"]
    second = await gql(
        TASKS, {"p": str(world.project.id), "first": 4, "after": cursor}, user=world.pm
    )
    rest = second["data"]["tasks"]
    assert [n["outlineNumber"] for n in rest["nodes"]] == ["1.3.1", "2"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_move_subtree_rewrites_every_descendant_path(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    tree = await _tree(gql, world)
    a2, b = tree["A2"], tree["B"]
    result = (await gql(MOVE, {"id": a2["id"], "parent": b["id"]}, user=world.pm))["data"]
    moved = result["moveWbsTask"]["task"]
    assert moved["parentId"] == b["id"]
    assert moved["outlineNumber"] == "2.1"
    body = await gql(TASKS, {"p": str(world.project.id)}, user=world.pm)
    nodes = {n["name"]: n for n in body["data"]["tasks"]["nodes"]}
    label = {k: "t" + v["id"].replace("-", "") for k, v in tree.items()}
    assert nodes["A2"]["wbsPath"] == f"{label['B']}.{label['A2']}"
    assert nodes["A21"]["wbsPath"] == f"{label['B']}.{label['A2']}.{label['A21']}"
    assert nodes["A21"]["outlineNumber"] == "2.1.1"
    assert nodes["B"]["kind"] == "SUMMARY"
    assert nodes["A21"]["serverVersion"] == 2
    assert await _outline(gql, world) == [
        ("1", "A"),
        ("1.1", "A0"),
        ("1.2", "A1"),
        ("2", "B"),
        ("2.1", "A2"),
        ("2.1.1", "A21"),
    ]


async def test_reorder_before_a_sibling_and_back_to_top_level(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    tree = await _tree(gql, world)
    await gql(MOVE, {"id": tree["B"]["id"], "before": tree["A"]["id"]}, user=world.pm)
    await gql(MOVE, {"id": tree["A1"]["id"], "after": tree["A2"]["id"]}, user=world.pm)
    await gql(MOVE, {"id": tree["A21"]["id"]}, user=world.pm)
    assert await _outline(gql, world) == [
        ("1", "B"),
        ("2", "A"),
        ("2.1", "A0"),
        ("2.2", "A2"),
        ("2.3", "A1"),
        ("3", "A21"),
    ]
    body = await gql(TASKS, {"p": str(world.project.id)}, user=world.pm)
    kinds = {n["name"]: n["kind"] for n in body["data"]["tasks"]["nodes"]}
    assert kinds["A2"] == "TASK"  # lost its last child: back to a plain task


async def test_moving_under_own_descendant_is_rejected(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    tree = await _tree(gql, world)
    for parent in ("A21", "A"):
        body = await gql(MOVE, {"id": tree["A"]["id"], "parent": tree[parent]["id"]}, user=world.pm)
        result = body["data"]["moveWbsTask"]
        assert result["__typename"] == "ValidationError"
        assert result["fields"][0]["path"] == ["newParentId"]
    stale = await gql(MOVE, {"id": tree["B"]["id"], "v": 7}, user=world.pm)
    assert stale["data"]["moveWbsTask"] == {"__typename": "Conflict", "currentVersion": 1}


async def test_delete_cascades_tombstones_to_subtree_and_links(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    tree = await _tree(gql, world)
    inner = await link(gql, world.pm, tree["A1"]["id"], tree["A21"]["id"])
    outer = await link(gql, world.pm, tree["A21"]["id"], tree["B"]["id"])
    keep = await link(gql, world.pm, tree["A0"]["id"], tree["B"]["id"])
    body = await gql(DELETE, {"id": tree["A2"]["id"], "v": 2}, user=world.pm)
    result = body["data"]["deleteTask"]
    assert result["__typename"] == "DeleteTaskPayload"
    assert sorted(result["deletedTaskIds"]) == sorted([tree["A2"]["id"], tree["A21"]["id"]])
    assert sorted(result["deletedDependencyIds"]) == sorted(
        [inner["dependency"]["id"], outer["dependency"]["id"]]
    )
    assert await _outline(gql, world) == [("1", "A"), ("1.1", "A0"), ("1.2", "A1"), ("2", "B")]
    links = await gql(
        "query($p: ID!) { dependencies(projectId: $p) { nodes { id } } }",
        {"p": str(world.project.id)},
        user=world.pm,
    )
    assert links["data"]["dependencies"]["nodes"] == [{"id": keep["dependency"]["id"]}]
