"""runForecast reads the risk register: open risks shift the forecast, closed ones do not."""

from __future__ import annotations

from typing import Any

from app.forecasts.dispatch import InProcessForecasts
from app.state import AppState
from tests.conftest import GraphQLClient
from tests.graph.risks.helpers import UPDATE_RISK, create_risk, link_risk
from tests.graph.tasks.factories import World, create_task, link, make_world

RUN = """mutation($p: ID!) { runForecast(projectId: $p, iterations: 200, seed: 5) {
  __typename ... on ForecastPayload { forecast { id } } } }"""
LATEST = """query($p: ID!) { latestForecast(projectId: $p) {
  id state p50 p80 p95 taskCount riskEventCount error } }"""


async def _forecast(gql: GraphQLClient, world: World, runner: InProcessForecasts) -> dict[str, Any]:
    run = await gql(RUN, {"p": str(world.project.id)}, user=world.pm)
    assert run["data"]["runForecast"]["__typename"] == "ForecastPayload", run
    await runner.wait_idle()
    body = await gql(LATEST, {"p": str(world.project.id)}, user=world.pm)
    latest: dict[str, Any] = body["data"]["latestForecast"]
    assert latest["id"] == run["data"]["runForecast"]["forecast"]["id"]
    assert (latest["state"], latest["error"]) == ("DONE", None)
    return latest


async def test_open_risks_shift_the_forecast_and_closed_ones_do_not(
    gql: GraphQLClient, db: AppState, runner: InProcessForecasts
) -> None:
    world = await make_world(db)  # starts Monday 2026-01-05, Mon-Fri, fixed durations
    a = await create_task(gql, world.pm, world.project, "A", duration=5)
    b = await create_task(gql, world.pm, world.project, "B", duration=5)
    side = await create_task(gql, world.pm, world.project, "Side", duration=2)
    await link(gql, world.pm, a["id"], b["id"])

    # Without risks: A then B, 10 working days, ends Friday 2026-01-16 in every iteration.
    plain = await _forecast(gql, world, runner)
    assert (plain["p50"], plain["p80"], plain["p95"]) == ("2026-01-16",) * 3
    assert (plain["taskCount"], plain["riskEventCount"]) == (3, 0)

    # A closed risk, certain and huge, on the critical task changes nothing.
    closed = await create_risk(gql, world.pm, world.project, "closed", probability=1,
                               impactDays=20, status="CLOSED")  # fmt: skip
    await link_risk(gql, world.pm, closed["id"], a["id"])
    with_closed = await _forecast(gql, world, runner)
    assert (with_closed["p50"], with_closed["p95"]) == ("2026-01-16", "2026-01-16")
    assert with_closed["riskEventCount"] == 0

    # An open risk with probability 1 on A adds its 3 working days: Wednesday 2026-01-21.
    # A certain risk on the side task (2 + 4 days) stays within its float.
    certain = await create_risk(gql, world.pm, world.project, "certain", probability=1,
                                impactDays=3)  # fmt: skip
    await link_risk(gql, world.pm, certain["id"], a["id"])
    off_path = await create_risk(gql, world.pm, world.project, "slack", probability=1,
                                 impactDays=4)  # fmt: skip
    await link_risk(gql, world.pm, off_path["id"], side["id"])
    risky = await _forecast(gql, world, runner)
    assert (risky["p50"], risky["p80"], risky["p95"]) == ("2026-01-21",) * 3
    assert risky["riskEventCount"] == 2

    # Closing the open risk puts the forecast back where it was.
    closing = {"id": certain["id"], "input": {"status": "CLOSED"}}
    assert (await gql(UPDATE_RISK, closing, user=world.pm))["data"]["updateRisk"][
        "__typename"
    ] == "RiskPayload"
    reopened = await _forecast(gql, world, runner)
    assert reopened["p50"] == "2026-01-16"
    assert reopened["riskEventCount"] == 1
