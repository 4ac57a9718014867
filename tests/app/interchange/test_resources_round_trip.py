"""Resources and assignments through MSPDI: a project's resources and assignments exported,
imported into a project of another workspace, come back the same."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.interchange.export import load_export, render_mspdi
from app.models import Assignment, Resource, Task
from app.models.enums import Role
from app.state import AppState
from tests.app.interchange.helpers import run_import
from tests.conftest import GraphQLClient
from tests.graph.resources.helpers import assign, create_resource
from tests.graph.tasks.factories import create_task, make_world


async def _pool(db: AppState, project_id: object) -> tuple[list[tuple], list[tuple]]:
    async with db.sessions() as session:
        resources = (
            await session.execute(
                select(Resource.name, Resource.kind, Resource.initials, Resource.material_label,
                       Resource.max_units, Resource.availability, Resource.standard_rate,
                       Resource.overtime_rate, Resource.cost_per_use, Resource.labels)
                .join(Assignment, Assignment.resource_id == Resource.id)
                .where(Assignment.project_id == project_id, Assignment.is_deleted.is_(False))
                .distinct()
                .order_by(Resource.name)
            )
        ).all()  # fmt: skip
        assignments = (
            await session.execute(
                select(Task.name, Resource.name, Assignment.units, Assignment.work,
                       Assignment.cost)
                .join(Task, Task.id == Assignment.task_id)
                .join(Resource, Resource.id == Assignment.resource_id)
                .where(Assignment.project_id == project_id)
                .order_by(Task.name, Resource.name)
            )
        ).all()  # fmt: skip
    return [tuple(r) for r in resources], [tuple(a) for a in assignments]


async def test_resources_and_assignments_survive_export_and_import(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    rm = world.users[Role.RESOURCE_MANAGER].id
    ws = world.project.workspace_id
    design = await create_task(gql, world.pm, world.project, "Design", duration=4)
    build = await create_task(gql, world.pm, world.project, "Build", duration=10)
    ada = await create_resource(
        gql, rm, ws, "Ada", initials="AL", maxUnits=0.5, standardRate="85.50",
        overtimeRate="120", costPerUse="25", labels=["design", "lead"],
        availability=[{"start": "2026-02-02", "units": 1.0}, {"start": "2026-03-02", "units": 0.2}],
    )  # fmt: skip
    crew = await create_resource(gql, rm, ws, "Crew", maxUnits=3)
    steel = await create_resource(gql, rm, ws, "Steel", kind="MATERIAL", materialLabel="t")
    fees = await create_resource(gql, rm, ws, "Permit", kind="COST")
    for task, resource, fields in (
        (design, ada, {"units": 0.5}),
        (build, crew, {"units": 2.5, "work": 150.0}),
        (build, steel, {"units": 4}),
        (build, fees, {"cost": "1200.00"}),
    ):
        result = await assign(gql, rm, task["id"], resource["id"], **fields)
        assert result["__typename"] == "AssignmentPayload", result
    before = await _pool(db, world.project.id)

    async with db.sessions() as session:
        data = await load_export(session, world.pm, world.project.id)
    document = "".join(render_mspdi(data)).encode()
    target = await make_world(db)  # another workspace: its pool starts empty
    outcome = await run_import(db, target.pm, target.project.id, "plan.xml", document)
    assert outcome.state == "DONE", outcome
    assert outcome.report is not None
    assert outcome.report["counts"]["resources"] == 4
    assert outcome.report["counts"]["assignments"] == 4
    after = await _pool(db, target.project.id)
    assert after == before
    assert before[0][0] == (
        "Ada", "work", "AL", "", 0.5,
        [{"start": "2026-02-02", "units": 1.0}, {"start": "2026-03-02", "units": 0.2}],
        Decimal("85.50"), Decimal("120.00"), Decimal("25.00"), ["design", "lead"],
    )  # fmt: skip
    # Work that follows the duration stays derived; given work and a cost come back as given.
    assert before[1] == [
        ("Build", "Crew", 2.5, 150.0, None),
        ("Build", "Permit", 1.0, None, Decimal("1200.00")),
        ("Build", "Steel", 4.0, None, None),
        ("Design", "Ada", 0.5, None, None),
    ]
