"""Recompute one project's schedule and write back only what changed.

Used by the RQ job and by the in-process runner alike. The pending request ids are read
*before* the project's rows, so every request in that list has its change visible to the
load; requests committed later stay pending and cause another run. The requests are marked
done in the same transaction that writes the outputs, so a worker killed mid-run leaves
them pending and the project is recomputed. After a successful commit a project forecast
snapshot is captured (best-effort, see `app.forecasts.snapshots`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import TextClause, func, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import scheduler as engine
from app.baselines.drift import detect_drift
from app.baselines.workdays import network_calendar
from app.errors import NotFoundError
from app.events.types import BaselineDriftPayload, to_jsonable
from app.forecasts.snapshots import capture_after_recompute
from app.metrics import RECOMPUTE_SECONDS
from app.models import ScheduleRequest, Task, TaskRun
from app.models.enums import TaskKind
from app.resources.leveling import automatic_leveling
from app.scheduling import external
from app.scheduling.network import LoadedProject, TaskRow, load_project
from app.scheduling.outbox import pending_request_ids
from app.state import unit_of_work
from app.sync.locks import lock_sync_project
from app.webhooks.outbox import record as record_webhook

log = logging.getLogger(__name__)

OUTPUT_FIELDS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
    "leveled_start",  # resource leveling's outputs: written here only when the project
    "leveling_delay",  # levels automatically, otherwise kept as stored
    "duration",  # a summary's: working days from its rolled-up start to finish (MS Project)
)


@dataclass(frozen=True)
class Outcome:
    """What a run did; `state` is `succeeded`, `failed` or `skipped` (nothing pending)."""

    project_id: uuid.UUID
    state: str
    project_finish: date | None = None
    previous_finish: date | None = None  # the latest early finish before this run
    critical_path: tuple[str, ...] = ()
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    engine_ms: int = 0
    error: str | None = None
    drift: BaselineDriftPayload | None = None
    # Projects with links from tasks this run moved; their schedule requests are committed
    # with the outputs.
    downstream: tuple[uuid.UUID, ...] = ()


_LEVELING = ("leveled_start", "leveling_delay")
STANDARD = engine.Calendar("standard")  # the engine's default: Monday-Friday, no holidays
_ENGINE_FIELDS = tuple(n for n in OUTPUT_FIELDS if n not in (*_LEVELING, "duration"))


def _summary_duration(calendar: engine.Calendar, computed: engine.TaskResult) -> int:
    return engine.working_days(calendar, computed.early_start, computed.early_finish)


def _changes(
    tasks: dict[str, TaskRow],
    result: engine.ScheduleResult,
    leveled: engine.LevelingResult | None,
    network: engine.Network,
) -> dict[str, dict[str, Any]]:
    floors = {t.id: t.leveled_start for t in leveled.network.tasks} if leveled is not None else None
    calendar = network.calendars.get(network.default_calendar or "") or STANDARD
    changed: dict[str, dict[str, Any]] = {}
    for task_id, row in tasks.items():
        computed = result.tasks[task_id]
        new = {name: getattr(computed, name) for name in _ENGINE_FIELDS}
        new["duration"] = (
            _summary_duration(calendar, computed)
            if row.kind == TaskKind.SUMMARY.value
            else row.duration
        )
        if floors is None or leveled is None:
            new |= {name: getattr(row, name) for name in _LEVELING}
        else:
            new |= {
                "leveled_start": floors.get(task_id),
                "leveling_delay": leveled.delays.get(task_id, 0),
            }
        if any(getattr(row, name) != value for name, value in new.items()):
            changed[task_id] = new
    return changed


def _write_statement() -> TextClause:
    """One UPDATE for all changed rows: the values travel as one array per column, unnested
    into rows and joined on the id. An executemany is one statement per row; this is one
    statement for 10,000 (3.31 s -> 2.66 s for a 10k-task recompute, docs/benchmarks.md)."""
    columns = Task.__table__.c
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
    names = ("id", *OUTPUT_FIELDS)
    arrays = ", ".join(f"CAST(:{n} AS {columns[n].type.compile(dialect=dialect)}[])" for n in names)
    # Only a summary's duration is engine output: a task's own is never written here (a user
    # may have changed it since the plan was loaded).
    assignments = ", ".join(
        f"{n} = CASE WHEN task.kind = '{TaskKind.SUMMARY.value}' THEN v.{n} ELSE task.{n} END"
        if n == "duration"
        else f"{n} = v.{n}"
        for n in OUTPUT_FIELDS
    )
    return text(
        f"UPDATE task SET {assignments}, server_version = task.server_version + 1 "
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE task.id = v.id"
    )


_WRITE = _write_statement()


async def _write(session: AsyncSession, changed: dict[str, dict[str, Any]]) -> None:
    if not changed:
        return
    values: dict[str, list[Any]] = {"id": [uuid.UUID(i) for i in changed]}
    for name in OUTPUT_FIELDS:
        values[name] = [row[name] for row in changed.values()]
    await session.execute(_WRITE, values)


async def _finish(
    session: AsyncSession,
    project_id: uuid.UUID,
    request_ids: list[uuid.UUID],
    started: float,
    outcome: Outcome,
) -> None:
    await session.execute(
        update(ScheduleRequest)
        .where(ScheduleRequest.id.in_(request_ids))
        .values(done_at=func.now())
    )
    session.add(
        TaskRun(
            project_id=project_id,
            kind="cpm",
            state=outcome.state,
            finished_at=func.clock_timestamp(),  # now() is the start of the transaction
            duration_ms=int((time.perf_counter() - started) * 1000),
            engine_ms=outcome.engine_ms,
            requests=len(request_ids),
            tasks_changed=len(outcome.changed),
            error=outcome.error,
        )
    )


async def recompute(
    sessions: async_sessionmaker[AsyncSession], project_id: uuid.UUID, *, force: bool = False
) -> Outcome:
    """Run the engine for `project_id` if it has pending requests (or `force`)."""
    started = time.perf_counter()
    async with unit_of_work(sessions) as uow:
        session = uow.session
        request_ids = await pending_request_ids(session, project_id)
        if not request_ids and not force:
            return Outcome(project_id, "skipped")
        try:
            loaded = await load_project(session, project_id)
            automatic = await automatic_leveling(session, loaded)
            tick = time.perf_counter()
            # An empty project has nothing to compute (and the engine refuses no tasks).
            leveled = await asyncio.to_thread(automatic.run) if automatic else None
            result = (
                leveled.result
                if leveled is not None
                else await asyncio.to_thread(engine.schedule, loaded.network)
                if loaded.network.tasks
                else None
            )
            engine_ms = int((time.perf_counter() - tick) * 1000)
        except NotFoundError:
            outcome = Outcome(project_id, "failed", error="project not found")
        except engine.SchedulerError as exc:
            # Bad stored data (a cycle that slipped in, an invalid combination): recorded and
            # reported, never retried forever — the next edit creates a new request.
            log.warning("schedule failed", extra={"project_id": str(project_id)}, exc_info=True)
            outcome = Outcome(project_id, "failed", error=str(exc))
        else:
            outcome = await _apply(session, loaded, result, leveled, engine_ms)
        await _finish(session, project_id, request_ids, started, outcome)
        _record_webhooks(session, outcome)
    RECOMPUTE_SECONDS.labels(outcome.state).observe(time.perf_counter() - started)
    if outcome.state == "succeeded":
        # After the commit, in its own transaction: a failed capture never undoes the run.
        await capture_after_recompute(sessions, project_id)
    return outcome


def _record_webhooks(session: AsyncSession, outcome: Outcome) -> None:
    """`schedule.recalculated` (and `baseline.drifted`) in the run's own transaction."""
    if outcome.state != "succeeded":
        return
    finish, previous = outcome.project_finish, outcome.previous_finish
    record_webhook(
        session,
        "schedule.recalculated",
        {
            "project_finish": finish,
            "previous_finish": previous,
            "finish_change_days": (finish - previous).days if finish and previous else None,
            "changed_tasks": len(outcome.changed),
            "critical_path": list(outcome.critical_path),
            "engine_ms": outcome.engine_ms,
        },
        project_id=outcome.project_id,
    )
    if outcome.drift is not None:
        record_webhook(
            session, "baseline.drifted", to_jsonable(outcome.drift), project_id=outcome.project_id
        )


