"""Column CRUD (order, WIP, delete with cards) and labels (CRUD, attach/detach, versions)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from app.models import TaskLabel
from app.models.enums import Role
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.boards.helpers import board, column_ids, move, names
from tests.graph.tasks.factories import World, create_task, make_world

COLUMN = "column { id name category wipLimit rank serverVersion isDeleted }"
ERRORS = "... on ValidationError { fields { path message } } ... on Conflict { currentVersion }"
CREATE_COLUMN = f"""
mutation($input: CreateBoardColumnInput!) {{
  createBoardColumn(input: $input) {{
    __typename ... on BoardColumnPayload {{ {COLUMN} }} {ERRORS}
  }}
}}"""
UPDATE_COLUMN = f"""
mutation($id: ID!, $input: UpdateBoardColumnInput!, $v: Int) {{
  updateBoardColumn(id: $id, input: $input, serverVersion: $v) {{
    __typename ... on BoardColumnPayload {{ {COLUMN} }} {ERRORS}
  }}
}}"""
DELETE_COLUMN = f"""
mutation($id: ID!, $to: ID) {{
  deleteBoardColumn(id: $id, moveCardsTo: $to) {{
    __typename ... on DeleteBoardColumnPayload {{ {COLUMN} movedTaskIds }} {ERRORS}
  }}
}}"""
LABEL = "label { id name color serverVersion isDeleted }"
CREATE_LABEL = f"""
mutation($p: ID!, $name: String!, $color: String) {{
  createLabel(input: {{projectId: $p, name: $name, color: $color}}) {{
    __typename ... on LabelPayload {{ {LABEL} }} {ERRORS}
  }}
}}"""
UPDATE_LABEL = f"""
mutation($id: ID!, $name: String, $color: String, $v: Int) {{
  updateLabel(id: $id, input: {{name: $name, color: $color}}, serverVersion: $v) {{
    __typename ... on LabelPayload {{ {LABEL} }} {ERRORS}
  }}
}}"""
DELETE_LABEL = f"""
mutation($id: ID!) {{ deleteLabel(id: $id) {{ __typename ... on LabelPayload {{ {LABEL} }} }} }}"""
TASK_LABEL = """
mutation($t: ID!, $l: ID!) {{
  {op}(taskId: $t, labelId: $l) {{
    __typename
    ... on TaskPayload {{ task {{ serverVersion labels {{ name }} }} }}
    ... on ValidationError {{ fields {{ path message }} }}
  }}
}}"""


async def _result(gql: GraphQLClient, world: World, query: str, **variables: Any) -> Any:
    body = await gql(query, variables, user=world.pm)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def test_columns_create_reorder_update_and_validate(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    p = str(world.project.id)
    cols = column_ids(await board(gql, world.pm, world.project.id))
    review = await _result(
        gql,
        world,
        CREATE_COLUMN,
        input={
            "projectId": p,
            "name": " Review ",
            "category": "IN_PROGRESS",
            "wipLimit": 2,
            "afterId": cols["In Progress"],
        },
    )
    assert review["column"]["name"] == "Review"
    backlog = await _result(
        gql,
        world,
        CREATE_COLUMN,
        input={"projectId": p, "name": "Backlog", "category": "TODO", "beforeId": cols["To Do"]},
    )
    assert backlog["__typename"] == "BoardColumnPayload"
    order = lambda r: [lane["column"]["name"] for lane in r["lanes"]]  # noqa: E731
    assert order(await board(gql, world.pm, world.project.id)) == [
        "Backlog",
        "To Do",
        "In Progress",
        "Review",
        "Done",
    ]
    moved = await _result(
        gql,
        world,
        UPDATE_COLUMN,
        id=cols["Done"],
        input={"beforeId": cols["To Do"], "name": "Finished", "wipLimit": None},
        v=1,
    )
    assert (moved["column"]["name"], moved["column"]["serverVersion"]) == ("Finished", 2)
    assert order(await board(gql, world.pm, world.project.id)) == [
        "Backlog",
        "Finished",
        "To Do",
        "In Progress",
        "Review",
    ]
    review_id = review["column"]["id"]
    cleared = await _result(gql, world, UPDATE_COLUMN, id=review_id, input={"wipLimit": None})
    assert cleared["column"]["wipLimit"] is None
    bad: list[tuple[dict[str, Any], list[str]]] = [
        ({"name": "  "}, ["input", "name"]),
        ({"name": "to do"}, ["input", "name"]),  # clashes with "To Do", any case
        ({"wipLimit": 0}, ["input", "wipLimit"]),
        ({"name": None}, ["input", "name"]),
        ({"afterId": review_id}, ["input", "afterId"]),  # itself
    ]
    for change, path in bad:
        result = await _result(gql, world, UPDATE_COLUMN, id=review_id, input=change)
        assert result["__typename"] == "ValidationError", change
        assert result["fields"][0]["path"] == path
    stale = await _result(gql, world, UPDATE_COLUMN, id=review_id, input={"name": "R"}, v=1)
    assert stale == {"__typename": "Conflict", "currentVersion": 2}


async def test_deleting_a_column_moves_its_cards_or_refuses(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    cards = [await create_task(gql, world.pm, world.project, n) for n in ("A", "B", "C")]
    cols = column_ids(await board(gql, world.pm, world.project.id))
    await move(gql, world.pm, cards[0]["id"], cols["Done"])
    refused = await _result(gql, world, DELETE_COLUMN, id=cols["To Do"])
    assert refused["__typename"] == "ValidationError"
    assert refused["fields"][0]["path"] == ["moveCardsTo"]
    deleted = await _result(gql, world, DELETE_COLUMN, id=cols["To Do"], to=cols["Done"])
    assert deleted["column"]["isDeleted"] is True
    assert deleted["movedTaskIds"] == [cards[1]["id"], cards[2]["id"]]
    assert names(await board(gql, world.pm, world.project.id)) == {
        "In Progress": [],
        "Done": ["A", "B", "C"],
    }
    empty = await _result(gql, world, DELETE_COLUMN, id=cols["In Progress"])
    assert empty["__typename"] == "DeleteBoardColumnPayload"
    last = await _result(gql, world, DELETE_COLUMN, id=cols["Done"])
    assert last["__typename"] == "ValidationError"  # a board keeps one column


async def test_labels_crud_attach_detach_and_versions(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    p = str(world.project.id)
    task = await create_task(gql, world.pm, world.project, "A")
    ui = (await _result(gql, world, CREATE_LABEL, p=p, name="UI"))["label"]
    assert (ui["color"], ui["serverVersion"]) == ("#6b7280", 1)
    api = (await _result(gql, world, CREATE_LABEL, p=p, name="API", color="#00AA00"))["label"]
    for name, color, path in (("ui", None, "name"), ("X", "red", "color"), ("", None, "name")):
        bad = await _result(gql, world, CREATE_LABEL, p=p, name=name, color=color)
        assert bad["fields"][0]["path"] == ["input", path], (name, color)
    add, remove = TASK_LABEL.format(op="addTaskLabel"), TASK_LABEL.format(op="removeTaskLabel")
    # A label on a task is a link row of its own: the task row (and version) stays as it is.
    first = await _result(gql, world, add, t=task["id"], l=ui["id"])
    assert first["task"] == {"serverVersion": 1, "labels": [{"name": "UI"}]}
    again = await _result(gql, world, add, t=task["id"], l=ui["id"])  # idempotent
    assert again["task"] == first["task"]
    both = await _result(gql, world, add, t=task["id"], l=api["id"])
    assert both["task"] == {"serverVersion": 1, "labels": [{"name": "API"}, {"name": "UI"}]}
    renamed = await _result(gql, world, UPDATE_LABEL, id=ui["id"], name="Frontend", v=1)
    assert renamed["label"]["name"] == "Frontend"
    off = await _result(gql, world, remove, t=task["id"], l=api["id"])
    assert off["task"] == {"serverVersion": 1, "labels": [{"name": "Frontend"}]}
    assert (await _result(gql, world, remove, t=task["id"], l=api["id"]))["task"] == off["task"]
    gone = await _result(gql, world, DELETE_LABEL, id=ui["id"])
    assert gone["label"]["isDeleted"] is True
    body = await gql(
        "query($id: ID!) { task(id: $id) { serverVersion labels { name } } }",
        {"id": task["id"]},
        user=world.pm,
    )
    assert body["data"]["task"] == {"serverVersion": 1, "labels": []}
    # Detaching and deleting the label left tombstones (version 2) for offline clients.
    async with db.sessions() as session:
        links = (
            await session.execute(
                select(TaskLabel.label_id, TaskLabel.is_deleted, TaskLabel.server_version)
                .where(TaskLabel.task_id == uuid.UUID(task["id"]))
                .order_by(TaskLabel.created_at)
            )
        ).all()
    assert [tuple(row) for row in links] == [
        (uuid.UUID(ui["id"]), True, 2),
        (uuid.UUID(api["id"]), True, 2),
    ]
    listed = await gql(
        "query($p: ID!) { labels(projectId: $p) { name } }",
        {"p": p},
        user=world.users[Role.VIEWER].id,
    )
    assert listed["data"]["labels"] == [{"name": "API"}]
    other = await make_world(db)
    theirs = (await _result(gql, other, CREATE_LABEL, p=str(other.project.id), name="T"))["label"]
    cross = await _result(gql, world, add, t=task["id"], l=theirs["id"])
    assert cross["fields"][0]["path"] == ["labelId"]
    reuse = await _result(gql, world, CREATE_LABEL, p=p, name="ui")  # a deleted name is free
    assert reuse["__typename"] == "LabelPayload"
