"""Webhook endpoints over GraphQL, and the deliveries every write path records in its own
transaction (GraphQL, bulk, the REST sync push, the recompute job)."""

from __future__ import annotations

import uuid

import httpx

from app.models.enums import Role
from app.scheduling.recompute import recompute
from app.state import AppState
from tests.app.sync.helpers import SyncClient, changes, task_record
from tests.app.webhooks.helpers import create_webhook, deliveries
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace
from tests.graph.tasks.factories import CREATE_TASK, create_task, make_world

UPDATE_TASK = """
mutation($id: ID!, $input: UpdateTaskInput!) {
  updateTask(id: $id, input: $input) { __typename }
}"""
WEBHOOKS = """
query($p: ID, $w: ID) {
  webhooks(projectId: $p, workspaceId: $w) { id url events enabled lastSequence pendingDeliveries }
}"""


async def test_only_project_admins_create_and_the_secret_is_shown_once(
    db: AppState, gql: GraphQLClient
) -> None:
    world = await make_world(db)
    project = str(world.project.id)
    url = "http://127.0.0.1:9/hook"
    refused = await create_webhook(
        gql, world.pm, projectId=project, url=url, events=["task.created"]
    )
    assert refused["__typename"] == "Forbidden"
    stranger = await make_user(db)
    hidden = await create_webhook(
        gql, stranger.id, projectId=project, url=url, events=["task.created"]
    )
    assert hidden["__typename"] == "NotFound"

    admin = world.users[Role.PROJECT_ADMIN].id
    made = await create_webhook(gql, admin, projectId=project, url=url, events=["task.created"])
    assert made["__typename"] == "CreatedWebhook", made
    assert made["secret"].startswith("whsec_")
    assert len(made["secret"]) == 50
    assert made["webhook"]["workspaceId"] == str(world.project.workspace_id)
    listed = (await gql(WEBHOOKS, {"p": project}, user=admin))["data"]["webhooks"]
    assert listed == [
        {
            "id": made["webhook"]["id"],
            "url": url,
            "events": ["task.created"],
            "enabled": True,
            "lastSequence": 0,
            "pendingDeliveries": 0,
        }
    ]
    # Nobody below Project Admin sees the endpoints; the type has no secret field at all.
    assert (await gql(WEBHOOKS, {"p": project}, user=world.pm))["data"]["webhooks"] == []
    probe = await gql(
        "query($id: ID!) { webhook(id: $id) { secret } }", {"id": made["webhook"]["id"]}, user=admin
    )
    assert "Cannot query field 'secret'" in probe["errors"][0]["message"]


