"""Leveling a scope (a project, a program or a workspace) against its workspace's pool.

`level_scope(..., apply=False)` is a preview: the engine levels the scope's projects as one
problem (`scheduler.level_many`, from the plans without earlier leveling) and the answer says
each task's delay, the finish change of each project and what is still over-allocated;
nothing is written. `apply=True` writes each task's `leveled_start` and `leveling_delay`
(clearing the rest of the scope's) and requests a recompute of every project, so the dates
reach history, events, sync and forecasts through the normal schedule pipeline.
`clear_leveling` removes them. Applying and clearing need Resource Manager on every project
of the scope; a preview needs only to see them.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Table, bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.errors import FieldProblem, ForbiddenError, ValidationFailed
from app.events import publish_after_commit
from app.events.types import BoardEvent, EventType, LevelingAppliedPayload
from app.models import Task
from app.models.enums import Role
from app.resources.pool import (
    Pool,
    Scope,
    load_pool,
    project_assignments,
    resolve_scope,
    scope_networks,
    with_pool,
)
from app.scheduling import external
from app.scheduling.network import LoadedProject
from app.scheduling.outbox import request_schedule
from app.state import UnitOfWork
from app.sync.locks import lock_sync_project

MAX_SECONDS = 30.0


@dataclass(frozen=True)
class TaskDelay:
    task_id: uuid.UUID
    project_id: uuid.UUID
    delay: int  # working days
    start_before: date
    start_after: date
    finish_after: date


@dataclass(frozen=True)
class ProjectFinish:
    project_id: uuid.UUID
    before: date | None
    after: date | None


@dataclass(frozen=True)
class LevelingOutcome:
    applied: bool
    delays: list[TaskDelay]
    finishes: list[ProjectFinish]
    overallocations: list[engine.Overallocation]
    schedules: int
    stopped_by: str
    floors: dict[uuid.UUID, dict[uuid.UUID, tuple[date, int]]] = field(default_factory=dict)


def check_options(options: engine.LevelingOptions) -> None:
    problems = []
    if options.seconds is not None and not 0 < options.seconds <= MAX_SECONDS:
        problems.append(
            FieldProblem(("options", "seconds"), f"must be above 0 and at most {MAX_SECONDS:g}")
        )
    if options.level_from and options.level_to and options.level_to < options.level_from:
        problems.append(FieldProblem(("options", "levelTo"), "must not be before levelFrom"))
    if options.solver is engine.LevelingSolver.CPSAT and not engine.exact_solver_available():
        problems.append(
            FieldProblem(
                ("options", "solver"),
                "CP-SAT is not installed on this server (pip install 'trueppm[cpsat]')",
            )
        )
    if problems:
        raise ValidationFailed(problems)


def _priorities(loaded: list[LoadedProject]) -> dict[str, int]:
    return {
        tid: int(row.priority)
        for project in loaded
        for tid, row in project.tasks.items()
        if row.priority != 500
    }


def _finish(project: LoadedProject, result: engine.ScheduleResult) -> date | None:
    own = [result.tasks[t].early_finish for t in project.tasks if t in result.tasks]
    return max((d for d in own if d), default=None)


def _outcome(
    loaded: list[LoadedProject], results: list[engine.LevelingResult], apply: bool
) -> LevelingOutcome:
    delays, finishes = [], []
    floors: dict[uuid.UUID, dict[uuid.UUID, tuple[date, int]]] = {}
    for project, got in zip(loaded, results, strict=True):
        pid = project.project.id
        before = engine.schedule(project.network) if project.network.tasks else None
        leveled = {t.id: t.leveled_start for t in got.network.tasks if t.leveled_start}
        mine = floors.setdefault(pid, {})
        for tid, delay in sorted(got.delays.items()):
            if external.is_external(tid) or tid not in project.tasks:
                continue
            new = got.result.tasks[tid]
            old = before.tasks[tid] if before else new
            delays.append(
                TaskDelay(uuid.UUID(tid), pid, delay, old.early_start, new.early_start,
                          new.early_finish)
            )  # fmt: skip
            mine[uuid.UUID(tid)] = (leveled[tid], delay)
        finishes.append(
            ProjectFinish(pid, _finish(project, before) if before else None,
                          _finish(project, got.result))
        )  # fmt: skip
    report: dict[tuple[str, date, tuple[str, ...]], engine.Overallocation] = {}
    for got in results:
        for o in got.overallocations:
            report[o.resource, o.first, o.tasks] = o
    first = results[0] if results else None
    return LevelingOutcome(
        applied=apply,
        delays=delays,
        finishes=finishes,
        overallocations=[report[k] for k in sorted(report)],
        schedules=first.schedules if first else 0,
        stopped_by=first.stopped_by if first else "nothing to level",
        floors=floors,
    )


async def _level(
    session: AsyncSession, project_ids: list[uuid.UUID], pool: Pool,
    options: engine.LevelingOptions,
) -> tuple[list[LoadedProject], list[engine.LevelingResult]]:  # fmt: skip
    loaded = [
        p for p in await scope_networks(session, project_ids, pool, unleveled=True)
        if p.network.tasks
    ]  # fmt: skip
    assigned = await project_assignments(session, project_ids, pool)
    options = replace(options, priorities={**_priorities(loaded), **options.priorities})
    plans = [(p.network, assigned[p.project.id]) for p in loaded]
    results = await asyncio.to_thread(engine.level_many, plans, pool.resources, options)
    return loaded, results


async def _clear(session: AsyncSession, project_ids: list[uuid.UUID]) -> None:
    await session.execute(
        update(Task)
        .where(
            Task.project_id.in_(project_ids),
            or_(Task.leveled_start.is_not(None), Task.leveling_delay != 0),
        )
        .values(leveled_start=None, leveling_delay=0, server_version=Task.server_version + 1)
        .execution_options(synchronize_session=False)
    )


async def _write(
    session: AsyncSession, floors: dict[uuid.UUID, dict[uuid.UUID, tuple[date, int]]]
) -> None:
    """Every delayed task's floor and delay, as one executemany."""
    rows = [
        {"b_id": task_id, "b_start": start, "b_delay": delay}
        for tasks in floors.values()
        for task_id, (start, delay) in tasks.items()
    ]
    if not rows:
        return
    table = Task.__table__
    assert isinstance(table, Table)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            leveled_start=bindparam("b_start"),
            leveling_delay=bindparam("b_delay"),
            server_version=table.c.server_version + 1,
        )
    )
    await session.execute(stmt, rows)


