"""`Project.schedulingRules`: which date rules the engine applies, over GraphQL and the sync.

A lead of two days on an SS link from the first task: under TruePPM's rules the successor
waits for the project start (Monday 2026-01-05); under Microsoft Project's it starts two
working days earlier, Thursday 2026-01-01, and switching the rules reschedules the project.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from sqlalchemy import select

from app.models import Dependency, Project, ScheduleRequest, Task
from app.models.enums import Role
from app.scheduling.outbox import request_schedule
from app.scheduling.recompute import recompute
from app.settings import Settings
from app.state import AppState, unit_of_work
from tests.app.scheduling.factories import START, add_tasks
from tests.app.sync.helpers import SyncClient, changes
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user, make_workspace

CREATE = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename ... on ProjectPayload { project { id schedulingRules } } } }"""
UPDATE = """
mutation($id: ID!, $input: UpdateProjectInput!) {
  updateProject(id: $id, input: $input) {
    __typename
    ... on ProjectPayload { project { schedulingRules serverVersion } }
    ... on ValidationError { fields { path message } }
  }
}"""


async def _lead_project(db: AppState) -> tuple[uuid.UUID, uuid.UUID, dict[str, uuid.UUID]]:
    owner = await make_user(db)
    project = await make_project(
        db, await make_workspace(db, owner), members={owner.id: Role.PROJECT_MANAGER}
    )
    ids = await add_tasks(db, project, {"A": ("task", 3), "B": ("task", 2)})
    async with unit_of_work(db.sessions) as uow:
        uow.session.add(
            Dependency(
                project_id=project.id,
                predecessor_id=ids["A"],
                successor_id=ids["B"],
                type="SS",
                lag=-2,
            )
        )
        await request_schedule(uow.session, project.id, "test")
    return owner.id, project.id, ids


async def _dates(db: AppState, task_id: uuid.UUID) -> tuple[dt.date | None, dt.date | None]:
    async with db.sessions() as session:
        task = (await session.execute(select(Task).where(Task.id == task_id))).scalar_one()
        return task.early_start, task.early_finish


async def _pending(db: AppState, project_id: uuid.UUID) -> int:
    async with db.sessions() as session:
        rows = await session.execute(
            select(ScheduleRequest.id).where(
                ScheduleRequest.project_id == project_id, ScheduleRequest.done_at.is_(None)
            )
        )
        return len(rows.all())


async def test_new_projects_use_trueppm_rules_and_may_choose_projects(
    gql: GraphQLClient, db: AppState
) -> None:
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    made = {}
    for rules in (None, "MS_PROJECT"):
        extra = {} if rules is None else {"schedulingRules": rules}
        body = await gql(
            CREATE,
            {"input": {"workspaceId": str(workspace.id), "name": "P", "startDate": "2026-01-05"}
             | extra},
            user=owner.id,
        )  # fmt: skip
        made[rules] = body["data"]["createProject"]["project"]
    assert made[None]["schedulingRules"] == "TRUEPPM"
    assert made["MS_PROJECT"]["schedulingRules"] == "MS_PROJECT"
    async with db.sessions() as session:
        stored = await session.scalar(
            select(Project.scheduling_rules).where(
                Project.id == uuid.UUID(made["MS_PROJECT"]["id"])
            )
        )
    assert stored == "ms_project"


async def test_switching_the_rules_reschedules_with_them(gql: GraphQLClient, db: AppState) -> None:
    owner, project_id, ids = await _lead_project(db)
    assert (await recompute(db.sessions, project_id)).state == "succeeded"
    assert await _dates(db, ids["B"]) == (START, dt.date(2026, 1, 6))

    body = await gql(
        UPDATE, {"id": str(project_id), "input": {"schedulingRules": "MS_PROJECT"}}, user=owner
    )
    assert body["data"]["updateProject"]["project"] == {
        "schedulingRules": "MS_PROJECT",
        "serverVersion": 2,
    }
    assert await _pending(db, project_id) == 1
    assert (await recompute(db.sessions, project_id)).state == "succeeded"
    assert await _dates(db, ids["B"]) == (dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert await _dates(db, ids["A"]) == (START, dt.date(2026, 1, 7))

    refused = await gql(
        UPDATE, {"id": str(project_id), "input": {"schedulingRules": None}}, user=owner
    )
    assert refused["data"]["updateProject"]["fields"] == [
        {"path": ["input", "schedulingRules"], "message": "must not be null"}
    ]


async def test_sync_carries_the_rules_and_refuses_unknown_ones(
    client: httpx.AsyncClient, settings: Settings, db: AppState
) -> None:
    owner, project_id, _ = await _lead_project(db)
    phone = SyncClient(client, settings, owner, project_id)
    assert (await recompute(db.sessions, project_id)).state == "succeeded"
    await phone.pull()
    record = phone.local["projects"][str(project_id)]
    assert record["scheduling_rules"] == "trueppm"
    bad = await phone.push(changes("projects", updated=[dict(record, scheduling_rules="p6")]))
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"] == [
        {"path": ["input", "schedulingRules"], "message": "must be one of trueppm, ms_project"}
    ]
    good = await phone.push(
        changes("projects", updated=[dict(record, scheduling_rules="ms_project")])
    )
    assert good.status_code == 200, good.text
    async with db.sessions() as session:
        stored = await session.scalar(
            select(Project.scheduling_rules).where(Project.id == project_id)
        )
    assert stored == "ms_project"
    assert await _pending(db, project_id) == 1
