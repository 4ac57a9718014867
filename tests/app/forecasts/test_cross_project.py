"""A forecast of a project with a predecessor in another project: the pinned stand-in of that
predecessor drives the dates but is not one of the project's tasks in the results."""

from __future__ import annotations

import datetime as dt
import uuid

from app.forecasts.run import execute_forecast
from app.models import ForecastRun
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.app.forecasts.factories import queue_run, set_estimates
from tests.conftest import GraphQLClient
from tests.graph.programs.factories import (
    make_program_world,
    runner,  # noqa: F401  (fixture)
    settle,
)
from tests.graph.tasks.factories import create_task, link


async def test_stand_ins_of_other_projects_stay_out_of_the_results(
    gql: GraphQLClient,
    db: AppState,
    runner: InProcessRunner,  # noqa: F811
) -> None:
    world = await make_program_world(db)
    owner = world.owner.id
    design = await create_task(gql, owner, world.a, "Design", duration=5)
    build = await create_task(gql, owner, world.b, "Build", duration=3)
    test = await create_task(gql, owner, world.b, "Test", duration=2)
    assert (await link(gql, owner, build["id"], test["id"]))["__typename"] == "DependencyPayload"
    assert (await link(gql, owner, design["id"], build["id"]))["__typename"] == "DependencyPayload"
    await settle(runner, db)  # Design (project A) finishes Fri 9 Jan; B's stand-in is pinned
    await set_estimates(db, uuid.UUID(build["id"]), 2, 3, 6)

    run_id = await queue_run(db, world.b.id, iterations=400, seed=9)
    outcome = await execute_forecast(db.sessions, db.events, run_id)
    assert outcome.state == "done"
    async with db.sessions() as session:
        run = await session.get(ForecastRun, run_id)
    assert run is not None
    # Build starts Mon 12 Jan after the external predecessor; without variation the project
    # ends Fri 16 Jan (Build 3 days, Test 2).
    assert run.deterministic_finish == dt.date(2026, 1, 16)
    assert run.task_count == 2
    assert set(run.criticality) == {build["id"], test["id"]}
    assert run.criticality[build["id"]] == 1.0
    assert [t for t, _ in run.sensitivity] == [build["id"]]
