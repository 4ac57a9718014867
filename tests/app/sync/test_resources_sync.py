"""The resource pool and assignments in the WatermelonDB sync: every project of a workspace
pulls its pool, assignments travel both ways, and the pool is never written by a push."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from app.models import Assignment, Workspace
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient, changes
from tests.conftest import GraphQLClient
from tests.factories import make_project
from tests.graph.resources.helpers import create_resource
from tests.graph.tasks.factories import create_task, make_world


async def test_pool_reaches_every_project_and_assignments_round_trip(
    client: httpx.AsyncClient, settings: Settings, gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    rm = world.users[Role.RESOURCE_MANAGER]
    async with db.sessions() as session:
        workspace = await session.get_one(Workspace, world.project.workspace_id)
    other = await make_project(db, workspace, members={rm.id: Role.RESOURCE_MANAGER})
    here = SyncClient(client, settings, rm.id, world.project.id)
    there = SyncClient(client, settings, rm.id, other.id)
    await here.pull()
    await there.pull()

    person = await create_resource(gql, rm.id, workspace.id, "Ada", maxUnits=0.5,
                                   labels=["design"])  # fmt: skip
    task = await create_task(gql, world.pm, world.project, "Draw", duration=4)
    for puller in (here, there):
        await puller.pull()
        record = puller.local["resources"][person["id"]]
        assert (record["name"], record["max_units"], record["labels"]) == ("Ada", 0.5, ["design"])
        assert record["workspace_id"] == str(workspace.id)

    assignment_id = str(uuid.uuid4())
    record = {"id": assignment_id, "task_id": task["id"], "resource_id": person["id"]}
    pushed = await here.push(changes("assignments", created=[{**record, "units": 0.5}]))
    assert pushed.status_code == 200, pushed.text
    await here.pull()
    assert here.local["assignments"][assignment_id]["units"] == 0.5
    await there.pull()
    assert assignment_id not in there.local.get("assignments", {})  # another project's

    refused = await here.push(changes("resources", updated=[{"id": person["id"], "name": "Eve"}]))
    assert refused.status_code == 422, refused.text
    assert "the workspace's resource pool is changed over GraphQL" in refused.text

    # Deleting the resource tombstones it everywhere and its assignments with it.
    deleted = await gql(
        "mutation($id: ID!) { deleteResource(id: $id) { __typename } }",
        {"id": person["id"]},
        user=rm.id,
    )
    assert deleted["data"]["deleteResource"]["__typename"] == "ResourcePayload"
    pages = await here.pull()
    assert pages[-1]["changes"]["resources"]["deleted"] == [person["id"]]
    assert pages[-1]["changes"]["assignments"]["deleted"] == [assignment_id]
    assert person["id"] not in here.local["resources"]
    await there.pull()
    assert person["id"] not in there.local["resources"]
    async with db.sessions() as session:
        live = await session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.is_deleted.is_(False))
        )
    assert live == 0
