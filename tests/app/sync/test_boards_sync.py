"""Board columns, labels and task labels over the sync endpoint: pulled with tombstones and
incremental changes made over GraphQL, pushed through the board and label services (their
events, history and order keys)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from app import ranks
from app.events import EventType
from app.models import HistoryEntry
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.boards import (
    ADD_LABEL,
    CREATE_LABEL,
    DELETE_COLUMN,
    REMOVE_LABEL,
    RENAME_COLUMN,
    board_world,
    by_name,
)
from tests.app.sync.helpers import changes, task_record
from tests.conftest import GraphQLClient
from tests.graph.boards.helpers import board, names
from tests.graph.tasks.factories import create_task

EMPTY = {"created": [], "updated": [], "deleted": []}


async def test_pull_carries_the_board_and_graphql_changes_to_it(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    task = await create_task(gql, w.world.pm, w.world.project, "Deck")
    phone = w.clients[Role.VIEWER]
    first = (await phone.pull())[0]["changes"]
    columns = sorted(first["board_columns"]["created"], key=lambda c: c["rank"])
    assert [(c["name"], c["category"], c["wip_limit"]) for c in columns] == [
        ("To Do", "todo", None),
        ("In Progress", "in_progress", None),
        ("Done", "done", None),
    ]
    assert {(c["project_id"], c["server_version"]) for c in columns} == {(str(w.project), 1)}
    assert first["labels"] == EMPTY
    assert first["task_labels"] == EMPTY
    (card,) = first["tasks"]["created"]
    lanes = (await board(gql, w.world.pm, w.project))["lanes"]
    assert (card["column_id"], card["board_rank"]) == (
        columns[0]["id"],
        lanes[0]["cards"][0]["boardRank"],
    )

    # Over GraphQL: a label, put on the task, and a renamed column.
    label = (await w.graphql(CREATE_LABEL, p=str(w.project), name="UI"))["label"]["id"]
    await w.graphql(ADD_LABEL, t=task["id"], l=label)
    doing = columns[1]["id"]
    await w.graphql(RENAME_COLUMN, id=doing, name="Doing")
    second = (await phone.pull())[0]["changes"]
    assert second["labels"]["created"] == [
        {
            "id": label,
            "project_id": str(w.project),
            "name": "UI",
            "color": "#6b7280",
            "server_version": 1,
        }
    ]
    (link,) = second["task_labels"]["created"]
    assert (link["task_id"], link["label_id"]) == (task["id"], label)
    assert second["board_columns"]["created"] == []
    assert [
        (c["id"], c["name"], c["server_version"]) for c in second["board_columns"]["updated"]
    ] == [(doing, "Doing", 2)]
    # Labelling is a row of its own: the task did not change, so it is not pulled again.
    assert second["tasks"] == EMPTY

    await w.graphql(REMOVE_LABEL, t=task["id"], l=label)
    assert (await w.graphql(DELETE_COLUMN, id=doing))["__typename"] == "DeleteBoardColumnPayload"
    third = (await phone.pull())[0]["changes"]
    assert third["task_labels"] == {"created": [], "updated": [], "deleted": [link["id"]]}
    assert third["board_columns"] == {"created": [], "updated": [], "deleted": [doing]}
    assert phone.local["labels"].keys() == {label}
    assert phone.local["task_labels"] == {}

    # A deleted task keeps no labels: its links are tombstoned with it.
    await w.graphql(ADD_LABEL, t=task["id"], l=label)
    (relabelled,) = (await phone.pull())[0]["changes"]["task_labels"]["created"]
    await w.graphql("mutation($id: ID!) { deleteTask(id: $id) { __typename } }", id=task["id"])
    fourth = (await phone.pull())[0]["changes"]
    assert fourth["tasks"]["deleted"] == [task["id"]]
    assert fourth["task_labels"]["deleted"] == [relabelled["id"]]


async def test_push_creates_updates_and_deletes_columns_labels_and_links(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    pm = w.pm
    await pm.pull()
    cols = by_name(pm.local["board_columns"])
    review_rank = ranks.key_between(cols["In Progress"]["rank"], cols["Done"]["rank"])
    review, ui, task, link = (uuid.uuid4() for _ in range(4))
    seq = await w.seq()
    pushed = await pm.push(
        {
            **changes(
                "task_labels",
                created=[{"id": str(link), "task_id": str(task), "label_id": str(ui)}],
            ),
            **changes(
                "tasks", created=[task_record(task, "Deck", column_id=str(review), board_rank="a0")]
            ),
            **changes("labels", created=[{"id": str(ui), "name": " UI ", "color": "#FF8800"}]),
            **changes(
                "board_columns",
                created=[
                    {
                        "id": str(review),
                        "name": "Review",
                        "category": "in_progress",
                        "wip_limit": 2,
                        "rank": review_rank,
                    }
                ],
            ),
        }
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["applied"]["board_columns"] == {"created": 1, "updated": 0, "deleted": 0}
    lanes = (await board(gql, w.world.pm, w.project))["lanes"]
    assert [lane["column"]["name"] for lane in lanes] == ["To Do", "In Progress", "Review", "Done"]
    review_lane = lanes[2]
    assert review_lane["column"]["wipLimit"] == 2
    assert review_lane["column"]["rank"] == review_rank  # the client's key, kept
    assert [(c["name"], c["labels"]) for c in review_lane["cards"]] == [
        ("Deck", [{"id": str(ui), "name": "UI", "color": "#ff8800"}])
    ]
    kinds = [kind for kind, _ in await w.events_since(seq)]
    for kind in (
        EventType.COLUMN_CREATED,
        EventType.LABEL_CREATED,
        EventType.TASK_CREATED,
        EventType.CARD_MOVED,
        EventType.TASK_LABELS_CHANGED,
    ):
        assert kinds.count(kind) == 1, kinds
    async with db.sessions() as session:
        actors = set(
            (
                await session.scalars(
                    select(HistoryEntry.actor_id).where(
                        HistoryEntry.object_id.in_([review, ui, link]),
                        HistoryEntry.action == "create",
                    )
                )
            ).all()
        )
    assert actors == {w.world.pm}

    # Updates: rename and re-order the column (first, by the client's key), recolour the label.
    await pm.pull()
    todo_rank = by_name(pm.local["board_columns"])["To Do"]["rank"]
    first_rank = ranks.key_between(None, todo_rank)
    column = dict(
        pm.local["board_columns"][str(review)], name="QA", wip_limit=None, rank=first_rank
    )
    label = dict(pm.local["labels"][str(ui)], name="Frontend", color="#00aa00")
    updated = await pm.push(
        {**changes("board_columns", updated=[column]), **changes("labels", updated=[label])}
    )
    assert updated.status_code == 200, updated.text
    lanes = (await board(gql, w.world.pm, w.project))["lanes"]
    assert [lane["column"]["name"] for lane in lanes] == ["QA", "To Do", "In Progress", "Done"]
    assert (lanes[0]["column"]["wipLimit"], lanes[0]["column"]["rank"]) == (None, first_rank)
    assert lanes[0]["cards"][0]["labels"] == [
        {"id": str(ui), "name": "Frontend", "color": "#00aa00"}
    ]

    # Deletes: the link and the label; the column after moving its card out in the same push.
    await pm.pull()
    out = dict(pm.local["tasks"][str(task)], column_id=cols["To Do"]["id"])
    deleted = await pm.push(
        {
            **changes("tasks", updated=[out]),
            **changes("task_labels", deleted=[str(link)]),
            **changes("labels", deleted=[str(ui)]),
            **changes("board_columns", deleted=[str(review)]),
        }
    )
    assert deleted.status_code == 200, deleted.text
    assert names(await board(gql, w.world.pm, w.project)) == {
        "To Do": ["Deck"],
        "In Progress": [],
        "Done": [],
    }
    viewer = w.clients[Role.VIEWER]
    await viewer.pull()
    assert set(viewer.local["board_columns"]) == {
        cols[n]["id"] for n in ("To Do", "In Progress", "Done")
    }
    assert viewer.local["labels"] == {}
    assert viewer.local["task_labels"] == {}
    pm_pages = await pm.pull()
    gone = {
        t: pm_pages[0]["changes"][t]["deleted"] for t in ("board_columns", "labels", "task_labels")
    }
    assert gone == {"board_columns": [str(review)], "labels": [str(ui)], "task_labels": [str(link)]}


async def test_pushed_card_moves_apply_like_move_task(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    pm = w.world.pm
    a, b, c = [await create_task(gql, pm, w.world.project, n) for n in "ABC"]
    parent = await create_task(gql, pm, w.world.project, "Phase")
    await create_task(gql, pm, w.world.project, "Step", parentId=parent["id"])
    member = w.clients[Role.TEAM_MEMBER]  # moveTask needs a Team Member, not a manager
    await member.pull()
    cols = by_name(member.local["board_columns"])
    done, todo = cols["Done"]["id"], cols["To Do"]["id"]
    tasks = member.local["tasks"]
    low = ranks.key_between(None, None)
    high = ranks.key_between(low, None)
    seq = await w.seq()
    # Listed B first: the order comes from the client's keys, not from the push order.
    moved = await member.push(
        changes(
            "tasks",
            updated=[
                dict(tasks[b["id"]], column_id=done, board_rank=high),
                dict(tasks[a["id"]], column_id=done, board_rank=low),
            ],
        )
    )
    assert moved.status_code == 200, moved.text
    assert names(await board(gql, pm, w.project))["Done"] == ["A", "B"]
    events = await w.events_since(seq)
    assert [kind for kind, _ in events] == [EventType.CARD_MOVED, EventType.CARD_MOVED]
    assert [(p["taskId"], p["fromColumnId"], p["columnId"], p["boardRank"]) for _, p in events] == [
        (b["id"], todo, done, high),
        (a["id"], todo, done, low),
    ]

    # A key another card holds: the card goes right after that card.
    await member.pull()
    clash = await member.push(
        changes(
            "tasks", updated=[dict(member.local["tasks"][c["id"]], column_id=done, board_rank=low)]
        )
    )
    assert clash.status_code == 200, clash.text
    assert names(await board(gql, pm, w.project))["Done"] == ["A", "C", "B"]
    await member.pull()
    placed = member.local["tasks"][c["id"]]["board_rank"]
    assert low < placed < high

    # Refused like moveTask: a summary task is no card; a card cannot leave the board; a key
    # must be well formed. Nothing of the push is applied.
    summary = await member.push(
        changes("tasks", updated=[dict(member.local["tasks"][parent["id"]], column_id=done)])
    )
    assert summary.status_code == 422
    assert (summary.json()["table"], summary.json()["id"]) == ("tasks", parent["id"])
    assert summary.json()["errors"][0]["path"] == ["taskId"]
    for bad, path in ((dict(column_id=None), "column_id"), (dict(board_rank="a0!"), "boardRank")):
        refused = await member.push(
            changes(
                "tasks",
                updated=[
                    dict(member.local["tasks"][a["id"]], name="renamed"),
                    dict(member.local["tasks"][b["id"]], **bad),
                ],
            )
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["id"] == b["id"]
        assert refused.json()["errors"][0]["path"][-1] == path
    after = await board(gql, pm, w.project)
    assert names(after)["Done"] == ["A", "C", "B"]
    assert "renamed" not in str(after)


async def test_new_task_pushed_onto_a_column_is_created_there(
    client: httpx.AsyncClient, settings: Settings, db: AppState, gql: GraphQLClient
) -> None:
    w = await board_world(db, client, settings, gql)
    pm = w.pm
    await pm.pull()
    cols = by_name(pm.local["board_columns"])
    plain, placed = uuid.uuid4(), uuid.uuid4()
    seq = await w.seq()
    pushed = await pm.push(
        changes(
            "tasks",
            created=[
                task_record(plain, "Plain"),  # no position: where createTask puts it
                task_record(placed, "Placed", column_id=cols["Done"]["id"], board_rank=None),
            ],
        )
    )
    assert pushed.status_code == 200, pushed.text
    assert names(await board(gql, w.world.pm, w.project)) == {
        "To Do": ["Plain"],
        "In Progress": [],
        "Done": ["Placed"],
    }
    kinds = [kind for kind, _ in await w.events_since(seq)]
    assert kinds.count(EventType.TASK_CREATED) == 2
    assert kinds.count(EventType.CARD_MOVED) == 1
