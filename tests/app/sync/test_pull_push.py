"""Pull and push over HTTP against real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from app.models import Dependency, ScheduleRequest, Task
from app.models.enums import Role
from app.settings import Settings
from app.state import AppState
from tests.app.sync.helpers import SyncClient, changes, task_record
from tests.factories import make_project, make_user, make_workspace


@pytest.fixture
async def world(db: AppState) -> dict[str, uuid.UUID]:
    owner = await make_user(db)
    member = await make_user(db)
    viewer = await make_user(db)
    outsider = await make_user(db)
    workspace = await make_workspace(db, owner)
    project = await make_project(
        db,
        workspace,
        members={
            owner.id: Role.PROJECT_MANAGER,
            member.id: Role.TEAM_MEMBER,
            viewer.id: Role.VIEWER,
        },
    )
    return {
        "owner": owner.id,
        "member": member.id,
        "viewer": viewer.id,
        "outsider": outsider.id,
        "project": project.id,
    }


def _client(
    http: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], who: str = "owner"
) -> SyncClient:
    return SyncClient(http, settings, world[who], world["project"])


async def _count(db: AppState, model: type) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_first_then_incremental_pull(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world)
    first = await phone.pull()
    assert len(first) == 1
    body = first[0]
    assert set(body["changes"]) == {
        "projects",
        "calendars",
        "sprints",
        "tasks",
        "dependencies",
        "baselines",
        "risks",
        "risk_tasks",
        "comments",
        "board_columns",
        "labels",
        "task_labels",
        "resources",
        "assignments",
    }
    assert [r["id"] for r in body["changes"]["projects"]["created"]] == [str(world["project"])]
    assert body["changes"]["tasks"] == {"created": [], "updated": [], "deleted": []}
    assert body["timestamp"] > 0

    laptop = _client(client, settings, world)
    await laptop.pull()
    a, b = uuid.uuid4(), uuid.uuid4()
    response = await laptop.push(
        changes("tasks", created=[task_record(a, "Design", duration=3), task_record(b, "Build")])
    )
    assert response.status_code == 200, response.text
    assert response.json()["applied"]["tasks"] == {"created": 2, "updated": 0, "deleted": 0}

    before = phone.last_pulled_at
    pages = await phone.pull()
    assert phone.last_pulled_at > before
    tasks = pages[0]["changes"]["tasks"]
    assert sorted(r["name"] for r in tasks["created"]) == ["Build", "Design"]
    design = phone.local["tasks"][str(a)]
    assert design["duration"] == 3
    assert design["parent_id"] is None
    # Computed CPM fields are part of the record (read-only).
    assert "early_start" in design
    assert "total_float" in design
    # Nothing new: an empty incremental pull keeps the cursor.
    again = await phone.pull()
    assert again[0]["changes"]["tasks"] == {"created": [], "updated": [], "deleted": []}
    assert again[0]["timestamp"] == phone.last_pulled_at


async def test_push_update_and_delete_reach_other_clients_as_tombstones(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world)
    await phone.pull()
    parent, child, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    link = uuid.uuid4()
    created = await phone.push(
        {
            # The child is listed first: the server creates parents first.
            **changes(
                "tasks",
                created=[
                    task_record(child, "Child", parent_id=str(parent)),
                    task_record(parent, "Parent"),
                    task_record(other, "Other"),
                ],
            ),
            **changes(
                "dependencies",
                created=[
                    {
                        "id": str(link),
                        "predecessor_id": str(child),
                        "successor_id": str(other),
                        "type": "FS",
                        "lag": 2,
                    }
                ],
            ),
        }
    )
    assert created.status_code == 200, created.text
    await phone.pull()
    assert phone.local["tasks"][str(child)]["parent_id"] == str(parent)
    assert phone.local["tasks"][str(parent)]["kind"] == "summary"
    assert phone.local["dependencies"][str(link)]["lag"] == 2

    watcher = _client(client, settings, world, "viewer")
    await watcher.pull()
    assert set(watcher.local["tasks"]) == {str(parent), str(child), str(other)}

    record = dict(phone.local["tasks"][str(other)], name="Other renamed", early_start="2030-01-01")
    updated = await phone.push(changes("tasks", updated=[record], deleted=[str(parent)]))
    assert updated.status_code == 200, updated.text
    async with db.sessions() as session:
        stored = await session.get(Task, other)
        assert stored is not None
        assert stored.name == "Other renamed"
        assert stored.early_start is None  # computed field ignored
        link_row = await session.get(Dependency, link)
        assert link_row is not None
        assert link_row.is_deleted  # the deleted subtree took its links along

    pages = await watcher.pull()
    tasks = pages[0]["changes"]["tasks"]
    assert sorted(tasks["deleted"]) == sorted([str(parent), str(child)])
    assert [r["name"] for r in tasks["updated"]] == ["Other renamed"]
    assert pages[0]["changes"]["dependencies"]["deleted"] == [str(link)]
    assert set(watcher.local["tasks"]) == {str(other)}
    # Pushes go through the services: rescheduling was requested in the same transactions.
    assert await _count(db, ScheduleRequest) >= 2


async def test_conflict_is_409_and_applies_nothing(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world)
    laptop = _client(client, settings, world)
    await phone.pull()
    a, b = uuid.uuid4(), uuid.uuid4()
    assert (
        await phone.push(changes("tasks", created=[task_record(a, "A"), task_record(b, "B")]))
    ).status_code == 200
    await phone.pull()
    await laptop.pull()
    # The laptop edits A and pushes first.
    edited = dict(laptop.local["tasks"][str(a)], name="A by laptop")
    assert (await laptop.push(changes("tasks", updated=[edited]))).status_code == 200
    # The phone, still at its old cursor, edits A and B and adds C: nothing may land.
    c = uuid.uuid4()
    response = await phone.push(
        changes(
            "tasks",
            created=[task_record(c, "C")],
            updated=[
                dict(phone.local["tasks"][str(a)], name="A by phone"),
                dict(phone.local["tasks"][str(b)], name="B by phone"),
            ],
        )
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/sync-conflict")
    assert problem["conflicts"] == [{"table": "tasks", "id": str(a), "reason": "changed"}]
    async with db.sessions() as session:
        names = {r[0]: r[1] for r in await session.execute(select(Task.id, Task.name))}
    assert names == {a: "A by laptop", b: "B"}
    # After pulling, the same edit goes through.
    await phone.pull()
    retry = await phone.push(
        changes("tasks", updated=[dict(phone.local["tasks"][str(b)], name="B by phone")])
    )
    assert retry.status_code == 200


async def test_idempotent_replay_returns_the_stored_response(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world, "member")
    await phone.pull()
    batch = changes("tasks", created=[task_record(uuid.uuid4(), "Once")])
    first = await phone.push(batch, batch="batch-1")
    assert first.status_code == 200
    replay = await phone.push(batch, batch="batch-1")
    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert await _count(db, Task) == 1
    # Another user's batch with the same id is independent.
    other = _client(client, settings, world, "owner")
    await other.pull()
    third = await other.push(
        changes("tasks", created=[task_record(uuid.uuid4(), "Twice")]), batch="batch-1"
    )
    assert third.status_code == 200
    assert await _count(db, Task) == 2


async def test_permissions_and_bad_requests(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    viewer = _client(client, settings, world, "viewer")
    assert (await viewer.get()).status_code == 200
    denied = await viewer.push(changes("tasks", created=[task_record(uuid.uuid4(), "No")]))
    assert denied.status_code == 403
    assert denied.json()["type"].endswith("/forbidden")

    outsider = _client(client, settings, world, "outsider")
    assert (await outsider.get()).status_code == 404
    assert (await outsider.push(changes("tasks"))).status_code == 404
    missing = SyncClient(client, settings, world["owner"], uuid.uuid4())
    assert (await missing.get()).status_code == 404

    anonymous = await client.get(f"/api/v1/projects/{world['project']}/sync/")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")

    owner = _client(client, settings, world)
    bad = await owner.push(
        {
            "widgets": {"created": [], "updated": [], "deleted": []},
            "tasks": {
                "created": [{"id": str(uuid.uuid4()), "name": "x", "colour": "red"}],
                "updated": [],
                "deleted": [],
            },
        }
    )
    assert bad.status_code == 400
    assert bad.json()["unknown_tables"] == ["widgets"]
    assert bad.json()["unknown_columns"] == {"tasks": ["colour"]}

    # A team member may not change schedule fields: 403 naming nothing applied.
    member = _client(client, settings, world, "member")
    await member.pull()
    refused = await member.push(
        changes("tasks", created=[task_record(uuid.uuid4(), "x", duration=5)])
    )
    assert refused.status_code == 403
    invalid = await owner.push(
        changes("tasks", created=[task_record(uuid.uuid4(), "x", duration=-1)])
    )
    assert invalid.status_code == 422
    assert invalid.json()["table"] == "tasks"
    assert await _count(db, Task) == 0

    assert (await owner.get(last_pulled_at="abc")).status_code == 400
    assert (await owner.get(schema_version=99)).status_code == 400
    assert (await owner.get(cursor="nonsense")).status_code == 400
    future = await owner.get(last_pulled_at=10**12)
    assert future.status_code == 410
    assert future.json()["type"].endswith("/resync-required")
    ahead = await owner.push(
        changes("tasks", created=[task_record(uuid.uuid4(), "x")]), last=10**12
    )
    assert ahead.status_code == 410


async def test_paged_pull_is_complete_and_keeps_its_upper_end(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    owner = _client(client, settings, world)
    await owner.pull()
    ids = [uuid.uuid4() for _ in range(7)]
    pushed = await owner.push(
        changes("tasks", created=[task_record(i, f"T{n}") for n, i in enumerate(ids)])
    )
    assert pushed.status_code == 200
    reader = _client(client, settings, world, "viewer")
    first = await reader.get(page_size=3)
    body = first.json()
    assert body["has_more"] is True
    upper = body["timestamp"]
    # A change made between pages is not mixed into this pull; the next pull carries it.
    late = uuid.uuid4()
    assert (
        await owner.push(changes("tasks", created=[task_record(late, "Late")]))
    ).status_code == 200
    reader.apply(body["changes"])
    pages = 1
    while body["has_more"]:
        body = (await reader.get(cursor=body["next_cursor"], page_size=3)).json()
        assert body["timestamp"] == upper
        reader.apply(body["changes"])
        pages += 1
    assert pages == 4  # project + 3 default columns + 7 tasks = 11 records
    assert set(reader.local["tasks"]) == {str(i) for i in ids}
    reader.last_pulled_at = upper
    await reader.pull()
    assert set(reader.local["tasks"]) == {str(i) for i in [*ids, late]}


async def test_sprints_and_planning_sync_through_the_sprint_services(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    member = _client(client, settings, world, "member")
    await member.pull()
    sprint, task = uuid.uuid4(), uuid.uuid4()
    sprint_record = {
        "id": str(sprint),
        "name": "Sprint 1",
        "start_date": "2026-02-02",
        "end_date": "2026-02-13",
        "state": "closed",  # computed: ignored
    }
    response = await member.push(
        {
            **changes("tasks", created=[task_record(task, "Card", sprint_id=str(sprint))]),
            **changes("sprints", created=[sprint_record]),
        }
    )
    assert response.status_code == 200, response.text
    await member.pull()
    assert member.local["sprints"][str(sprint)]["state"] == "planned"
    assert member.local["tasks"][str(task)]["sprint_id"] == str(sprint)
    # Back to the backlog through an update of the task record.
    card = dict(member.local["tasks"][str(task)], sprint_id=None)
    assert (await member.push(changes("tasks", updated=[card]))).status_code == 200
    await member.pull()
    assert member.local["tasks"][str(task)]["sprint_id"] is None
    bad = await member.push(
        changes(
            "sprints", created=[dict(sprint_record, id=str(uuid.uuid4()), end_date="2026-01-01")]
        )
    )
    assert bad.status_code == 422
    assert bad.json()["table"] == "sprints"


async def test_a_concurrent_duplicate_batch_gets_409(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world)
    await phone.pull()
    batch = changes("tasks", created=[task_record(uuid.uuid4(), "Once")])
    # Another request is applying batch "dup" right now (it holds the batch's lock).
    async with db.sessions() as other, other.begin():
        await other.execute(
            select(func.pg_advisory_xact_lock(func.hashtextextended(f"{world['owner']}:dup", 6)))
        )
        busy = await phone.push(batch, batch="dup")
        assert busy.status_code == 409
        assert busy.json()["type"].endswith("/batch-in-progress")
        assert await _count(db, Task) == 0
    # Once the first request is gone, the batch applies (and only once).
    assert (await phone.push(batch, batch="dup")).status_code == 200
    assert (await phone.push(batch, batch="dup")).headers["idempotent-replayed"] == "true"
    assert await _count(db, Task) == 1


async def test_parallel_pushes_of_one_batch_apply_it_once(
    client: httpx.AsyncClient, settings: Settings, world: dict[str, uuid.UUID], db: AppState
) -> None:
    phone = _client(client, settings, world)
    await phone.pull()
    batch = changes("tasks", created=[task_record(uuid.uuid4(), f"T{n}") for n in range(20)])
    responses = await asyncio.gather(*(phone.push(batch, batch="same") for _ in range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    assert await _count(db, Task) == 20
