"""Running forecasts in-process against real PostgreSQL: results, events, failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select

from app.events.bus import EventBus
from app.events.types import BoardEvent, EventType
from app.forecasts.run import execute_forecast
from app.models import Dependency, ForecastRun
from app.state import AppState, unit_of_work
from tests.app.forecasts.factories import chain_project, queue_run, set_estimates


async def _events(bus: EventBus, project_id: uuid.UUID, count: int) -> list[BoardEvent]:
    """The first `count` events of the project (replayed from the buffer)."""
    out = []
    async with bus.subscribe(project_id, since=0) as stream:
        for _ in range(count):
            out.append(await asyncio.wait_for(stream.next(), timeout=5))
    return out


async def _run_row(state: AppState, run_id: uuid.UUID) -> ForecastRun:
    async with state.sessions() as session:
        run = await session.get(ForecastRun, run_id)
        assert run is not None
        return run


async def test_deterministic_project_forecasts_its_cpm_finish(db: AppState) -> None:
    # A 2-day then 4-day chain from Monday 5 Jan 2026 finishes on Monday 12 Jan.
    project, ids = await chain_project(db, {"A": 2, "B": 4})
    run_id = await queue_run(db, project.id, iterations=300, seed=11)
    outcome = await execute_forecast(db.sessions, db.events, run_id)
    finish = dt.date(2026, 1, 12)
    assert outcome.state == "done"
    assert outcome.percentiles == {"P50": finish, "P80": finish, "P95": finish}
    run = await _run_row(db, run_id)
    assert (run.state, run.p50, run.p80, run.p95) == ("done", finish, finish, finish)
    assert run.percentiles == {"50": "2026-01-12", "80": "2026-01-12", "95": "2026-01-12"}
    assert run.deterministic_finish == finish
    assert (run.mean_days, run.std_days) == (6.0, 0.0)
    assert run.histogram == [["2026-01-12", 300]]
    assert run.cdf == [["2026-01-12", 1.0]]
    assert run.criticality == {str(ids["A"]): 1.0, str(ids["B"]): 1.0}
    assert run.sensitivity == []  # nothing varies
    assert run.task_count == 2
    assert run.risk_event_count == 0
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.duration_ms is not None
    assert run.duration_ms >= 0
    events = await _events(db.events, project.id, 2)
    progress, complete = events
    assert progress.type == EventType.FORECAST_PROGRESS
    assert progress.payload == {"forecastRunId": str(run_id), "completed": 300, "total": 300}
    assert complete.type == EventType.FORECAST_COMPLETE
    assert complete.payload["percentiles"] == {
        "P50": "2026-01-12",
        "P80": "2026-01-12",
        "P95": "2026-01-12",
    }
    assert complete.payload["forecastRunId"] == str(run_id)
    assert complete.payload["seed"] == 11
    assert complete.payload["iterations"] == 300
    assert complete.seq == progress.seq + 1


async def test_uncertain_durations_are_reproducible_from_the_seed(db: AppState) -> None:
    project, ids = await chain_project(db, {"A": 5, "B": 5, "C": 3})
    await set_estimates(db, ids["A"], 3, 5, 12)
    await set_estimates(db, ids["B"], 4, 5, 6)
    first = await queue_run(db, project.id, iterations=2000, seed=42)
    await execute_forecast(db.sessions, db.events, first)
    second = await queue_run(db, project.id, iterations=2000, seed=42)
    await execute_forecast(db.sessions, db.events, second)
    one, two = await _run_row(db, first), await _run_row(db, second)
    assert one.state == two.state == "done"
    assert (one.percentiles, one.histogram, one.sensitivity) == (
        two.percentiles,
        two.histogram,
        two.sensitivity,
    )
    assert one.p50 is not None
    assert one.p95 is not None
    assert one.p50 <= one.p80 <= one.p95  # type: ignore[operator]
    assert one.p95 > dt.date(2026, 1, 23)  # beyond the deterministic finish (13 days)
    assert sum(n for _, n in one.histogram or []) == 2000
    assert (one.cdf or [])[-1][1] == 1.0
    # A has the widest spread, so it drives the finish most; C never varies.
    ranked = [task for task, _ in one.sensitivity or []]
    assert ranked == [str(ids["A"]), str(ids["B"])]


async def test_a_network_the_engine_rejects_fails_the_run(db: AppState) -> None:
    project, ids = await chain_project(db, {"A": 2, "B": 3})
    async with unit_of_work(db.sessions) as uow:  # a cycle written around the API
        uow.session.add(
            Dependency(project_id=project.id, predecessor_id=ids["B"], successor_id=ids["A"])
        )
    run_id = await queue_run(db, project.id)
    outcome = await execute_forecast(db.sessions, db.events, run_id)
    assert outcome.state == "failed"
    assert outcome.error_code == "invalid_network"
    run = await _run_row(db, run_id)
    assert run.state == "failed"
    assert run.error is not None
    assert run.error.startswith("invalid_network: ")
    assert run.p50 is None
    [event] = await _events(db.events, project.id, 1)
    assert event.type == EventType.FORECAST_FAILED
    assert event.payload["code"] == "invalid_network"


async def test_a_run_is_executed_once(db: AppState) -> None:
    project, _ = await chain_project(db, {"A": 1})
    run_id = await queue_run(db, project.id, iterations=100)
    assert (await execute_forecast(db.sessions, db.events, run_id)).state == "done"
    again = await execute_forecast(db.sessions, db.events, run_id)
    assert again.state == "skipped"
    async with db.sessions() as session:
        states = (await session.execute(select(ForecastRun.state))).scalars().all()
    assert states == ["done"]
