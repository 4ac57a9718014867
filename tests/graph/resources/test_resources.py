"""The resource pool, assignments, usage and leveling over GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from app.models import Assignment, Task
from app.models.enums import Role
from app.scheduling.recompute import recompute
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user
from tests.graph.resources.helpers import (
    CLEAR,
    LEVEL,
    OVER,
    TASK_DATES,
    USAGE,
    assign,
    create_resource,
    scope,
)
from tests.graph.tasks.factories import World, create_task, link, make_world

RM = Role.RESOURCE_MANAGER


async def _count_assignments(db: AppState) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Assignment)) or 0)


async def test_create_read_update_and_delete_a_resource(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    ws = world.project.workspace_id
    made = await create_resource(
        gql,
        world.users[RM].id,
        ws,
        "  Ada  ",
        maxUnits=0.5,
        availability=[{"start": "2026-03-02", "units": 1.0}, {"start": "2026-02-02", "units": 0.8}],
        daysOff=[{"start": "2026-01-12"}],
        standardRate="80.00",
        labels=["design", " design ", "rust"],
    )
    assert made["name"] == "Ada"
    assert made["kind"] == "WORK"
    assert made["maxUnits"] == 0.5
    # Stored sorted by date; a one-day range ends on its start; labels trimmed and deduplicated.
    assert made["availability"] == [
        {"start": "2026-02-02", "units": 0.8},
        {"start": "2026-03-02", "units": 1.0},
    ]
    assert made["daysOff"] == [{"start": "2026-01-12", "end": "2026-01-12"}]
    assert (made["standardRate"], made["labels"]) == ("80.00", ["design", "rust"])

    listed = await gql(
        "query($w: ID!) { resources(workspaceId: $w) { totalCount nodes { name } } }",
        {"w": str(ws)},
        user=world.users[Role.TEAM_MEMBER].id,
    )
    assert listed["data"]["resources"] == {"totalCount": 1, "nodes": [{"name": "Ada"}]}
    stranger = await make_user(db)
    hidden = await gql(
        "query($w: ID!, $id: ID!) { resources(workspaceId: $w) { totalCount } resource(id: $id) "
        "{ name } }",
        {"w": str(ws), "id": made["id"]},
        user=stranger.id,
    )
    assert hidden["data"] == {"resources": {"totalCount": 0}, "resource": None}

    update = """
    mutation($id: ID!, $v: Int) {
      updateResource(id: $id, input: {maxUnits: 2, name: "Ada L."}, serverVersion: $v) {
        __typename ... on ResourcePayload { resource { name maxUnits serverVersion } }
        ... on Forbidden { message } ... on Conflict { currentVersion }
      }
    }"""
    denied = await gql(update, {"id": made["id"], "v": 1}, user=world.users[Role.TEAM_MEMBER].id)
    assert denied["data"]["updateResource"] == {
        "__typename": "Forbidden",
        "message": "changing the resource pool needs the Resource Manager role",
    }
    done = await gql(update, {"id": made["id"], "v": 1}, user=world.users[RM].id)
    assert done["data"]["updateResource"]["resource"] == {
        "name": "Ada L.",
        "maxUnits": 2.0,
        "serverVersion": 2,
    }
    stale = await gql(update, {"id": made["id"], "v": 1}, user=world.users[RM].id)
    assert stale["data"]["updateResource"] == {"__typename": "Conflict", "currentVersion": 2}


async def test_bad_resource_fields_are_refused_together(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    body = await gql(
        """mutation($w: ID!) { createResource(input: {workspaceId: $w, name: " ", maxUnits: -1,
             availability: [{start: "2026-02-02", units: 1}, {start: "2026-02-02", units: 2}],
             daysOff: [{start: "2026-02-10", end: "2026-02-01"}]}) {
           __typename ... on ValidationError { fields { path message } } } }""",
        {"w": str(world.project.workspace_id)},
        user=world.users[RM].id,
    )
    result = body["data"]["createResource"]
    assert result["__typename"] == "ValidationError"
    assert {(".".join(f["path"]), f["message"]) for f in result["fields"]} == {
        ("input.name", "must not be empty"),
        ("input.maxUnits", "must be between 0 and 100000"),
        ("input.availability.1", "two changes on 2026-02-02"),
        ("input.daysOff.0", "ends before it starts"),
    }


async def _plan(gql: GraphQLClient, world: World) -> dict[str, str]:
    """A (3 days) and B (2 days) start on Monday 5 January 2026; C (1 day) follows B."""
    pm = world.pm
    tasks = {
        name: (await create_task(gql, pm, world.project, name, duration=days))["id"]
        for name, days in (("A", 3), ("B", 2), ("C", 1), ("M", 0))
    }
    await link(gql, pm, tasks["B"], tasks["C"])
    return tasks


async def test_assignment_rules_give_typed_errors_and_write_nothing(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    tasks = await _plan(gql, world)
    rm = world.users[RM].id
    await gql(
        "mutation($id: ID!) { updateTask(id: $id, input: {kind: MILESTONE}) { __typename } }",
        {"id": tasks["M"]},
        user=world.pm,
    )
    person = await create_resource(gql, rm, world.project.workspace_id, "Ada")
    gone = await create_resource(gql, rm, world.project.workspace_id, "Bob")
    deleted = await gql(
        "mutation($id: ID!) { deleteResource(id: $id) { __typename } }", {"id": gone["id"]}, user=rm
    )
    assert deleted["data"]["deleteResource"]["__typename"] == "ResourcePayload"

    negative = await assign(gql, rm, tasks["A"], person["id"], units=-0.5)
    assert negative["__typename"] == "ValidationError"
    assert negative["fields"] == [{"path": ["input", "units"], "message": "must be greater than 0"}]
    milestone = await assign(gql, rm, tasks["M"], person["id"])
    assert milestone["fields"] == [
        {"path": ["taskId"], "message": "a milestone takes no work (units on it)"}
    ]
    to_deleted = await assign(gql, rm, tasks["A"], gone["id"])
    assert to_deleted["fields"] == [{"path": ["resourceId"], "message": "the resource was deleted"}]
    denied = await assign(gql, world.users[Role.TEAM_MEMBER].id, tasks["A"], person["id"])
    assert denied == {
        "__typename": "Forbidden",
        "message": "assigning resources needs the Resource Manager role",
    }
    assert await _count_assignments(db) == 0

    ok = await assign(gql, rm, tasks["A"], person["id"], units=0.5)
    assert ok["assignment"]["units"] == 0.5
    assert (ok["assignment"]["work"], ok["assignment"]["workIsGiven"]) == (12.0, False)
    twice = await assign(gql, rm, tasks["A"], person["id"])
    assert twice["__typename"] == "Conflict"
    assert twice["message"] == "this resource is already assigned to that task"
    assert await _count_assignments(db) == 1
    # Deleting the task tombstones its assignment (offline clients drop it too).
    gone_task = await gql(
        "mutation($id: ID!) { deleteTask(id: $id) { __typename } }", {"id": tasks["A"]},
        user=world.pm,
    )  # fmt: skip
    assert gone_task["data"]["deleteTask"]["__typename"] == "DeleteTaskPayload"
    async with db.sessions() as session:
        flags = list((await session.execute(select(Assignment.is_deleted))).scalars())
    assert flags == [True]


async def _two_on_one(gql: GraphQLClient, db: AppState, world: World) -> dict[str, Any]:
    tasks = await _plan(gql, world)
    rm = world.users[RM].id
    person = await create_resource(gql, rm, world.project.workspace_id, "Ada")
    for name in ("A", "B"):
        assert (await assign(gql, rm, tasks[name], person["id"]))["__typename"] == (
            "AssignmentPayload"
        )
    await recompute(db.sessions, world.project.id, force=True)
    return {"tasks": tasks, "resource": person["id"], "scope": scope("PROJECT", world.project.id)}


async def test_usage_overallocation_preview_apply_and_clear(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    plan = await _two_on_one(gql, db, world)
    tasks, rid, where = plan["tasks"], plan["resource"], plan["scope"]
    viewer = world.users[Role.TEAM_MEMBER].id
    week = {"scope": where, "from": "2026-01-05", "to": "2026-01-11", "period": "WEEK"}
    used = await gql(USAGE, week, user=viewer)
    (row,) = used["data"]["resourceUsage"]["resources"]
    # A asks Mon-Wed and B Mon-Tue: 5 unit-days against 5 available, but Monday and
    # Tuesday ask for 2 units of one person.
    assert row == {
        "resourceId": rid,
        "periods": [
            {
                "start": "2026-01-05",
                "end": "2026-01-11",
                "allocated": 5.0,
                "available": 5.0,
                "peak": 2.0,
                "overallocated": True,
                "taskIds": sorted([tasks["A"], tasks["B"]]),
            }
        ],
    }
    days = await gql(USAGE, {**week, "period": "DAY"}, user=viewer)
    periods = days["data"]["resourceUsage"]["resources"][0]["periods"]
    assert [(p["start"], p["allocated"], p["available"]) for p in periods] == [
        ("2026-01-05", 2.0, 1.0),
        ("2026-01-06", 2.0, 1.0),
        ("2026-01-07", 1.0, 1.0),
        ("2026-01-08", 0.0, 1.0),
        ("2026-01-09", 0.0, 1.0),
        ("2026-01-10", 0.0, 0.0),
        ("2026-01-11", 0.0, 0.0),
    ]
    over = await gql(OVER, {"scope": where, "from": "2026-01-01", "to": "2026-01-31"}, user=viewer)
    assert over["data"]["overallocations"]["overallocations"] == [
        {
            "resourceId": rid,
            "first": "2026-01-05",
            "last": "2026-01-06",
            "taskIds": sorted([tasks["A"], tasks["B"]]),
            "used": 2.0,
            "available": 1.0,
        }
    ]

    preview = await gql(LEVEL, {"scope": where, "apply": False}, user=viewer)
    result = preview["data"]["levelResources"]
    assert result["applied"] is False
    # B goes first (C follows it); A waits until B is done: Wednesday to Friday.
    assert result["tasks"] == [
        {
            "taskId": tasks["A"],
            "delay": 2,
            "startBefore": "2026-01-05",
            "startAfter": "2026-01-07",
            "finishAfter": "2026-01-09",
        }
    ]
    assert result["projects"] == [
        {"projectId": str(world.project.id), "finishBefore": "2026-01-07",
         "finishAfter": "2026-01-09"}
    ]  # fmt: skip
    assert result["overallocations"] == []
    # CP-SAT (trueppm[cpsat]) agrees, and says the plan cannot end sooner.
    options = {"solver": "CPSAT", "seconds": 2}
    exact = await gql(LEVEL, {"scope": where, "apply": False, "options": options}, user=viewer)
    assert exact["data"]["levelResources"]["tasks"] == result["tasks"]
    assert exact["data"]["levelResources"]["stoppedBy"] == "optimal"
    untouched = await gql(TASK_DATES, {"id": tasks["A"]}, user=viewer)
    assert untouched["data"]["task"]["leveledStart"] is None  # a preview writes nothing

    denied = await gql(LEVEL, {"scope": where, "apply": True}, user=viewer)
    assert denied["data"]["levelResources"]["__typename"] == "Forbidden"
    applied = await gql(LEVEL, {"scope": where, "apply": True}, user=world.users[RM].id)
    assert applied["data"]["levelResources"]["applied"] is True
    assert (await recompute(db.sessions, world.project.id)).state == "succeeded"
    a = (await gql(TASK_DATES, {"id": tasks["A"]}, user=viewer))["data"]["task"]
    assert (a["earlyStart"], a["earlyFinish"], a["leveledStart"], a["levelingDelay"]) == (
        "2026-01-07",
        "2026-01-09",
        "2026-01-07",
        2,
    )
    assert a["assignments"] == [{"resourceId": rid, "units": 1.0, "work": 24.0}]
    after = await gql(OVER, {"scope": where, "from": "2026-01-01", "to": "2026-01-31"}, user=viewer)
    assert after["data"]["overallocations"]["overallocations"] == []

    cleared = await gql(CLEAR, {"scope": where}, user=world.users[RM].id)
    assert cleared["data"]["clearLeveling"]["projectIds"] == [str(world.project.id)]
    assert (await recompute(db.sessions, world.project.id)).state == "succeeded"
    a = (await gql(TASK_DATES, {"id": tasks["A"]}, user=viewer))["data"]["task"]
    assert (a["earlyStart"], a["leveledStart"], a["levelingDelay"]) == ("2026-01-05", None, 0)


async def test_a_project_that_levels_automatically_is_leveled_on_recompute(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    plan = await _two_on_one(gql, db, world)
    body = await gql(
        """mutation($id: ID!) { updateProject(id: $id, input: {levelAutomatically: true}) {
             __typename ... on ProjectPayload { project { levelAutomatically } } } }""",
        {"id": str(world.project.id)},
        user=world.pm,
    )
    assert body["data"]["updateProject"]["project"] == {"levelAutomatically": True}
    assert (await recompute(db.sessions, world.project.id)).state == "succeeded"
    a = (await gql(TASK_DATES, {"id": plan["tasks"]["A"]}, user=world.pm))["data"]["task"]
    assert (a["earlyStart"], a["leveledStart"], a["levelingDelay"]) == (
        "2026-01-07",
        "2026-01-07",
        2,
    )
    # Halving A's units leaves room for both: the next recompute levels again, from scratch.
    a_assignment = await gql(
        "query($r: ID!) { resourceAssignments(resourceId: $r) { id taskId } }",
        {"r": plan["resource"]},
        user=world.pm,
    )
    (a_id,) = [x["id"] for x in a_assignment["data"]["resourceAssignments"]
               if x["taskId"] == plan["tasks"]["A"]]  # fmt: skip
    for task in ("A", "B"):
        target = (
            a_id
            if task == "A"
            else next(
                x["id"]
                for x in a_assignment["data"]["resourceAssignments"]
                if x["taskId"] == plan["tasks"]["B"]
            )
        )
        changed = await gql(
            """mutation($id: ID!) { updateAssignment(id: $id, input: {units: 0.5}) {
                 __typename } }""",
            {"id": target},
            user=world.users[RM].id,
        )
        assert changed["data"]["updateAssignment"]["__typename"] == "AssignmentPayload"
    assert (await recompute(db.sessions, world.project.id)).state == "succeeded"
    a = (await gql(TASK_DATES, {"id": plan["tasks"]["A"]}, user=world.pm))["data"]["task"]
    assert (a["earlyStart"], a["leveledStart"], a["levelingDelay"]) == ("2026-01-05", None, 0)


async def test_workspace_scope_levels_two_projects_sharing_one_person(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    members = {u.id: role for role, u in world.users.items()}
    async with db.sessions() as session:
        from app.models import Workspace

        workspace = await session.get_one(Workspace, world.project.workspace_id)
    other = await make_project(db, workspace, members=members)
    pm, rm = world.pm, world.users[RM].id
    first = (await create_task(gql, pm, world.project, "First", duration=3))["id"]
    second = (await create_task(gql, pm, other, "Second", duration=2, priority=800))["id"]
    person = await create_resource(gql, rm, workspace.id, "Ada")
    await assign(gql, rm, first, person["id"])
    await assign(gql, rm, second, person["id"])
    where = scope("WORKSPACE", workspace.id)
    over = await gql(OVER, {"scope": where, "from": "2026-01-01", "to": "2026-01-31"}, user=pm)
    assert over["data"]["overallocations"]["overallocations"][0]["taskIds"] == sorted(
        [first, second]
    )
    # Each project alone has no clash; together the person is asked twice. The higher
    # priority task (Second, 800) goes first.
    alone = await gql(LEVEL, {"scope": scope("PROJECT", world.project.id), "apply": False},
                      user=pm)  # fmt: skip
    assert alone["data"]["levelResources"]["tasks"] == []
    together = await gql(LEVEL, {"scope": where, "apply": True}, user=rm)
    moved = together["data"]["levelResources"]["tasks"]
    assert [(t["taskId"], t["delay"], t["startAfter"]) for t in moved] == [(first, 2, "2026-01-07")]
    for project in (world.project.id, other.id):
        assert (await recompute(db.sessions, project)).state == "succeeded"
    async with db.sessions() as session:
        starts = dict(
            (await session.execute(select(Task.name, Task.early_start).where(
                Task.id.in_([uuid.UUID(first), uuid.UUID(second)])))).all()
        )  # fmt: skip
    assert {k: v.isoformat() for k, v in starts.items()} == {
        "First": "2026-01-07",
        "Second": "2026-01-05",
    }

    # Someone who cannot see one of the projects cannot level (or read) the workspace.
    outsider = await make_user(db)
    async with db.sessions() as session, session.begin():
        from app.models import ProjectMember

        session.add(ProjectMember(project_id=other.id, user_id=outsider.id, role=int(RM)))
    refused = await gql(LEVEL, {"scope": where, "apply": False}, user=outsider.id)
    assert refused["data"]["levelResources"] == {
        "__typename": "Forbidden",
        "message": "this workspace has projects you cannot see; ask for a role on each of them",
    }
    stranger = await make_user(db)
    unseen = await gql(LEVEL, {"scope": where, "apply": False}, user=stranger.id)
    assert unseen["data"]["levelResources"] == {
        "__typename": "NotFound",
        "message": "workspace not found",
    }


async def test_usage_range_is_checked(gql: GraphQLClient, db: AppState) -> None:
    world = await make_world(db)
    where = scope("PROJECT", world.project.id)
    body = await gql(
        USAGE,
        {"scope": where, "from": "2026-02-01", "to": "2026-01-01", "period": "DAY"},
        user=world.pm,
    )
    assert body["data"]["resourceUsage"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["to"], "message": "must not be before from"}],
    }


async def test_cpsat_without_or_tools_is_a_field_error(
    gql: GraphQLClient, db: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without the optional solver says so, naming the field; nothing runs."""
    import app.resources.leveling as leveling

    world = await make_world(db)
    monkeypatch.setattr(leveling.engine, "exact_solver_available", lambda: False)
    options = {"solver": "CPSAT"}
    where = scope("PROJECT", world.project.id)
    body = await gql(LEVEL, {"scope": where, "apply": False, "options": options},
                     user=world.users[RM].id)  # fmt: skip
    got = body["data"]["levelResources"]
    assert got["__typename"] == "ValidationError"
    assert got["fields"] == [
        {
            "path": ["options", "solver"],
            "message": "CP-SAT is not installed on this server (pip install 'trueppm[cpsat]')",
        }
    ]
