"""WBS tree queries (tree, children, subtree, ancestors), one-statement subtree moves,
constant statement counts at any tree size, and summary dates from the engine's roll-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.models.enums import Role
from app.scheduling.recompute import recompute
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.tasks.bulk import two_level_tree
from tests.graph.tasks.factories import World, create_task, link, make_world
from tests.sqlcount import statements

FIELDS = "id name outlineNumber parentId depth kind"
TREE = f"query($p: ID!) {{ wbsTree(projectId: $p) {{ {FIELDS} }} }}"
CHILDREN = (
    f"query($p: ID!, $parent: ID) {{ wbsChildren(projectId: $p, parentId: $parent) "
    f"{{ {FIELDS} }} }}"
)
SUBTREE = f"query($t: ID!) {{ wbsSubtree(taskId: $t) {{ {FIELDS} }} }}"
ANCESTORS = f"query($t: ID!) {{ wbsAncestors(taskId: $t) {{ {FIELDS} }} }}"
MOVE = """
mutation($id: ID!, $parent: ID, $before: ID) {
  moveWbsTask(id: $id, newParentId: $parent, beforeId: $before) {
    __typename ... on TaskPayload { task { outlineNumber } }
  }
}"""


async def _tree(gql: GraphQLClient, world: World) -> dict[str, dict[str, Any]]:
    """1 A, 1.1 A1, 1.2 A2, 1.2.1 A21, 1.2.2 A22, 1.2.2.1 A221, 2 B."""
    pm, project = world.pm, world.project
    made: dict[str, dict[str, Any]] = {}
    for name, parent in (
        ("A", None),
        ("B", None),
        ("A1", "A"),
        ("A2", "A"),
        ("A21", "A2"),
        ("A22", "A2"),
        ("A221", "A22"),
    ):
        extra = {"parentId": made[parent]["id"]} if parent else {}
        made[name] = await create_task(gql, pm, project, name, **extra)
    return made


def _outline(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["outlineNumber"], row["name"]) for row in rows]


async def test_tree_children_subtree_and_ancestors_in_wbs_order(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    t = await _tree(gql, world)
    viewer = world.users[Role.VIEWER].id
    p = str(world.project.id)
    body = await gql(TREE, {"p": p}, user=viewer)
    assert _outline(body["data"]["wbsTree"]) == [
        ("1", "A"),
        ("1.1", "A1"),
        ("1.2", "A2"),
        ("1.2.1", "A21"),
        ("1.2.2", "A22"),
        ("1.2.2.1", "A221"),
        ("2", "B"),
    ]
    top = await gql(CHILDREN, {"p": p}, user=viewer)
    assert _outline(top["data"]["wbsChildren"]) == [("1", "A"), ("2", "B")]
    kids = await gql(CHILDREN, {"p": p, "parent": t["A2"]["id"]}, user=viewer)
    assert _outline(kids["data"]["wbsChildren"]) == [("1.2.1", "A21"), ("1.2.2", "A22")]
    sub = await gql(SUBTREE, {"t": t["A2"]["id"]}, user=viewer)
    assert _outline(sub["data"]["wbsSubtree"]) == [
        ("1.2", "A2"),
        ("1.2.1", "A21"),
        ("1.2.2", "A22"),
        ("1.2.2.1", "A221"),
    ]
    up = await gql(ANCESTORS, {"t": t["A221"]["id"]}, user=viewer)
    assert _outline(up["data"]["wbsAncestors"]) == [("1", "A"), ("1.2", "A2"), ("1.2.2", "A22")]
    assert [row["depth"] for row in up["data"]["wbsAncestors"]] == [1, 2, 3]
    # Re-order: B before A renumbers everything below.
    await gql(MOVE, {"id": t["B"]["id"], "before": t["A"]["id"]}, user=world.pm)
    again = await gql(SUBTREE, {"t": t["A22"]["id"]}, user=viewer)
    assert _outline(again["data"]["wbsSubtree"]) == [("2.2.2", "A22"), ("2.2.2.1", "A221")]


async def test_tree_queries_hide_invisible_projects(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    t = await _tree(gql, world)
    stranger = (await make_user(db)).id
    p = str(world.project.id)
    assert (await gql(TREE, {"p": p}, user=stranger))["data"]["wbsTree"] == []
    assert (await gql(CHILDREN, {"p": p}, user=stranger))["data"]["wbsChildren"] == []
    body = await gql(SUBTREE, {"t": t["A"]["id"]}, user=stranger)
    assert body["data"]["wbsSubtree"] == []
    body = await gql(ANCESTORS, {"t": t["A221"]["id"]}, user=stranger)
    assert body["data"]["wbsAncestors"] == []
    body = await gql(TREE, {"p": "not-a-uuid"}, user=world.pm)
    assert body["data"]["wbsTree"] == []


async def test_moving_a_subtree_rewrites_all_paths_in_one_statement(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    t = await _tree(gql, world)
    with statements(db.engine) as seen:
        body = await gql(MOVE, {"id": t["A2"]["id"], "parent": t["B"]["id"]}, user=world.pm)
    assert body["data"]["moveWbsTask"]["task"]["outlineNumber"] == "2.1"
    path_writes = [s for s in seen if s.lstrip().startswith("UPDATE task") and "wbs_path=" in s]
    assert len(path_writes) == 1, path_writes
    rows = (await gql(TREE, {"p": str(world.project.id)}, user=world.pm))["data"]["wbsTree"]
    assert _outline(rows) == [
        ("1", "A"),
        ("1.1", "A1"),
        ("2", "B"),
        ("2.1", "A2"),
        ("2.1.1", "A21"),
        ("2.1.2", "A22"),
        ("2.1.2.1", "A221"),
    ]
    by_name = {row["name"]: row for row in rows}
    assert by_name["A221"]["parentId"] == t["A22"]["id"]
    assert by_name["A221"]["depth"] == 4


async def _count_tree_statements(gql: GraphQLClient, db: AppState, size: tuple[int, int]) -> int:
    world = await make_world(db)
    total = await two_level_tree(db, world.project.id, *size)
    query = (
        "query($p: ID!) { wbsTree(projectId: $p) "
        "{ id name outlineNumber parentId depth kind earlyStart totalFloat isCritical } }"
    )
    with statements(db.engine) as seen:
        body = await gql(query, {"p": str(world.project.id)}, user=world.pm)
    rows = body["data"]["wbsTree"]
    assert len(rows) == total
    tops, per = size
    assert rows[0]["outlineNumber"] == "1"
    assert rows[per + 1]["outlineNumber"] == "2"
    assert rows[-1]["outlineNumber"] == f"{tops}.{per}"
    assert rows[-1]["parentId"] == rows[-(per + 1)]["id"]
    return len(seen)


async def test_whole_tree_costs_the_same_statements_at_100_and_10000_tasks(
    gql: GraphQLClient, db: AppState
) -> None:
    small = await _count_tree_statements(gql, db, (10, 9))
    large = await _count_tree_statements(gql, db, (100, 99))
    assert small == large
    assert large <= 2  # the caller's account check and the tree itself


async def test_summary_dates_are_the_engine_roll_up_of_children(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    pm, project = world.pm, world.project
    phase = await create_task(gql, pm, project, "Phase")
    design = await create_task(gql, pm, project, "Design", parentId=phase["id"], duration=3)
    build = await create_task(gql, pm, project, "Build", parentId=phase["id"], duration=4)
    after = await create_task(gql, pm, project, "Launch", duration=1)
    await link(gql, pm, design["id"], build["id"])
    await link(gql, pm, phase["id"], after["id"])  # a link from a summary drives the successor
    await recompute(db.sessions, project.id, force=True)
    query = """query($p: ID!) { wbsTree(projectId: $p) {
      name kind duration earlyStart earlyFinish } }"""
    rows = (await gql(query, {"p": str(project.id)}, user=pm))["data"]["wbsTree"]
    dates = {r["name"]: (r["kind"], r["earlyStart"], r["earlyFinish"]) for r in rows}
    # A summary's duration is its rolled-up span in working days, as MS Project shows it:
    # Mon 5 - Tue 13 over a weekend is 7; the tasks keep their own.
    assert {r["name"]: r["duration"] for r in rows} == {
        "Phase": 7,
        "Design": 3,
        "Build": 4,
        "Launch": 1,
    }
    # 2026-01-05 is a Monday: Design Mon-Wed, Build Thu 8 - Tue 13, Launch Wed 14.
    assert dates == {
        "Phase": ("SUMMARY", "2026-01-05", "2026-01-13"),
        "Design": ("TASK", "2026-01-05", "2026-01-07"),
        "Build": ("TASK", "2026-01-08", "2026-01-13"),
        "Launch": ("TASK", "2026-01-14", "2026-01-14"),
    }
    assert dt.date.fromisoformat(dates["Phase"][2]) < dt.date.fromisoformat(dates["Launch"][1])
