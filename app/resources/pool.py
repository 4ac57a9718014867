"""The engine's view of a workspace's pool and of the projects in a scope (the one place the
resource rows meet `scheduler.Resource` and `scheduler.Assignment`).

A scope is a project, a program or a workspace; the pool is always the workspace's. Only work
resources are leveled and counted in usage (a material is consumed, a cost resource costs;
neither has a capacity per day). A resource without a calendar works Monday to Friday.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.authz import pool_role, project_role
from app.errors import FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.models import Assignment, Program, Project, Resource, Task
from app.models.enums import Role
from app.scheduling import external
from app.scheduling.network import LoadedProject, calendars_by_id, load_project

STANDARD = "resource-standard"  # the calendar of a resource without one: Monday to Friday


class ScopeKind(enum.StrEnum):
    PROJECT = "project"
    PROGRAM = "program"
    WORKSPACE = "workspace"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: uuid.UUID


@dataclass(frozen=True)
class ScopeProjects:
    """The live projects of a scope (id order), their workspace, and the caller's lowest
    role among them (the role a scope-wide action needs)."""

    workspace_id: uuid.UUID
    project_ids: list[uuid.UUID]
    role: Role


async def resolve_scope(session: AsyncSession, user_id: uuid.UUID, scope: Scope) -> ScopeProjects:
    """The projects of a scope. Every one must be visible to the caller: the pool is shared,
    so a scope-wide answer depends on every project in it (NotFound for a scope the caller
    cannot see, Forbidden for one with projects hidden from them)."""
    label = scope.kind.value
    if scope.kind is ScopeKind.PROJECT:
        role = await project_role(session, user_id, scope.id)
        workspace = await session.scalar(select(Project.workspace_id).where(Project.id == scope.id))
        assert workspace is not None
        return ScopeProjects(workspace, [scope.id], role)
    if scope.kind is ScopeKind.PROGRAM:
        program = await session.scalar(
            select(Program).where(Program.id == scope.id, Program.is_deleted.is_(False))
        )
        if program is None:
            raise NotFoundError("program not found")
        workspace, where = program.workspace_id, Project.program_id == scope.id
    else:
        workspace, where = scope.id, Project.workspace_id == scope.id
    try:
        await pool_role(session, user_id, workspace)
    except NotFoundError:
        raise NotFoundError(f"{label} not found") from None
    ids = list(
        (
            await session.execute(
                select(Project.id).where(where, Project.is_deleted.is_(False)).order_by(Project.id)
            )
        ).scalars()
    )
    roles = []
    for project_id in ids:
        try:
            roles.append(await project_role(session, user_id, project_id))
        except NotFoundError:
            raise ForbiddenError(
                f"this {label} has projects you cannot see; ask for a role on each of them"
            ) from None
    if not ids:
        raise ValidationFailed([FieldProblem(("scope",), f"this {label} has no live project")])
    return ScopeProjects(workspace, ids, min(roles))


def _days(ranges: list[dict[str, str]]) -> frozenset[date]:
    out: set[date] = set()
    for span in ranges:
        first, last = date.fromisoformat(span["start"]), date.fromisoformat(span["end"])
        out.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(out)


@dataclass(frozen=True)
class Pool:
    """A workspace's work resources as the engine sees them, and the calendars they use."""

    rows: dict[str, Resource]
    resources: list[engine.Resource]
    calendars: dict[str, engine.Calendar]


async def load_pool(session: AsyncSession, workspace_id: uuid.UUID) -> Pool:
    rows = list(
        (
            await session.execute(
                select(Resource)
                .where(
                    Resource.workspace_id == workspace_id,
                    Resource.is_deleted.is_(False),
                    Resource.kind == "work",
                )
                .order_by(Resource.name, Resource.id)
            )
        ).scalars()
    )
    calendars = await calendars_by_id(session, {r.calendar_id for r in rows if r.calendar_id})
    calendars[STANDARD] = engine.Calendar(STANDARD, engine.MON_FRI)
    resources = [
        engine.Resource(
            id=str(r.id),
            units=r.max_units,
            changes=tuple((date.fromisoformat(c["start"]), c["units"]) for c in r.availability),
            # A calendar that was deleted: the resource falls back to Monday-Friday.
            calendar=str(r.calendar_id) if str(r.calendar_id) in calendars else STANDARD,
            days_off=_days(r.days_off),
        )
        for r in rows
    ]
    return Pool({str(r.id): r for r in rows}, resources, calendars)


async def project_assignments(
    session: AsyncSession, project_ids: list[uuid.UUID], pool: Pool
) -> dict[uuid.UUID, list[engine.Assignment]]:
    """Live assignments of live leaf tasks to the pool's work resources, per project.
    Assignments the engine cannot hold (a task that became a summary or a milestone since)
    are left out; they ask for no days."""
    out: dict[uuid.UUID, list[engine.Assignment]] = {p: [] for p in project_ids}
    rows = await session.execute(
        select(Assignment.project_id, Assignment.task_id, Assignment.resource_id, Assignment.units)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            Assignment.project_id.in_(project_ids),
            Assignment.is_deleted.is_(False),
            Task.is_deleted.is_(False),
            Task.kind == "task",
        )
        .order_by(Assignment.task_id, Assignment.resource_id)
    )
    for a in rows:
        if str(a.resource_id) in pool.rows:
            out[a.project_id].append(engine.Assignment(str(a.task_id), str(a.resource_id), a.units))
    return out


def _private_stand_ins(network: engine.Network, project_id: uuid.UUID) -> engine.Network:
    """Stand-ins for another project's tasks carry that task's id in every project linking
    to it; inside a scope of several projects each gets its own (task ids must be unique)."""

    def own(tid: str) -> str:
        return f"{project_id}/{tid}" if external.is_external(tid) else tid

    if not any(external.is_external(t.id) for t in network.tasks):
        return network
    tasks = [replace(t, id=own(t.id)) for t in network.tasks]
    links = [
        replace(d, predecessor=own(d.predecessor), successor=own(d.successor))
        for d in network.dependencies
    ]
    return replace(network, tasks=tasks, dependencies=links)


async def scope_networks(
    session: AsyncSession, project_ids: list[uuid.UUID], pool: Pool, *, unleveled: bool
) -> list[LoadedProject]:
    """Each project's network with the pool's calendars; `unleveled` drops the floors an
    earlier leveling left (what leveling starts from: it never stacks on itself)."""
    out = []
    for project_id in project_ids:
        loaded = await load_project(session, project_id)
        net = with_pool(loaded.network, pool, unleveled=unleveled)
        out.append(replace(loaded, network=_private_stand_ins(net, project_id)))
    return out


def with_pool(network: engine.Network, pool: Pool, *, unleveled: bool) -> engine.Network:
    """The network with the pool's calendars, and without earlier leveling floors when
    `unleveled` (what leveling starts from: it never stacks on itself)."""
    tasks = network.tasks
    if unleveled:
        tasks = [replace(t, leveled_start=None) if t.leveled_start else t for t in tasks]
    return replace(network, tasks=tasks, calendars={**pool.calendars, **network.calendars})
