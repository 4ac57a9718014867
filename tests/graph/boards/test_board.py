"""Boards over GraphQL: default columns, card moves and order, filters, WIP, events."""

from __future__ import annotations

from sqlalchemy import update

from app.events import EventType
from app.models import Task
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user, make_workspace
from tests.graph.boards.helpers import board, column_ids, move, names
from tests.graph.tasks.factories import create_task, make_world

CREATE_PROJECT = """
mutation($w: ID!) { createProject(input: {workspaceId: $w, name: "P", startDate: "2026-01-05"})
  { ... on ProjectPayload { project { id } } } }"""


async def test_a_new_project_gets_the_default_columns(gql: GraphQLClient, db: AppState) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    body = await gql(CREATE_PROJECT, {"w": str(workspace.id)}, user=owner.id)
    project = body["data"]["createProject"]["project"]["id"]
    result = await board(gql, owner.id, project)
    columns = [lane["column"] for lane in result["lanes"]]
    assert [(c["name"], c["category"], c["wipLimit"]) for c in columns] == [
        ("To Do", "TODO", None),
        ("In Progress", "IN_PROGRESS", None),
        ("Done", "DONE", None),
    ]
    assert [c["rank"] for c in columns] == sorted(c["rank"] for c in columns)


async def test_cards_are_created_in_the_first_column_and_move_by_anchor(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    p, tm = world.project.id, world.users[Role.TEAM_MEMBER].id
    cards = {n: await create_task(gql, tm, world.project, n) for n in ("A", "B", "C", "D")}
    initial = await board(gql, tm, p)
    assert names(initial) == {"To Do": ["A", "B", "C", "D"], "In Progress": [], "Done": []}
    cols = column_ids(initial)
    first = await move(gql, tm, cards["C"]["id"], cols["In Progress"])
    assert first["__typename"] == "TaskPayload"
    assert first["task"]["columnId"] == cols["In Progress"]
    assert first["task"]["serverVersion"] == 2
    await move(gql, tm, cards["A"]["id"], cols["In Progress"], before=cards["C"]["id"])
    await move(gql, tm, cards["D"]["id"], cols["In Progress"], after=cards["A"]["id"])
    await move(gql, tm, cards["B"]["id"], cols["To Do"])  # re-append in its own column
    assert names(await board(gql, tm, p)) == {
        "To Do": ["B"],
        "In Progress": ["A", "D", "C"],
        "Done": [],
    }
    # Only the moved row changed: the others kept their version.
    result = await board(gql, tm, p)
    versions = {c["name"]: c["serverVersion"] for lane in result["lanes"] for c in lane["cards"]}
    assert versions == {"A": 2, "B": 2, "C": 2, "D": 2}
    await move(gql, tm, cards["B"]["id"], cols["In Progress"], after=cards["D"]["id"])
    result = await board(gql, tm, p)
    versions = {c["name"]: c["serverVersion"] for lane in result["lanes"] for c in lane["cards"]}
    assert versions == {"A": 2, "B": 3, "C": 2, "D": 2}
    assert names(result)["In Progress"] == ["A", "D", "B", "C"]


async def test_bad_moves_are_typed_errors(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm = world.pm
    a = await create_task(gql, pm, world.project, "A")
    b = await create_task(gql, pm, world.project, "B")
    parent = await create_task(gql, pm, world.project, "Phase")
    await create_task(gql, pm, world.project, "Child", parentId=parent["id"])
    cols = column_ids(await board(gql, pm, world.project.id))
    other = await make_world(db)
    foreign = column_ids(await board(gql, other.pm, other.project.id))["Done"]
    cases = [
        ({"c": foreign}, ["columnId"]),
        ({"c": "nonsense"}, ["columnId"]),
        ({"c": cols["Done"], "before": b["id"]}, ["beforeId"]),  # B is not in Done
        ({"c": cols["To Do"], "after": a["id"]}, ["afterId"]),  # itself
        ({"c": cols["To Do"], "before": b["id"], "after": b["id"]}, ["afterId"]),
    ]
    for where, path in cases:
        result = await move(gql, pm, a["id"], where.pop("c"), **where)
        assert result["__typename"] == "ValidationError", (where, result)
        assert result["fields"][0]["path"] == path
    summary = await move(gql, pm, parent["id"], cols["Done"])
    assert summary["fields"][0]["path"] == ["taskId"]
    stale = await move(gql, pm, a["id"], cols["Done"], v=9)
    assert stale == {"__typename": "Conflict", "currentVersion": 1}
    gone = await move(gql, pm, "00000000-0000-0000-0000-000000000001", cols["Done"])
    assert gone["__typename"] == "NotFound"


async def test_filters_wip_and_schedule_fields(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, p = world.pm, world.project.id
    tm = world.users[Role.TEAM_MEMBER].id
    a = await create_task(gql, pm, world.project, "A", assigneeId=str(tm))
    b = await create_task(gql, pm, world.project, "B")
    c = await create_task(gql, pm, world.project, "C", assigneeId=str(tm))
    phase = await create_task(gql, pm, world.project, "Phase")
    await create_task(gql, pm, world.project, "Inner", parentId=phase["id"])
    label = await gql(
        'mutation($p: ID!) { createLabel(input: {projectId: $p, name: "Bug", color: "#FF0000"}) '
        "{ ... on LabelPayload { label { id color } } } }",
        {"p": str(p)},
        user=pm,
    )
    bug = label["data"]["createLabel"]["label"]
    assert bug["color"] == "#ff0000"
    for task in (b, c):
        await gql(
            "mutation($t: ID!, $l: ID!) { addTaskLabel(taskId: $t, labelId: $l) { __typename } }",
            {"t": task["id"], "l": bug["id"]},
            user=pm,
        )
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Task).where(Task.name.in_(["A", "C"])).values(is_critical=True, total_float=0)
        )
    full = await board(gql, pm, p)
    assert names(full)["To Do"] == ["A", "B", "C", "Inner"]  # the summary is no card
    assert full["lanes"][0]["cardCount"] == 4
    by_name = {card["name"]: card for card in full["lanes"][0]["cards"]}
    assert by_name["A"]["isCritical"] is True
    assert by_name["A"]["totalFloat"] == 0
    assert [lb["name"] for lb in by_name["B"]["labels"]] == ["Bug"]
    assert names(await board(gql, pm, p, assigneeIds=[str(tm)]))["To Do"] == ["A", "C"]
    assert names(await board(gql, pm, p, labelIds=[bug["id"]]))["To Do"] == ["B", "C"]
    assert names(await board(gql, pm, p, criticalOnly=True))["To Do"] == ["A", "C"]
    both = await board(gql, pm, p, criticalOnly=True, labelIds=[bug["id"]])
    assert names(both)["To Do"] == ["C"]
    assert both["lanes"][0]["cardCount"] == 4  # counts ignore the filter (WIP is per column)
    assert not both["lanes"][0]["wipExceeded"]
    todo = column_ids(full)["To Do"]
    await gql(
        "mutation($id: ID!) { updateBoardColumn(id: $id, input: {wipLimit: 3}) { __typename } }",
        {"id": todo},
        user=pm,
    )
    limited = (await board(gql, pm, p))["lanes"][0]
    assert (limited["column"]["wipLimit"], limited["wipExceeded"]) == (3, True)
    await move(gql, pm, a["id"], column_ids(full)["Done"])
    assert (await board(gql, pm, p))["lanes"][0]["wipExceeded"] is False


async def test_moves_emit_card_moved_after_commit(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, p = world.pm, world.project.id
    a = await create_task(gql, pm, world.project, "A")
    cols = column_ids(await board(gql, pm, p))
    before = await db.events.store.replay(p, 0)
    await move(gql, pm, a["id"], cols["Done"], v=99)  # a Conflict: rolled back, no event
    moved = await move(gql, pm, a["id"], cols["Done"])
    after = await db.events.store.replay(p, 0)
    new = [e for e in after.events if e.seq > max((x.seq for x in before.events), default=0)]
    assert [e.type for e in new] == [EventType.CARD_MOVED]
    assert new[0].actor_id == pm
    assert new[0].payload == {
        "taskId": a["id"],
        "serverVersion": 2,
        "columnId": cols["Done"],
        "fromColumnId": cols["To Do"],
        "boardRank": moved["task"]["boardRank"],
    }


async def test_board_is_null_for_outsiders(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    stranger = await make_user(db)
    body = await gql(
        "query($p: ID!) { board(projectId: $p) { projectId } }",
        {"p": str(world.project.id)},
        user=stranger.id,
    )
    assert body["data"]["board"] is None
    viewer = world.users[Role.VIEWER].id
    assert len((await board(gql, viewer, world.project.id))["lanes"]) == 3


async def test_sprint_filter(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    pm, p = world.pm, world.project.id
    cards = {n: await create_task(gql, pm, world.project, n) for n in ("A", "B", "C")}
    sprints = []
    for name in ("S1", "S2"):
        body = await gql(
            "mutation($p: ID!, $n: String!) { createSprint(input: {projectId: $p, name: $n, "
            'startDate: "2026-01-05", endDate: "2026-01-16"}) '
            "{ __typename ... on SprintPayload { sprint { id } } } }",
            {"p": str(p), "n": name},
            user=pm,
        )
        sprints.append(body["data"]["createSprint"]["sprint"]["id"])
    for sprint, task in ((sprints[0], "A"), (sprints[1], "C")):
        body = await gql(
            "mutation($s: ID!, $t: [ID!]!) { addTasksToSprint(sprintId: $s, taskIds: $t) "
            "{ __typename } }",
            {"s": sprint, "t": [cards[task]["id"]]},
            user=pm,
        )
        assert body["data"]["addTasksToSprint"]["__typename"] == "SprintPlanPayload", body
    assert names(await board(gql, pm, p, sprintIds=[sprints[0]]))["To Do"] == ["A"]
    assert names(await board(gql, pm, p, sprintIds=sprints))["To Do"] == ["A", "C"]
