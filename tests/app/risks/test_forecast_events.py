"""Open risks as the engine's discrete risk events, and their effect on a forecast."""

from __future__ import annotations

import datetime as dt

import scheduler as engine
from app.risks.service import open_risk_events
from app.scheduling.network import load_project
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.risks.helpers import UPDATE_RISK, create_risk, link_risk
from tests.graph.tasks.factories import create_task, link, make_world


async def test_only_open_and_mitigating_risks_with_live_tasks_become_events(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)
    a = await create_task(gql, world.pm, world.project, "A")
    b = await create_task(gql, world.pm, world.project, "B")
    open_ = await create_risk(gql, world.pm, world.project, "open", probability=0.3, impactDays=2)
    mitigating = await create_risk(
        gql, world.pm, world.project, "mitigating", probability=0.1, impactDays=5,
        status="MITIGATING",
    )  # fmt: skip
    closed = await create_risk(
        gql, world.pm, world.project, "closed", probability=1, status="CLOSED"
    )
    unlinked = await create_risk(gql, world.pm, world.project, "nowhere", probability=1)
    deleted = await create_risk(gql, world.pm, world.project, "deleted", probability=1)
    for risk in (open_, closed, deleted):
        await link_risk(gql, world.pm, risk["id"], a["id"])
    await link_risk(gql, world.pm, open_["id"], b["id"])
    await link_risk(gql, world.pm, mitigating["id"], b["id"])
    await gql("mutation($id: ID!) { deleteRisk(id: $id) { __typename } }", {"id": deleted["id"]},
              user=world.pm)  # fmt: skip
    other = await make_world(db)
    elsewhere = await create_risk(gql, other.pm, other.project, "other project", probability=1)
    await link_risk(gql, other.pm, elsewhere["id"],
                    (await create_task(gql, other.pm, other.project, "X"))["id"])  # fmt: skip
    assert unlinked["taskIds"] == []

    async with db.sessions() as session:
        events = await open_risk_events(session, world.project.id)
    assert events == [
        engine.RiskEvent(id=open_["id"], probability=0.3, impact=2.0, task_ids=(a["id"], b["id"])),
        engine.RiskEvent(id=mitigating["id"], probability=0.1, impact=5.0, task_ids=(b["id"],)),
    ]
    # Deleting a linked task removes it from the event; closing the risk removes the event.
    await gql("mutation($id: ID!) { deleteTask(id: $id) { __typename } }", {"id": b["id"]},
              user=world.pm)  # fmt: skip
    await gql(UPDATE_RISK, {"id": open_["id"], "input": {"status": "CLOSED"}}, user=world.pm)
    async with db.sessions() as session:
        assert await open_risk_events(session, world.project.id) == []


async def test_a_certain_risk_shifts_the_forecast_by_its_impact(
    gql: GraphQLClient, db: AppState
) -> None:
    world = await make_world(db)  # project starts Monday 2026-01-05, Mon-Fri calendar
    a = await create_task(gql, world.pm, world.project, "A", duration=5)
    b = await create_task(gql, world.pm, world.project, "B", duration=5)
    side = await create_task(gql, world.pm, world.project, "Side", duration=2)
    await link(gql, world.pm, a["id"], b["id"])
    certain = await create_risk(gql, world.pm, world.project, "certain", probability=1,
                                impactDays=3)  # fmt: skip
    await link_risk(gql, world.pm, certain["id"], a["id"])
    never = await create_risk(gql, world.pm, world.project, "never", probability=0, impactDays=50)
    await link_risk(gql, world.pm, never["id"], b["id"])
    off_path = await create_risk(gql, world.pm, world.project, "slack", probability=1,
                                 impactDays=4)  # fmt: skip
    await link_risk(gql, world.pm, off_path["id"], side["id"])

    async with db.sessions() as session:
        loaded = await load_project(session, world.project.id)
        risks = await open_risk_events(session, world.project.id)
    base = engine.simulate(loaded.network, iterations=200, seed=7)
    with_risks = engine.simulate(loaded.network, iterations=200, seed=7, risks=risks)
    # Deterministic durations: A+B = 10 working days ends Fri 2026-01-16; the certain risk
    # adds 3 working days to A (-> Wed 2026-01-21); the impossible one adds nothing, and
    # the side task (2 + 4 days) stays off the critical path.
    assert set(base.percentiles.values()) == {dt.date(2026, 1, 16)}
    assert set(with_risks.percentiles.values()) == {dt.date(2026, 1, 21)}
