"""Cross-project dependencies over GraphQL: the rules, the permissions, loops across projects,
and a change in one project rescheduling the projects downstream of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.models import Dependency
from app.models.enums import Role
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_project, make_user
from tests.graph.programs.factories import (
    make_program_world,
    put_in_program,
    runner,  # noqa: F401  (fixture)
    settle,
)
from tests.graph.tasks.factories import create_task, link
from tests.graph.workspaces.factories import join_workspace, make_program

DATES = """query($p: ID!) { tasks(projectId: $p) { nodes { name earlyStart earlyFinish
  totalFloat isCritical } } }"""
UPDATE = """mutation($id: ID!, $d: Int!) { updateTask(id: $id, input: {duration: $d}) {
  __typename } }"""
DELETE = """mutation($id: ID!) { deleteTask(id: $id) { __typename } }"""


async def _dates(gql: GraphQLClient, user: Any, project: Any) -> dict[str, dict[str, Any]]:
    body = await gql(DATES, {"p": str(project.id)}, user=user)
    return {n.pop("name"): n for n in body["data"]["tasks"]["nodes"]}


async def test_change_upstream_reschedules_downstream_project(
    gql: GraphQLClient,
    db: AppState,
    runner: InProcessRunner,  # noqa: F811
) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    design = await create_task(gql, owner, world.a, "Design", duration=5)
    build = await create_task(gql, owner, world.b, "Build", duration=3)
    test = await create_task(gql, owner, world.b, "Test", duration=2)
    fit = await create_task(gql, owner, world.b, "Fit-out", duration=1)
    assert (await link(gql, owner, build["id"], test["id"]))["__typename"] == "DependencyPayload"
    cross = await link(gql, owner, design["id"], build["id"])
    assert cross["__typename"] == "DependencyPayload", cross
    assert cross["dependency"]["predecessorId"] == design["id"]
    # SS with a 2-day lag reads the predecessor's start, not its finish.
    ss = await link(gql, owner, design["id"], fit["id"], type="SS", lag=2)
    assert ss["__typename"] == "DependencyPayload", ss
    await settle(runner, db)
    b = await _dates(gql, owner, world.b)
    # Design Mon 5 - Fri 9 Jan; Build Mon 12 - Wed 14; Test Thu 15 - Fri 16; Fit-out Wed 7.
    assert (b["Build"]["earlyStart"], b["Build"]["earlyFinish"]) == ("2026-01-12", "2026-01-14")
    assert (b["Test"]["earlyStart"], b["Test"]["earlyFinish"]) == ("2026-01-15", "2026-01-16")
    assert b["Fit-out"]["earlyStart"] == "2026-01-07"
    assert b["Build"]["isCritical"] is True

    # Only project A is edited; B follows after the jobs drain.
    body = await gql(UPDATE, {"id": design["id"], "d": 10}, user=owner)
    assert body["data"]["updateTask"]["__typename"] == "TaskPayload"
    await settle(runner, db)
    a = await _dates(gql, owner, world.a)
    assert a["Design"]["earlyFinish"] == "2026-01-16"
    b = await _dates(gql, owner, world.b)
    assert (b["Build"]["earlyStart"], b["Build"]["earlyFinish"]) == ("2026-01-19", "2026-01-21")
    assert b["Test"]["earlyFinish"] == "2026-01-23"
    assert b["Fit-out"]["earlyStart"] == "2026-01-07"  # its predecessor's start did not move

    # Deleting the predecessor tombstones the link and frees B from it.
    body = await gql(DELETE, {"id": design["id"]}, user=owner)
    assert body["data"]["deleteTask"]["__typename"] == "DeleteTaskPayload", body
    await settle(runner, db)
    b = await _dates(gql, owner, world.b)
    assert (b["Build"]["earlyStart"], b["Test"]["earlyFinish"]) == ("2026-01-05", "2026-01-09")


LINK_PROJECTS = """query($p: ID!, $id: ID!, $t: ID!) {
  dependencies(projectId: $p) { nodes { id projectId predecessorProjectId } }
  dependency(id: $id) { projectId predecessorProjectId }
  task(id: $t) { predecessors { id projectId predecessorProjectId } }
}"""


async def test_a_link_names_the_predecessor_project_only_across_projects(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    design = await create_task(gql, owner, world.a, "Design")
    build = await create_task(gql, owner, world.b, "Build")
    test = await create_task(gql, owner, world.b, "Test")
    cross = (await link(gql, owner, design["id"], build["id"]))["dependency"]
    inside = (await link(gql, owner, build["id"], test["id"]))["dependency"]
    a, b = str(world.a.id), str(world.b.id)
    assert (cross["projectId"], cross["predecessorProjectId"]) == (b, a)
    assert (inside["projectId"], inside["predecessorProjectId"]) == (b, None)
    body = await gql(LINK_PROJECTS, {"p": b, "id": cross["id"], "t": build["id"]}, user=owner)
    assert "errors" not in body, body
    data = body["data"]
    listed = {
        n["id"]: (n["projectId"], n["predecessorProjectId"]) for n in data["dependencies"]["nodes"]
    }
    assert listed == {cross["id"]: (b, a), inside["id"]: (b, None)}
    assert data["dependency"] == {"projectId": b, "predecessorProjectId": a}
    assert data["task"]["predecessors"] == [
        {"id": cross["id"], "projectId": b, "predecessorProjectId": a}
    ]


async def test_link_outside_one_program_is_refused(gql: GraphQLClient, db: AppState) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    loose = await make_project(db, world.workspace, members={owner: Role.PROJECT_ADMIN})
    other_program = await make_program(db, world.workspace)
    elsewhere = await make_project(db, world.workspace, members={owner: Role.PROJECT_ADMIN})
    await put_in_program(db, other_program, elsewhere)
    in_a = await create_task(gql, owner, world.a, "In A")
    for project in (loose, elsewhere):
        outside = await create_task(gql, owner, project, "Outside")
        for pred, succ in ((in_a, outside), (outside, in_a)):
            result = await link(gql, owner, pred["id"], succ["id"])
            assert result["__typename"] == "ValidationError", result
            assert result["fields"] == [
                {
                    "path": ["input", "predecessorId"],
                    "message": "tasks of different projects can be linked only when both "
                    "projects belong to the same program",
                }
            ]
    async with db.sessions() as session:
        assert (await session.execute(select(Dependency.id))).all() == []


async def test_cross_project_link_permissions(gql: GraphQLClient, db: AppState) -> None:
    """Project Manager on the successor's project, any role on the predecessor's."""
    world = await make_program_world(db)
    owner = world.owner.id
    pred = await create_task(gql, owner, world.a, "Pred")
    succ = await create_task(gql, owner, world.b, "Succ")
    back = await create_task(gql, owner, world.a, "Back")
    cases = {
        # (role on A, role on B) -> result of pred(A) -> succ(B)
        (Role.VIEWER, Role.PROJECT_MANAGER): "DependencyPayload",
        (None, Role.PROJECT_ADMIN): "NotFound",  # A is invisible
        (Role.PROJECT_ADMIN, Role.TEAM_MEMBER): "Forbidden",
        (Role.PROJECT_ADMIN, Role.VIEWER): "Forbidden",
        (Role.PROJECT_ADMIN, None): "NotFound",
    }
    for (on_a, on_b), expected in cases.items():
        user = await make_user(db)
        await join_workspace(db, world.workspace, user)
        async with db.sessions() as session, session.begin():
            from app.models import ProjectMember

            for project, role in ((world.a, on_a), (world.b, on_b)):
                if role is not None:
                    session.add(ProjectMember(project_id=project.id, user_id=user.id, role=role))
        result = await link(gql, user.id, pred["id"], succ["id"])
        assert result["__typename"] == expected, (on_a, on_b, result)
        if expected == "DependencyPayload":
            # The reverse direction needs Project Manager on A: this viewer is refused.
            reverse = await link(gql, user.id, succ["id"], back["id"])
            assert reverse["__typename"] == "Forbidden"
            await gql(
                "mutation($id: ID!) { deleteDependency(id: $id) { __typename } }",
                {"id": result["dependency"]["id"]},
                user=owner,
            )


async def test_program_role_grants_cross_project_linking(gql: GraphQLClient, db: AppState) -> None:
    pm = await make_user(db)
    world = await make_program_world(db, members={pm.id: Role.PROJECT_MANAGER})
    await join_workspace(db, world.workspace, pm)
    pred = await create_task(gql, world.owner.id, world.a, "Pred")
    succ = await create_task(gql, world.owner.id, world.b, "Succ")
    assert (await link(gql, pm.id, pred["id"], succ["id"]))["__typename"] == "DependencyPayload"


async def test_loops_across_projects_are_refused_with_their_ids(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    a1, a2 = [await create_task(gql, owner, world.a, n) for n in ("a1", "a2")]
    b1, b2 = [await create_task(gql, owner, world.b, n) for n in ("b1", "b2")]
    for pred, succ in ((a1, b1), (b2, a2), (b1, b2)):
        assert (await link(gql, owner, pred["id"], succ["id"]))["__typename"] == (
            "DependencyPayload"
        )
    # A link inside A that closes a1 -> b1 -> b2 -> a2 -> a1 through project B.
    inside = await link(gql, owner, a2["id"], a1["id"])
    assert inside["__typename"] == "DependencyCycle", inside
    assert inside["taskIds"] == [a2["id"], a1["id"], b1["id"], b2["id"]]
    # A cross-project link closing the loop the other way round.
    across = await link(gql, owner, b2["id"], a1["id"])
    assert across["__typename"] == "DependencyCycle"
    assert across["taskIds"] == [b2["id"], a1["id"], b1["id"]]
    duplicate = await link(gql, owner, a1["id"], b1["id"])
    assert duplicate["__typename"] == "Conflict"
    # A shortcut along the existing direction is no loop.
    assert (await link(gql, owner, a1["id"], b2["id"]))["__typename"] == "DependencyPayload"


async def test_loop_through_a_summary_is_refused(gql: GraphQLClient, db: AppState) -> None:
    """A link out of a summary leaves from each task below it: X -> child -> ... -> X."""
    world = await make_program_world(db)
    owner = world.owner.id
    phase = await create_task(gql, owner, world.a, "Phase")
    child = await create_task(gql, owner, world.a, "Child", parentId=phase["id"])
    x = await create_task(gql, owner, world.b, "X")
    assert (await link(gql, owner, phase["id"], x["id"]))["__typename"] == "DependencyPayload"
    loop = await link(gql, owner, x["id"], child["id"])
    assert loop["__typename"] == "DependencyCycle", loop
    assert loop["taskIds"] == [x["id"], child["id"], phase["id"]]


async def test_trashing_the_upstream_project_reschedules_downstream(
    gql: GraphQLClient,
    db: AppState,
    runner: InProcessRunner,  # noqa: F811
) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    design = await create_task(gql, owner, world.a, "Design", duration=5)
    build = await create_task(gql, owner, world.b, "Build", duration=3)
    assert (await link(gql, owner, design["id"], build["id"]))["__typename"] == (
        "DependencyPayload"
    )
    await settle(runner, db)
    assert (await _dates(gql, owner, world.b))["Build"]["earlyStart"] == "2026-01-12"
    project = "mutation($p: ID!) { %s(id: $p) { __typename } }"
    body = await gql(project % "deleteProject", {"p": str(world.a.id)}, user=owner)
    assert body["data"]["deleteProject"]["__typename"] == "ProjectPayload", body
    await settle(runner, db)
    assert (await _dates(gql, owner, world.b))["Build"]["earlyStart"] == "2026-01-05"
    body = await gql(project % "restoreProject", {"p": str(world.a.id)}, user=owner)
    assert body["data"]["restoreProject"]["__typename"] == "ProjectPayload", body
    await settle(runner, db)
    assert (await _dates(gql, owner, world.b))["Build"]["earlyStart"] == "2026-01-12"
