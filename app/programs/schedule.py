"""The program schedule: each project's finish, the program finish, and the critical path
across projects.

Every project is computed by the engine on its current inputs exactly as its recompute would
(outside predecessors as pinned stand-ins, see `app.scheduling.external`). The program's
critical path starts from the project that finishes last: its engine critical path, and
wherever that path begins at a stand-in, the chain of driving links that produced that
predecessor's date in its own project, and so on upstream.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.models import Dependency, Project, ScheduleRequest
from app.models.enums import Role
from app.programs.service import require_role
from app.scheduling import external
from app.scheduling.network import LoadedProject, load_project


@dataclass(frozen=True)
class ProjectFinish:
    project_id: uuid.UUID
    name: str
    start: date
    finish: date | None  # None: no tasks
    task_count: int
    schedule_pending: bool  # a recompute is requested and not done yet


@dataclass(frozen=True)
class PathStep:
    task_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    early_start: date
    early_finish: date


@dataclass(frozen=True)
class ProgramSchedule:
    program_id: uuid.UUID
    finish: date | None
    projects: list[ProjectFinish]
    critical_path: list[PathStep]
    cross_project_links: int


@dataclass(frozen=True)
class _Computed:
    loaded: LoadedProject
    result: engine.ScheduleResult | None

    @property
    def finish(self) -> date | None:
        if self.result is None:
            return None
        return max(self.result.tasks[t].early_finish for t in self.loaded.tasks)


async def program_schedule(
    session: AsyncSession, user_id: uuid.UUID, program_id: uuid.UUID
) -> ProgramSchedule:
    """The roll-up of a program (any role on the program, or workspace owner/admin)."""
    await require_role(session, user_id, program_id, Role.VIEWER)
    project_ids = list(
        (
            await session.execute(
                select(Project.id)
                .where(Project.program_id == program_id, Project.is_deleted.is_(False))
                .order_by(Project.name, Project.id)
            )
        ).scalars()
    )
    computed: dict[uuid.UUID, _Computed] = {}
    for project_id in project_ids:
        loaded = await load_project(session, project_id)
        result = (
            await asyncio.to_thread(engine.schedule, loaded.network)
            if loaded.network.tasks
            else None
        )
        computed[project_id] = _Computed(loaded, result)
    pending = set(
        (
            await session.execute(
                select(ScheduleRequest.project_id)
                .where(
                    ScheduleRequest.project_id.in_(project_ids), ScheduleRequest.done_at.is_(None)
                )
                .distinct()
            )
        ).scalars()
    )
    links = await session.scalar(
        select(func.count())
        .select_from(Dependency)
        .where(
            Dependency.project_id.in_(project_ids),
            Dependency.predecessor_project_id.in_(project_ids),
            Dependency.is_deleted.is_(False),
        )
    )
    projects = [
        ProjectFinish(
            project_id=pid,
            name=c.loaded.project.name,
            start=c.loaded.project.start_date,
            finish=c.finish,
            task_count=len(c.loaded.tasks),
            schedule_pending=pid in pending,
        )
        for pid, c in computed.items()
    ]
    finishes = [p.finish for p in projects if p.finish is not None]
    return ProgramSchedule(
        program_id=program_id,
        finish=max(finishes, default=None),
        projects=projects,
        critical_path=_critical_path(computed),
        cross_project_links=links or 0,
    )


def _critical_path(computed: dict[uuid.UUID, _Computed]) -> list[PathStep]:
    last = max(
        (c for c in computed.values() if c.finish is not None),
        key=lambda c: c.finish or date.min,
        default=None,
    )
    if last is None or last.result is None:
        return []
    owner = {task_id: c for c in computed.values() for task_id in c.loaded.tasks}
    chain = list(last.result.critical_path)
    steps: list[str] = []
    seen: set[str] = set()
    while chain:
        head, rest = chain[0], chain[1:]
        steps[:0] = [t for t in rest if not external.is_external(t)]
        if not external.is_external(head):
            steps.insert(0, head)
            break
        upstream = external.external_task_id(head)
        if upstream in seen or upstream not in owner:
            break  # a predecessor not in this program's live projects: the chain ends here
        seen.add(upstream)
        chain = _driving_chain(owner[upstream], upstream)
    return [_step(owner[t], t) for t in steps]


def _driving_chain(project: _Computed, task_id: str) -> list[str]:
    """The chain of driving links ending at `task_id` in its project (a summary continues
    from its latest-finishing leaf), oldest first; it may begin at a stand-in."""
    result = project.result
    if result is None:
        return [task_id]
    children: dict[str, list[str]] = {}
    for task in project.loaded.network.tasks:
        if task.parent is not None:
            children.setdefault(task.parent, []).append(task.id)
    node = task_id
    while node in children:
        node = max(children[node], key=lambda t: (result.tasks[t].early_finish, t))
    chain = [node]
    while True:
        drivers = result.tasks[chain[-1]].driving_predecessors
        if not drivers:
            break
        critical = [d for d in drivers if external.is_external(d) or result.tasks[d].is_critical]
        chain.append((critical or list(drivers))[0])
        if external.is_external(chain[-1]):
            break
    return chain[::-1]


def _step(project: _Computed, task_id: str) -> PathStep:
    assert project.result is not None
    dates = project.result.tasks[task_id]
    return PathStep(
        task_id=uuid.UUID(task_id),
        project_id=project.loaded.project.id,
        name=project.loaded.tasks[task_id].name,
        early_start=dates.early_start,
        early_finish=dates.early_finish,
    )
