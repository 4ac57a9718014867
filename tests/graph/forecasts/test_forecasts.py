"""runForecast and the forecast queries over GraphQL: permissions, validation, end to end."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from app.forecasts.dispatch import InProcessForecasts
from app.forecasts.snapshots import capture_snapshot
from app.models import Project, ProjectForecastSnapshot, ProjectMember, User
from app.models.enums import Role
from app.state import AppState, unit_of_work
from tests.app.forecasts.factories import chain_project
from tests.conftest import GraphQLClient
from tests.factories import make_user

RUN = """mutation($p: ID!, $n: Int!, $s: Int, $pc: [Float!]) {
  runForecast(projectId: $p, iterations: $n, seed: $s, percentiles: $pc) {
    __typename
    ... on ForecastPayload { forecast { id state iterations seed } }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
  } }"""
LATEST = """query($p: ID!) { latestForecast(projectId: $p) { id state p50 p80 p95 seed
  percentiles { percentile finish } histogram { start count } cdf { date probability }
  criticality { taskId index } sensitivity { taskId rho } meanDays stdDays error } }"""
RUNS = """query($p: ID!, $after: String) { forecastRuns(projectId: $p, first: 2, after: $after) {
  totalCount nodes { id seed } pageInfo { hasNextPage endCursor } } }"""
SNAPSHOTS = """query($p: ID!, $from: Date, $to: Date) {
  forecastSnapshots(projectId: $p, from: $from, to: $to) {
    totalCount nodes { kind cpmFinish totalFloat taskCount completedCount criticalCount } } }"""


async def _member(state: AppState, project: Project, role: Role) -> User:
    user = await make_user(state)
    async with unit_of_work(state.sessions) as uow:
        uow.session.add(ProjectMember(project_id=project.id, user_id=user.id, role=int(role)))
    return user


async def test_run_forecast_end_to_end(
    gql: GraphQLClient, db: AppState, runner: InProcessForecasts
) -> None:
    project, ids = await chain_project(db, {"A": 2, "B": 4})
    member = await _member(db, project, Role.TEAM_MEMBER)
    variables: dict[str, Any] = {"p": str(project.id), "n": 500, "s": 3, "pc": [10, 50]}
    body = await gql(RUN, variables, user=member.id)
    result = body["data"]["runForecast"]
    assert result["__typename"] == "ForecastPayload"
    assert result["forecast"]["state"] == "QUEUED"
    assert (result["forecast"]["iterations"], result["forecast"]["seed"]) == (500, 3)
    await runner.wait_idle()
    latest = (await gql(LATEST, {"p": str(project.id)}, user=member.id))["data"]["latestForecast"]
    assert latest["id"] == result["forecast"]["id"]
    assert latest["state"] == "DONE"
    assert latest["error"] is None
    assert latest["p50"] == latest["p80"] == latest["p95"] == "2026-01-12"
    assert [p["percentile"] for p in latest["percentiles"]] == [10.0, 50.0, 80.0, 95.0]
    assert latest["histogram"] == [{"start": "2026-01-12", "count": 500}]
    assert latest["cdf"] == [{"date": "2026-01-12", "probability": 1.0}]
    assert sorted(c["taskId"] for c in latest["criticality"]) == sorted(
        str(i) for i in ids.values()
    )
    assert (latest["meanDays"], latest["stdDays"]) == (6.0, 0.0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "NotFound"),
        (Role.VIEWER, "Forbidden"),
        (Role.TEAM_MEMBER, "ForecastPayload"),
        (Role.RESOURCE_MANAGER, "ForecastPayload"),
        (Role.PROJECT_MANAGER, "ForecastPayload"),
        (Role.PROJECT_ADMIN, "ForecastPayload"),
    ],
)
async def test_run_forecast_permissions(
    gql: GraphQLClient, db: AppState, role: Role | None, expected: str
) -> None:
    project, _ = await chain_project(db, {"A": 2})
    user = await _member(db, project, role) if role else await make_user(db)
    body = await gql(RUN, {"p": str(project.id), "n": 200}, user=user.id)
    assert body["data"]["runForecast"]["__typename"] == expected


@pytest.mark.parametrize(
    ("role", "visible"),
    [(None, False), (Role.VIEWER, True), (Role.TEAM_MEMBER, True)],
)
async def test_forecast_queries_need_a_role(
    gql: GraphQLClient, db: AppState, runner: InProcessForecasts, role: Role | None, visible: bool
) -> None:
    project, _ = await chain_project(db, {"A": 2})
    admin = await _member(db, project, Role.PROJECT_ADMIN)
    run = await gql(RUN, {"p": str(project.id), "n": 200}, user=admin.id)
    run_id = run["data"]["runForecast"]["forecast"]["id"]
    await runner.wait_idle()
    async with unit_of_work(db.sessions) as uow:
        await capture_snapshot(uow.session, project.id, "floor")
    user = await _member(db, project, role) if role else await make_user(db)
    p = {"p": str(project.id)}
    latest = (await gql(LATEST, p, user=user.id))["data"]["latestForecast"]
    one = await gql("query($id: ID!) { forecastRun(id: $id) { id } }", {"id": run_id}, user=user.id)
    runs = (await gql(RUNS, p, user=user.id))["data"]["forecastRuns"]
    snaps = (await gql(SNAPSHOTS, p, user=user.id))["data"]["forecastSnapshots"]
    if visible:
        assert latest["id"] == run_id
        assert one["data"]["forecastRun"]["id"] == run_id
        assert runs["totalCount"] == 1
        assert snaps["totalCount"] == 1
    else:
        assert latest is None
        assert one["data"]["forecastRun"] is None
        assert runs["totalCount"] == 0
        assert snaps["totalCount"] == 0


@pytest.mark.parametrize(
    ("variables", "path"),
    [
        ({"n": 99}, ["iterations"]),
        ({"n": 100_001}, ["iterations"]),
        ({"n": 500, "s": -1}, ["seed"]),
        ({"n": 500, "pc": [50, 100]}, ["percentiles", "1"]),
    ],
)
async def test_run_forecast_validation(
    gql: GraphQLClient, db: AppState, variables: dict[str, Any], path: list[str]
) -> None:
    project, _ = await chain_project(db, {"A": 2})
    user = await _member(db, project, Role.PROJECT_MANAGER)
    body = await gql(RUN, {"p": str(project.id), **variables}, user=user.id)
    result = body["data"]["runForecast"]
    assert result["__typename"] == "ValidationError"
    assert [f["path"] for f in result["fields"]] == [path]


async def test_empty_project_and_a_second_run_are_refused(gql: GraphQLClient, db: AppState) -> None:
    project, _ = await chain_project(db, {})
    user = await _member(db, project, Role.PROJECT_MANAGER)
    empty = (await gql(RUN, {"p": str(project.id), "n": 200}, user=user.id))["data"]
    assert empty["runForecast"]["fields"] == [
        {"path": ["projectId"], "message": "the project has no tasks to simulate"}
    ]
    busy, _ = await chain_project(db, {"A": 1})
    owner = await _member(db, busy, Role.PROJECT_MANAGER)
    first = await gql(RUN, {"p": str(busy.id), "n": 200}, user=owner.id)
    assert first["data"]["runForecast"]["forecast"]["state"] == "QUEUED"  # no runner: stays
    second = await gql(RUN, {"p": str(busy.id), "n": 200}, user=owner.id)
    assert second["data"]["runForecast"]["__typename"] == "Conflict"


async def test_past_runs_page_newest_first(
    gql: GraphQLClient, db: AppState, runner: InProcessForecasts
) -> None:
    project, _ = await chain_project(db, {"A": 2})
    user = await _member(db, project, Role.TEAM_MEMBER)
    for seed in (1, 2, 3):
        await gql(RUN, {"p": str(project.id), "n": 100, "s": seed}, user=user.id)
        await runner.wait_idle()
    page = (await gql(RUNS, {"p": str(project.id)}, user=user.id))["data"]["forecastRuns"]
    assert [n["seed"] for n in page["nodes"]] == [3, 2]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = await gql(RUNS, {"p": str(project.id), "after": after}, user=user.id)
    assert [n["seed"] for n in rest["data"]["forecastRuns"]["nodes"]] == [1]


async def test_snapshots_over_a_date_range(gql: GraphQLClient, db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 2, "B": 3})
    user = await _member(db, project, Role.VIEWER)
    async with unit_of_work(db.sessions) as uow:
        for day in (1, 2, 3):
            snap = await capture_snapshot(uow.session, project.id, "floor")
            snap.captured_at = dt.datetime(2026, 2, day, 23, 59, tzinfo=dt.UTC)
    query = {"p": str(project.id), "from": "2026-02-02", "to": "2026-02-03"}
    snaps = (await gql(SNAPSHOTS, query, user=user.id))["data"]["forecastSnapshots"]
    assert snaps["totalCount"] == 2
    assert snaps["nodes"][0] == {
        "kind": "FLOOR",
        "cpmFinish": None,  # never recomputed
        "totalFloat": None,
        "taskCount": 2,
        "completedCount": 0,
        "criticalCount": 0,
    }
    backwards = await gql(SNAPSHOTS, {**query, "from": "2026-02-04"}, user=user.id)
    assert backwards["errors"][0]["message"] == "`from` must not be after `to`"
    async with db.sessions() as session:
        assert await session.get(ProjectForecastSnapshot, uuid.uuid4()) is None