def _require_manager(role: Role) -> None:
    if role < Role.RESOURCE_MANAGER:
        raise ForbiddenError("leveling needs the Resource Manager role on every project in scope")


async def level_scope(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    scope: Scope,
    options: engine.LevelingOptions,
    *,
    apply: bool,
) -> LevelingOutcome:
    """Level the scope's projects as one problem; preview, or apply (module docstring)."""
    check_options(options)
    session = uow.session
    projects = await resolve_scope(session, user_id, scope)
    if apply:
        _require_manager(projects.role)
    pool = await load_pool(session, projects.workspace_id)
    try:
        loaded, results = await _level(session, projects.project_ids, pool, options)
    except engine.SchedulerError as exc:
        raise ValidationFailed(
            [FieldProblem(("scope",), f"cannot level this plan: {exc}")]
        ) from exc
    outcome = _outcome(loaded, results, apply)
    if apply:
        for project_id in projects.project_ids:
            await lock_sync_project(session, project_id)
        await _clear(session, projects.project_ids)
        await _write(session, outcome.floors)
        for project_id in projects.project_ids:
            await request_schedule(session, project_id, "resources leveled")
            delays = {str(t): d for t, (_, d) in outcome.floors.get(project_id, {}).items()}
            payload = LevelingAppliedPayload("leveled", delays)
            publish_after_commit(
                uow, BoardEvent.make(project_id, EventType.LEVELING_APPLIED, payload, user_id)
            )
    return outcome


async def clear_leveling(uow: UnitOfWork, user_id: uuid.UUID, scope: Scope) -> list[uuid.UUID]:
    """Remove every leveling delay of the scope; returns its projects."""
    session = uow.session
    projects = await resolve_scope(session, user_id, scope)
    _require_manager(projects.role)
    for project_id in projects.project_ids:
        await lock_sync_project(session, project_id)
    await _clear(session, projects.project_ids)
    for project_id in projects.project_ids:
        await request_schedule(session, project_id, "leveling cleared")
        payload = LevelingAppliedPayload("cleared", {})
        publish_after_commit(
            uow, BoardEvent.make(project_id, EventType.LEVELING_APPLIED, payload, user_id)
        )
    return projects.project_ids


@dataclass(frozen=True)
class AutomaticLeveling:
    """What a recompute of a project that levels automatically needs: the project's network
    without its earlier floors, the pool and the project's assignments."""

    network: engine.Network
    resources: list[engine.Resource]
    assignments: list[engine.Assignment]
    options: engine.LevelingOptions

    def run(self) -> engine.LevelingResult:
        return engine.level(self.network, self.resources, self.assignments, self.options)


async def automatic_leveling(
    session: AsyncSession, loaded: LoadedProject
) -> AutomaticLeveling | None:
    """The inputs of a project's automatic leveling (None when it does not level
    automatically). Automatic leveling levels the project alone against its pool, with the
    default options; leveling a program or workspace together is `level_scope`."""
    project = loaded.project
    if not project.level_automatically or not loaded.network.tasks:
        return None
    pool = await load_pool(session, project.workspace_id)
    assigned = await project_assignments(session, [project.id], pool)
    network = with_pool(loaded.network, pool, unleveled=True)
    options = engine.LevelingOptions(priorities=_priorities([loaded]))
    return AutomaticLeveling(network, pool.resources, assigned[project.id], options)