async def _apply(
    session: AsyncSession,
    loaded: LoadedProject,
    result: engine.ScheduleResult | None,
    leveled: engine.LevelingResult | None,
    engine_ms: int,
) -> Outcome:
    """Write what changed and request the schedules of the projects downstream."""
    project_id = loaded.project.id
    if result is None:
        return Outcome(project_id, "succeeded", project_finish=loaded.project.start_date)
    # Own tasks only: a pinned stand-in of another project's task is not ours.
    finish = max((result.tasks[t].early_finish for t in loaded.tasks), default=None)
    finish = finish or result.project_finish
    finishes = [t.early_finish for t in loaded.tasks.values() if t.early_finish]
    previous = max(finishes, default=None)
    drift = await detect_drift(
        session,
        project_id,
        previous,
        finish,
        network_calendar(loaded.network),
    )
    changed = _changes(loaded.tasks, result, leveled, loaded.network)
    moved = external.moved_tasks(loaded.tasks, changed)
    if changed:
        # Project before rows, as lock_project() writers do: the sync trigger would otherwise
        # lock a task row first and the project second, and deadlock with a writer holding
        # the project and waiting for that row (app/sync/ddl.py).
        await lock_sync_project(session, project_id)
    await _write(session, changed)
    downstream = await external.request_downstream(session, project_id, moved)
    return Outcome(
        project_id,
        "succeeded",
        project_finish=finish,
        previous_finish=previous,
        critical_path=tuple(t for t in result.critical_path if not external.is_external(t)),
        changed=changed,
        engine_ms=engine_ms,
        drift=drift,
        downstream=tuple(downstream),
    )
