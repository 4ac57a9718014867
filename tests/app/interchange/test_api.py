"""Imports and exports over GraphQL (multipart request spec) and REST, with the events they
publish; the background work is done by the real in-process runner."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from app.auth.tokens import issue_access_token
from app.events import EventType
from app.models import Assignment, Resource, Task
from app.models.enums import Role
from app.scheduling.announce import announce
from app.scheduling.runner import InProcessRunner
from app.settings import Settings
from app.state import AppState
from tests.app.interchange.helpers import import_row, live_tasks
from tests.conftest import GraphQLClient
from tests.factories import make_user, make_workspace
from tests.graph.tasks.factories import make_world
from tests.scheduler.oracles._data import require

IMPORT = """mutation($p: ID!, $f: Upload!) { importPlan(projectId: $p, file: $f) { __typename
  ... on ImportPlanPayload { duplicate import { id state fileName fileFormat sha256 } }
  ... on ImportRefused { code message }
  ... on Forbidden { message }
  ... on NotFound { message } } }"""
IMPORT_NEW = """mutation($w: ID!, $f: Upload!) {
  importPlanAsNewProject(workspaceId: $w, file: $f) { __typename
  ... on ImportPlanPayload { import { id projectId state } } } }"""
STATUS = """query($id: ID!) { planImport(id: $id) { state stage attempts error { code message }
  report { reader projectName schedulingRules
    counts { tasks summaries milestones dependencies calendars baselines baselineTasks
             resources assignments }
    skipped { kind count }
  warnings { subject ref message taskId } } } }"""
LIST = """query($p: ID!) { planImports(projectId: $p) { totalCount nodes { id state } } }"""
EXPORT = """query($p: ID!) { exportPlan(projectId: $p) { fileName contentType xml } }"""
PROJECT = """query($p: ID!) { project(id: $p) { name startDate } }"""


def _runner(db: AppState) -> InProcessRunner:
    return InProcessRunner(
        db.sessions, sweep_every=0.2, on_outcome=lambda o: announce(o, db.events), bus=db.events
    )


async def _upload(
    client: httpx.AsyncClient,
    token: str,
    query: str,
    variables: dict[str, Any],
    name: str,
    data: bytes,
) -> dict[str, Any]:
    """One operation with one file, as the GraphQL multipart request spec sends it."""
    operations = json.dumps({"query": query, "variables": {**variables, "f": None}})
    response = await client.post(
        "/graphql",
        headers={"Authorization": f"Bearer {token}"},
        data={"operations": operations, "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (name, data, "application/xml")},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _until_ended(db: AppState, import_id: uuid.UUID) -> str:
    for _ in range(300):
        row = await import_row(db, import_id)
        if row.ended_at is not None:
            return row.state
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not end")


async def test_graphql_upload_runs_in_the_background_and_reports(
    db: AppState, client: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    world = await make_world(db)
    token = issue_access_token(settings, world.pm)
    data = (require("mspdi") / "legacy-sample.xml").read_bytes()
    runner = _runner(db)
    async with db.events.subscribe(world.project.id) as stream:
        runner.start()
        try:
            result = await _upload(
                client, token, IMPORT, {"p": str(world.project.id)}, "legacy-sample.xml", data
            )
            payload = result["importPlan"]
            assert payload["__typename"] == "ImportPlanPayload", payload
            assert payload["duplicate"] is False
            assert payload["import"]["fileFormat"] == "mspdi"
            assert payload["import"]["fileName"] == "legacy-sample.xml"
            import_id = uuid.UUID(payload["import"]["id"])
            assert await _until_ended(db, import_id) == "DONE"
            seen = []
            while not {EventType.IMPORT_COMPLETE, EventType.CPM_COMPLETE} <= set(seen):
                event = await asyncio.wait_for(stream.next(), timeout=15)
                seen.append(event.type)
        finally:
            await runner.stop()
    assert seen.index(EventType.IMPORT_PROGRESS) < seen.index(EventType.IMPORT_COMPLETE)
    body = await gql(STATUS, {"id": str(import_id)}, user=world.users[Role.VIEWER].id)
    status = body["data"]["planImport"]
    assert (status["state"], status["stage"], status["attempts"]) == ("DONE", "done", 1)
    report = status["report"]
    assert (report["reader"], report["schedulingRules"]) == ("mspdi", "MS_PROJECT")
    assert report["counts"] == {
        "tasks": 19, "summaries": 3, "milestones": 1, "dependencies": 6, "calendars": 2,
        "baselines": 0, "baselineTasks": 0, "resources": 2, "assignments": 2,
    }  # fmt: skip
    # Resources join the workspace's pool; only their calendars are left (Monday-Friday).
    assert {s["kind"]: s["count"] for s in report["skipped"]} == {"resource_calendars": 2}
    async with db.sessions() as session:
        pool = (
            await session.execute(
                select(Resource.name, Resource.initials, Resource.standard_rate,
                       Resource.overtime_rate, Resource.cost_per_use)
                .where(Resource.workspace_id == world.project.workspace_id)
                .order_by(Resource.name)
            )
        ).all()  # fmt: skip
        assigned = (
            await session.execute(
                select(Resource.name, Assignment.units, Assignment.work, Task.duration)
                .join(Resource, Resource.id == Assignment.resource_id)
                .join(Task, Task.id == Assignment.task_id)
                .where(Assignment.project_id == world.project.id)
                .order_by(Resource.name)
            )
        ).all()
    assert [tuple(r) for r in pool] == [
        ("First Resource", "FR", Decimal("10.00"), Decimal("20.00"), Decimal("30.00")),
        ("Second Resource", "SR", Decimal("5.00"), Decimal("10.00"), Decimal("15.00")),
    ]
    # The file's work (200 h at 50 %, 300 h at 75 % of a 100-day task) is not duration x
    # units x 8 h (400 h, 600 h), so it is kept as given rather than following the duration.
    assert [tuple(a) for a in assigned] == [
        ("First Resource", 0.5, 200.0, 100),
        ("Second Resource", 0.75, 300.0, 100),
    ]
    tasks = await live_tasks(db, world.project.id)
    assert all(t.early_start is not None for t in tasks)
    listed = await gql(LIST, {"p": str(world.project.id)}, user=world.pm)
    assert listed["data"]["planImports"]["totalCount"] == 1
    # The same bytes again are recognised; nothing new is queued.
    again = await _upload(client, token, IMPORT, {"p": str(world.project.id)}, "copy.xml", data)
    assert again["importPlan"]["duplicate"] is True
    assert again["importPlan"]["import"]["id"] == str(import_id)
    # A non-member does not see the import.
    stranger = await make_user(db)
    hidden = await gql(STATUS, {"id": str(import_id)}, user=stranger.id)
    assert hidden["data"]["planImport"] is None


async def test_graphql_refusals_are_typed(
    db: AppState, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await make_world(db)
    member = issue_access_token(settings, world.users[Role.TEAM_MEMBER].id)
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    forbidden = await _upload(client, member, IMPORT, {"p": str(world.project.id)}, "a.xml", data)
    assert forbidden["importPlan"]["__typename"] == "Forbidden"
    pm = issue_access_token(settings, world.pm)
    missing = await _upload(client, pm, IMPORT, {"p": str(uuid.uuid4())}, "a.xml", data)
    assert missing["importPlan"]["__typename"] == "NotFound"


async def test_graphql_import_as_a_new_project_takes_the_files_dates(
    db: AppState, client: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    token = issue_access_token(settings, owner.id)
    data = (require("mspdi") / "task-links-project2010-mspdi.xml").read_bytes()
    runner = _runner(db)
    runner.start()
    try:
        result = await _upload(
            client, token, IMPORT_NEW, {"w": str(workspace.id)}, "Links 2010.xml", data
        )
        payload = result["importPlanAsNewProject"]
        assert payload["__typename"] == "ImportPlanPayload", payload
        assert await _until_ended(db, uuid.UUID(payload["import"]["id"])) == "DONE"
    finally:
        await runner.stop()
    project = await gql(PROJECT, {"p": payload["import"]["projectId"]}, user=owner.id)
    assert project["data"]["project"]["name"] == "Links 2010"
    assert project["data"]["project"]["startDate"] == "2014-10-17"  # the file's StartDate


async def test_rest_upload_status_and_export(
    db: AppState, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await make_world(db)
    headers = {"Authorization": f"Bearer {issue_access_token(settings, world.pm)}"}
    base = f"/api/v1/projects/{world.project.id}"
    data = (require("mspdi") / "mspdirelations.xml").read_bytes()
    wrong_type = await client.post(f"{base}/imports", headers=headers, content=data)
    assert wrong_type.status_code == 415
    assert wrong_type.headers["content-type"] == "application/problem+json"
    no_file = await client.post(f"{base}/imports", headers=headers, files={"other": ("x", b"1")})
    assert no_file.status_code == 400
    runner = _runner(db)
    runner.start()
    try:
        response = await client.post(
            f"{base}/imports", headers=headers, files={"file": ("rel.xml", data, "text/xml")}
        )
        assert response.status_code == 202, response.text
        created = response.json()
        assert response.headers["location"] == f"{base}/imports/{created['id']}"
        assert created["state"] == "PENDING"
        assert created["duplicate"] is False
        assert await _until_ended(db, uuid.UUID(created["id"])) == "DONE"
    finally:
        await runner.stop()
    status = await client.get(response.headers["location"], headers=headers)
    assert status.status_code == 200
    body = status.json()
    assert body["state"] == "DONE"
    assert body["report"]["counts"]["tasks"] == 5
    assert len(body["report"]["task_ids"]) == 5
    other_project = await client.get(
        f"/api/v1/projects/{uuid.uuid4()}/imports/{created['id']}", headers=headers
    )
    assert other_project.status_code == 404
    again = await client.post(
        f"{base}/imports", headers=headers, files={"file": ("rel.xml", data, "text/xml")}
    )
    assert (again.status_code, again.json()["id"], again.json()["duplicate"]) == (
        200,
        created["id"],
        True,
    )
    export = await client.get(f"{base}/export.xml", headers=headers)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/xml")
    assert export.headers["content-disposition"] == 'attachment; filename="Project.xml"'
    assert export.text.count("<PredecessorLink>") == 4
    assert "<Name>Project</Name>" in export.text
    unauthenticated = await client.get(f"{base}/export.xml")
    assert unauthenticated.status_code == 401


async def test_rest_refuses_an_oversized_upload_from_its_content_length(
    db: AppState, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await make_world(db)
    headers = {"Authorization": f"Bearer {issue_access_token(settings, world.pm)}"}
    huge = b"<Project>" + b" " * (settings.import_max_bytes + 100_000) + b"</Project>"
    response = await client.post(
        f"/api/v1/projects/{world.project.id}/imports",
        headers=headers,
        files={"file": ("huge.xml", huge, "text/xml")},
    )
    assert response.status_code == 413
    assert response.json()["limit"] == settings.import_max_bytes
    assert await live_tasks(db, world.project.id) == []
