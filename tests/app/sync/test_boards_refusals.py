"""Board pushes the services refuse (validation, roles, a linked pair, a column with cards) and
board records changed on the server since the client's pull: the whole push is refused, the
problem names the table and the record, and nothing of it is applied."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from app.models import BoardColumn, Calendar, Label, Task, TaskLabel
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.boards import (
    ADD_LABEL,
    CREATE_LABEL,
    DELETE_LABEL,
    RENAME_COLUMN,
    UPDATE_LABEL,
    BoardWorld,
    board_world,
    by_name,
)
from tests.app.sync.helpers import changes, task_record
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_workspace
from tests.graph.tasks.factories import create_task


async def _counts(db: AppState) -> tuple[int, ...]:
    """Rows of every table an applied part of a refused push could have written."""
    async with db.sessions() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (BoardColumn, Label, TaskLabel, Calendar, Task)
            ]
        )


def _column(**values: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "name": "Review", "category": "in_progress", **values}


async def _refused(
    w: BoardWorld, role: Role, body: dict[str, Any], status: int, table: str, row_id: str
) -> dict[str, Any]:
    """Push `body` after a valid record the refusal must roll back (a calendar, created before
    any board table; a task for a Team Member) and check the problem."""
    before = await _counts(w.db)
    if role == Role.PROJECT_MANAGER:
        extra = changes("calendars", created=[{"id": str(uuid.uuid4()), "name": "Night shift"}])
    else:
        extra = changes("tasks", created=[task_record(uuid.uuid4(), "Extra")])
    response = await w.clients[role].push({**extra, **body})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert (problem["table"], problem["id"]) == (table, row_id), problem
    assert await _counts(w.db) == before
    return problem


async def test_invalid_board_records_are_refused_whole(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    task = await create_task(gql, w.world.pm, w.world.project, "Deck")
    ui = (await w.graphql(CREATE_LABEL, p=str(w.project), name="UI"))["label"]["id"]
    await w.graphql(ADD_LABEL, t=task["id"], l=ui)
    for client_ in w.clients.values():
        await client_.pull()
    todo = by_name(w.pm.local["board_columns"])["To Do"]["id"]
    twin = str(uuid.uuid4())

    duplicate = await _refused(
        w,
        Role.PROJECT_MANAGER,
        changes("labels", created=[{"id": twin, "name": "ui"}]),
        422,
        "labels",
        twin,
    )
    assert duplicate["errors"] == [
        {"path": ["input", "name"], "message": "a label with this name exists"}
    ]
    # The column still holds the card: as over GraphQL without moveCardsTo.
    busy = await _refused(
        w,
        Role.PROJECT_MANAGER,
        changes("board_columns", deleted=[todo]),
        422,
        "board_columns",
        todo,
    )
    assert busy["errors"][0]["path"] == ["moveCardsTo"]
    for bad, path in (
        ({"category": "blocked"}, ["input", "category"]),
        ({"wip_limit": 0}, ["input", "wipLimit"]),
        ({"rank": "!"}, ["input", "rank"]),
        ({"name": "to do"}, ["input", "name"]),  # names are unique in any case
        ({"category": None}, ["changes", "board_columns", "category"]),
    ):
        record = _column(**bad)
        problem = await _refused(
            w,
            Role.PROJECT_MANAGER,
            changes("board_columns", created=[record]),
            422,
            "board_columns",
            record["id"],
        )
        assert problem["errors"][0]["path"] == path, bad
    colour = {"id": twin, "name": "API", "color": "red"}
    problem = await _refused(
        w, Role.PROJECT_MANAGER, changes("labels", created=[colour]), 422, "labels", twin
    )
    assert problem["errors"][0]["path"] == ["input", "color"]

    # Roles: columns and label edits need a Project Manager; a Team Member may label tasks.
    record = _column()
    await _refused(
        w,
        Role.TEAM_MEMBER,
        changes("board_columns", created=[record]),
        403,
        "board_columns",
        record["id"],
    )
    renamed = dict(w.clients[Role.TEAM_MEMBER].local["labels"][ui], name="Frontend")
    await _refused(w, Role.TEAM_MEMBER, changes("labels", updated=[renamed]), 403, "labels", ui)
    assert (
        await w.clients[Role.VIEWER].push(changes("labels", created=[{"id": twin, "name": "V"}]))
    ).status_code == 403

    # Links: the pair is already linked (the client must pull the server's row); a label of
    # another project; a task of another project.
    again = str(uuid.uuid4())
    pair = {"id": again, "task_id": task["id"], "label_id": ui}
    problem = await _refused(
        w, Role.TEAM_MEMBER, changes("task_labels", created=[pair]), 409, "task_labels", again
    )
    assert problem["type"].endswith("/conflict")
    other = await make_project(
        db, await make_workspace(db, w.world.owner), members={w.world.pm: Role.PROJECT_MANAGER}
    )
    theirs = (await w.graphql(CREATE_LABEL, p=str(other.id), name="Theirs"))["label"]["id"]
    foreign = {"id": again, "task_id": task["id"], "label_id": theirs}
    problem = await _refused(
        w, Role.TEAM_MEMBER, changes("task_labels", created=[foreign]), 422, "task_labels", again
    )
    assert problem["errors"][0]["path"] == ["labelId"]

    unknown = await w.pm.push(
        changes("labels", created=[{"id": twin, "name": "X", "icon": "star"}])
    )
    assert unknown.status_code == 400
    assert unknown.json()["unknown_columns"] == {"labels": ["icon"]}
    edit = await w.pm.push(
        changes(
            "task_labels",
            updated=[
                dict(
                    w.pm.local["task_labels"][next(iter(w.pm.local["task_labels"]))],
                    label_id=str(uuid.uuid4()),
                )
            ],
        )
    )
    assert edit.status_code == 422


async def test_board_records_changed_since_the_pull_are_a_409(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    task = await create_task(gql, w.world.pm, w.world.project, "Deck")
    ui = (await w.graphql(CREATE_LABEL, p=str(w.project), name="UI"))["label"]["id"]
    await w.graphql(ADD_LABEL, t=task["id"], l=ui)
    pm = w.pm
    await pm.pull()
    doing = by_name(pm.local["board_columns"])["In Progress"]["id"]
    (link,) = pm.local["task_labels"]
    # Meanwhile, over GraphQL: the label and the column are renamed.
    await w.graphql(UPDATE_LABEL, id=ui, name="Frontend")
    await w.graphql(RENAME_COLUMN, id=doing, name="Doing")
    stale = {
        **changes("labels", updated=[dict(pm.local["labels"][ui], name="Backend")]),
        **changes("board_columns", updated=[dict(pm.local["board_columns"][doing], name="WIP")]),
    }
    before = await _counts(db)
    refused = await pm.push(stale)
    assert refused.status_code == 409
    body = refused.json()
    assert body["type"].endswith("/sync-conflict")
    assert sorted(body["conflicts"], key=lambda c: c["table"]) == [
        {"table": "board_columns", "id": doing, "reason": "changed"},
        {"table": "labels", "id": ui, "reason": "changed"},
    ]
    async with db.sessions() as session:
        assert (
            await session.scalar(select(Label.name).where(Label.id == uuid.UUID(ui))) == "Frontend"
        )
        assert (
            await session.scalar(select(BoardColumn.name).where(BoardColumn.id == uuid.UUID(doing)))
            == "Doing"
        )
    assert await _counts(db) == before

    # The label is deleted over GraphQL: its link is tombstoned, so detaching it is a 409 too.
    await pm.pull()
    await w.graphql(DELETE_LABEL, id=ui)
    gone = await pm.push(changes("task_labels", deleted=[link]))
    assert gone.status_code == 409
    assert gone.json()["conflicts"] == [{"table": "task_labels", "id": link, "reason": "deleted"}]
    # After pulling, the client's own edit goes on top (last writer wins).
    await pm.pull()
    assert pm.local["task_labels"] == {}
    retried = await pm.push(
        changes("board_columns", updated=[dict(pm.local["board_columns"][doing], name="WIP")])
    )
    assert retried.status_code == 200, retried.text
    async with db.sessions() as session:
        assert (
            await session.scalar(select(BoardColumn.name).where(BoardColumn.id == uuid.UUID(doing)))
            == "WIP"
        )