async def test_bad_events_and_unsafe_urls_are_refused_with_the_field_named(
    db: AppState, gql: GraphQLClient
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = str((await make_project(db, workspace)).id)
    cases = {
        "http://10.1.2.3/hook": "10.1.2.3, which is not a public address",
        "http://169.254.169.254/latest/meta-data": "169.254.169.254, which is not a public",
        "http://[::1]:8080/x": "::1, which is not a public address",
        "ftp://example.com/x": "must start with https://",
        "https://user:pw@example.com/x": "must not carry a user name",
    }
    for url, message in cases.items():
        result = await create_webhook(
            gql, owner.id, projectId=project, url=url, events=["task.created"]
        )
        assert result["__typename"] == "ValidationError", (url, result)
        assert result["fields"][0]["path"] == ["url"]
        assert message in result["fields"][0]["message"], (url, result)
    unknown = await create_webhook(
        gql, owner.id, projectId=project, url="http://127.0.0.1:9/", events=["task.exploded"]
    )
    assert unknown["fields"] == [{"path": ["events"], "message": "unknown event(s): task.exploded"}]
    both = await create_webhook(
        gql,
        owner.id,
        projectId=project,
        workspaceId=str(workspace.id),
        url="http://127.0.0.1:9/",
        events=["task.created"],
    )
    assert both["__typename"] == "ValidationError"
    names = (await gql("{ webhookEvents { name } }", user=owner.id))["data"]["webhookEvents"]
    assert {"task.created", "schedule.recalculated", "member.removed"} <= {n["name"] for n in names}


async def test_writes_record_numbered_deliveries_only_when_they_commit(
    db: AppState, gql: GraphQLClient
) -> None:
    world = await make_world(db)
    admin = world.users[Role.PROJECT_ADMIN].id
    own = await create_webhook(
        gql,
        admin,
        projectId=str(world.project.id),
        url="http://127.0.0.1:9/own",
        events=["task.created", "task.updated"],
    )
    wide = await create_webhook(
        gql,
        world.owner.id,
        workspaceId=str(world.project.workspace_id),
        url="http://127.0.0.1:9/wide",
        events=["task.created"],
    )
    other = await make_project(db, await make_workspace(db, world.owner))
    elsewhere = await create_webhook(
        gql,
        world.owner.id,
        projectId=str(other.id),
        url="http://127.0.0.1:9/x",
        events=["task.created"],
    )
    first = await create_task(gql, world.pm, world.project, "Dig")
    await create_task(gql, world.pm, world.project, "Pour")
    await gql(UPDATE_TASK, {"id": first["id"], "input": {"name": "Dig deeper"}}, user=world.pm)
    # A refused write records nothing.
    bad = await gql(
        CREATE_TASK, {"input": {"projectId": str(world.project.id), "name": ""}}, user=world.pm
    )
    assert bad["data"]["createTask"]["__typename"] == "ValidationError"

    got = await deliveries(db, own["webhook"]["id"])
    assert [(d["type"], d["sequence"]) for d in got] == [
        ("task.created", 1),
        ("task.created", 2),
        ("task.updated", 3),
    ]
    assert [d["row_sequence"] for d in got] == [1, 2, 3]  # the body carries the row's number
    created = got[0]
    assert created["data"]["taskId"] == first["id"]
    assert created["data"]["projectId"] == str(world.project.id)
    assert created["data"]["workspaceId"] == str(world.project.workspace_id)
    assert created["data"]["actorId"] == str(world.pm)
    assert created["data"]["changes"]["name"] == "Dig"
    assert created["timestamp"].endswith("Z")
    assert got[2]["data"]["changes"] == {"name": "Dig deeper"}
    assert [(d["type"], d["sequence"]) for d in await deliveries(db, wide["webhook"]["id"])] == [
        ("task.created", 1),
        ("task.created", 2),
    ]
    assert await deliveries(db, elsewhere["webhook"]["id"]) == []


async def test_bulk_writes_the_sync_push_and_the_recompute_job_record_deliveries(
    db: AppState, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    world = await make_world(db)
    made = await create_webhook(
        gql,
        world.owner.id,
        projectId=str(world.project.id),
        url="http://127.0.0.1:9/hook",
        events=["task.created", "schedule.recalculated"],
    )
    bulk = await gql(
        """mutation($p: ID!) { createTasks(inputs: [
             {projectId: $p, name: "A", duration: 2}, {projectId: $p, name: "B", duration: 3}
           ]) { __typename ... on BulkTasksPayload { committed } } }""",
        {"p": str(world.project.id)},
        user=world.pm,
    )
    assert bulk["data"]["createTasks"] == {"__typename": "BulkTasksPayload", "committed": True}
    sync = SyncClient(client, db.settings, world.pm, world.project.id)
    await sync.pull()
    pushed = uuid.uuid4()
    response = await sync.push(changes("tasks", created=[task_record(pushed, "Pushed")]))
    assert response.status_code == 200, response.text
    outcome = await recompute(db.sessions, world.project.id, force=True)
    assert outcome.state == "succeeded"

    got = await deliveries(db, made["webhook"]["id"])
    assert [d["type"] for d in got] == [
        "task.created",
        "task.created",
        "task.created",
        "schedule.recalculated",
    ]
    assert [d["data"]["changes"]["name"] for d in got[:3]] == ["A", "B", "Pushed"]
    assert got[2]["data"]["taskId"] == str(pushed)
    assert [d["sequence"] for d in got] == [1, 2, 3, 4]
    schedule = got[3]["data"]
    assert schedule["projectFinish"] == outcome.project_finish.isoformat()
    assert schedule["changedTasks"] == len(outcome.changed) == 3
    assert schedule["actorId"] is None
