"""`programSchedule`: per-project finish, program finish, the critical path across projects."""

from __future__ import annotations

from sqlalchemy import update

from app.models import Project
from app.models.enums import Role
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.programs.factories import (
    make_program_world,
    runner,  # noqa: F401  (fixture)
    settle,
)
from tests.graph.tasks.factories import create_task, link
from tests.graph.workspaces.factories import join_workspace

QUERY = """query($p: ID!) { programSchedule(programId: $p) { programId finish crossProjectLinks
  projects { projectId name startDate finish taskCount schedulePending }
  criticalPath { taskId projectId name earlyStart earlyFinish } } }"""


async def test_program_schedule_rolls_up_projects(
    gql: GraphQLClient,
    db: AppState,
    runner: InProcessRunner,  # noqa: F811
) -> None:
    viewer, member, outsider = [await make_user(db) for _ in range(3)]
    world = await make_program_world(db, members={viewer.id: Role.VIEWER})
    await join_workspace(db, world.workspace, viewer)
    await join_workspace(db, world.workspace, member)
    async with db.sessions() as session, session.begin():
        for project, name in ((world.a, "Civil works"), (world.b, "Fit-out")):
            await session.execute(update(Project).where(Project.id == project.id).values(name=name))
    owner = world.owner.id
    phase = await create_task(gql, owner, world.a, "Phase")
    design = await create_task(gql, owner, world.a, "Design", duration=5, parentId=phase["id"])
    await create_task(gql, owner, world.a, "Survey", duration=2, parentId=phase["id"])
    pour = await create_task(gql, owner, world.a, "Pour", duration=3)
    fit = await create_task(gql, owner, world.b, "Fit", duration=2)
    paint = await create_task(gql, owner, world.b, "Paint", duration=4)
    await create_task(gql, owner, world.b, "Admin", duration=1)
    for pred, succ in ((design, pour), (phase, fit), (fit, paint)):
        assert (await link(gql, owner, pred["id"], succ["id"]))["__typename"] == (
            "DependencyPayload"
        )
    await settle(runner, db)

    body = await gql(QUERY, {"p": str(world.program.id)}, user=viewer.id)
    data = body["data"]["programSchedule"]
    # A: Design 5-9 Jan, Pour 12-14 Jan. B: Fit 12-13 Jan after the Phase, Paint 14-19 Jan.
    assert data["finish"] == "2026-01-19"
    assert data["crossProjectLinks"] == 1
    assert data["projects"] == [
        {
            "projectId": str(world.a.id),
            "name": "Civil works",
            "startDate": "2026-01-05",
            "finish": "2026-01-14",
            "taskCount": 4,
            "schedulePending": False,
        },
        {
            "projectId": str(world.b.id),
            "name": "Fit-out",
            "startDate": "2026-01-05",
            "finish": "2026-01-19",
            "taskCount": 3,
            "schedulePending": False,
        },
    ]
    # Through the link from the summary: its driving leaf, then project B's chain.
    assert [(s["name"], s["projectId"]) for s in data["criticalPath"]] == [
        ("Design", str(world.a.id)),
        ("Fit", str(world.b.id)),
        ("Paint", str(world.b.id)),
    ]
    assert data["criticalPath"][0]["taskId"] == design["id"]
    assert (data["criticalPath"][-1]["earlyStart"], data["criticalPath"][-1]["earlyFinish"]) == (
        "2026-01-14",
        "2026-01-19",
    )
    # Owners see it too; a workspace member without a program role and an outsider do not.
    assert (await gql(QUERY, {"p": str(world.program.id)}, user=owner))["data"]["programSchedule"][
        "finish"
    ] == "2026-01-19"
    for user in (member, outsider):
        body = await gql(QUERY, {"p": str(world.program.id)}, user=user.id)
        assert body["data"]["programSchedule"] is None
    assert (await gql(QUERY, {"p": "not-an-id"}, user=owner))["data"]["programSchedule"] is None
