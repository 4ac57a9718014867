"""Load the demo program through the application services, then compute its schedules.

Everything is created by the same services the API uses (so permissions, validation, the
schedule outbox and versioning apply), in one transaction: a failed load leaves nothing
behind. Loading again finds the demo program of the demo user and adds nothing.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import create_user, find_user_by_email
from app.baselines import service as baselines
from app.calendars.service import ExceptionInput, create_calendar
from app.comments.service import create_comment
from app.demo.plan import ProgramSpec, ProjectSpec, demo_plan
from app.labels.service import create_label, set_task_label
from app.models import Baseline, Dependency, Program, ProgramMember, Project, ScheduleRequest, Task
from app.models.enums import Role
from app.programs.service import create_program
from app.projects.service import create_project, update_project
from app.risks.service import create_risk, link_task
from app.scheduling.announce import announce
from app.scheduling.recompute import recompute
from app.sprints import service as sprints
from app.state import AppState, UnitOfWork, unit_of_work
from app.tasks.dependencies import create_dependency
from app.tasks.placement import Target
from app.tasks.service import create_task, update_task
from app.workspaces.service import create_workspace, ensure_workspace_member

DEMO_EMAIL = "demo@example.com"
VIEWER_EMAIL = "stakeholder@example.com"


@dataclass(frozen=True)
class DemoResult:
    email: str
    password: str | None  # None when the demo was already loaded
    program_id: uuid.UUID
    project_ids: dict[str, uuid.UUID]  # project name -> id
    finishes: dict[str, date | None]  # project name -> computed finish
    baseline_ids: dict[str, uuid.UUID]  # project name -> its active baseline
    tasks: int
    links: int


async def _existing(session: AsyncSession, email: str, name: str) -> Program | None:
    user = await find_user_by_email(session, email)
    if user is None:
        return None
    stmt = (
        select(Program)
        .join(ProgramMember, ProgramMember.program_id == Program.id)
        .where(
            ProgramMember.user_id == user.id, Program.name == name, Program.is_deleted.is_(False)
        )
    )
    return (await session.execute(stmt)).scalars().first()


async def _load_project(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    program_id: uuid.UUID,
    spec: ProjectSpec,
    ids: dict[str, uuid.UUID],
) -> uuid.UUID:
    session = uow.session
    project = await create_project(
        session,
        user_id,
        workspace_id,
        {
            "name": spec.name,
            "description": spec.description,
            "start_date": spec.start,
            "program_id": program_id,
        },
    )
    holidays = [ExceptionInput(a, b, False, name) for a, b, name in spec.holidays]
    calendar = await create_calendar(session, user_id, project.id, spec.calendar_name, 31, holidays)
    await update_project(session, user_id, project.id, {"default_calendar_id": calendar.id}, None)
    for task in spec.tasks:
        changes: dict[str, object] = {"name": task.name}
        if task.kind != "summary":  # a task becomes a summary when it receives children
            changes |= {"kind": task.kind, "duration": task.duration}
        if task.points is not None:
            changes["story_points"] = task.points
        if task.estimate is not None:
            low, likely, high = task.estimate
            changes |= {
                "optimistic_duration": low,
                "most_likely_duration": likely,
                "pessimistic_duration": high,
            }
        parent = ids[task.parent] if task.parent else None
        target = Target(parent, None, None, ("parent",), ("before",), ("after",))
        created = await create_task(session, user_id, project.id, changes, target)
        ids[task.key] = created.id
    for link in spec.links:
        await _link(session, user_id, ids, link.predecessor, link.successor, link.type, link.lag)
    for sprint in spec.sprints:
        values = {
            "name": sprint.name,
            "goal": sprint.goal,
            "start_date": sprint.start,
            "end_date": sprint.end,
        }
        created_sprint = await sprints.create_sprint(uow, user_id, project.id, values)
        await sprints.add_tasks(uow, user_id, created_sprint.id, [ids[k] for k in sprint.tasks])
        if sprint.active:
            await sprints.start_sprint(uow, user_id, created_sprint.id, None)
    await _load_register(uow, user_id, project.id, spec, ids)
    return project.id


async def _load_register(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    spec: ProjectSpec,
    ids: dict[str, uuid.UUID],
) -> None:
    """Risks (open ones feed the forecast), labels on cards and a few comments."""
    session = uow.session
    for risk in spec.risks:
        values = {
            "title": risk.title,
            "probability": risk.probability,
            "impact_days": risk.impact_days,
            "impact_cost": Decimal(risk.impact_cost),
            "status": risk.status,
            "owner_id": user_id,
            "response": risk.response,
            "trigger": risk.trigger,
        }
        created = await create_risk(session, user_id, project_id, values)
        for key in risk.tasks:
            await link_task(session, user_id, created.id, ids[key])
    for name, keys in spec.labels.items():
        label = await create_label(uow, user_id, project_id, {"name": name})
        for key in keys:
            await set_task_label(uow, user_id, ids[key], label.id, on=True)
    for key, body in spec.comments:
        await create_comment(session, user_id, ids[key], body, "markdown")


async def _link(
    session: AsyncSession,
    user_id: uuid.UUID,
    ids: dict[str, uuid.UUID],
    predecessor: str,
    successor: str,
    type: str,
    lag: int,
) -> None:
    values = {"type": type, "lag": lag, "lag_unit": "working_days"}
    await create_dependency(session, user_id, ids[predecessor], ids[successor], values)


async def _load(uow: UnitOfWork, plan: ProgramSpec, email: str, password: str) -> Program:
    session = uow.session
    user = await create_user(session, email, password, name="Dana Demo")
    workspace = await create_workspace(session, user.id, "Demo workspace")
    program = await create_program(session, user.id, workspace.id, plan.name, plan.description)
    viewer = await find_user_by_email(session, VIEWER_EMAIL)
    if viewer is None:  # a stakeholder who sees the program through a program role only
        viewer = await create_user(
            session, VIEWER_EMAIL, secrets.token_urlsafe(18), name="Sam Stakeholder"
        )
    await ensure_workspace_member(session, workspace.id, viewer.id)
    session.add(ProgramMember(program_id=program.id, user_id=viewer.id, role=int(Role.VIEWER)))
    ids: dict[str, uuid.UUID] = {}
    for spec in plan.projects:
        await _load_project(uow, user.id, workspace.id, program.id, spec, ids)
    for link in plan.cross_links:
        await _link(session, user.id, ids, link.predecessor, link.successor, link.type, link.lag)
    return program


async def drain_schedules(state: AppState, *, rounds: int = 20) -> None:
    """Recompute every project with pending schedule requests until none are left
    (downstream projects of a cross-project link are requested by the upstream run)."""
    for _ in range(rounds):
        async with state.sessions() as session:
            pending = list(
                (
                    await session.execute(
                        select(ScheduleRequest.project_id)
                        .where(ScheduleRequest.done_at.is_(None))
                        .distinct()
                    )
                ).scalars()
            )
        if not pending:
            return
        for project_id in sorted(pending):
            outcome = await recompute(state.sessions, project_id)
            await announce(outcome, state.events)


async def load_demo(state: AppState, email: str = DEMO_EMAIL) -> DemoResult:
    """Load the demo program once (idempotent) and compute its schedules."""
    plan = demo_plan()
    password: str | None = None
    async with unit_of_work(state.sessions, state.uow_context) as uow:
        program = await _existing(uow.session, email, plan.name)
        if program is None:
            password = secrets.token_urlsafe(12)
            program = await _load(uow, plan, email, password)
        program_id = program.id
    await drain_schedules(state)
    if password is not None:  # first load: baseline the computed plan, then let it slip
        await _baseline_and_slip(state, email, program_id)
        await drain_schedules(state)
    return await _summary(state, email, password, program_id)


SLIP = ("Piling", 22)  # ground conditions: piling takes 22 days instead of 15


async def _baseline_and_slip(state: AppState, email: str, program_id: uuid.UUID) -> None:
    """Capture each project's computed plan as its active baseline, then lengthen one task
    so `baselineComparison` shows variances and a `baseline_drift_detected` event fires."""
    async with unit_of_work(state.sessions, state.uow_context) as uow:
        session = uow.session
        user = await find_user_by_email(session, email)
        assert user is not None
        projects = (
            await session.execute(
                select(Project.id).where(
                    Project.program_id == program_id, Project.is_deleted.is_(False)
                )
            )
        ).scalars()
        for project_id in projects:
            await baselines.capture_baseline(uow, user.id, project_id, "Approved plan", True)
        name, days = SLIP
        task_id = (
            await session.execute(
                select(Task.id)
                .join(Project, Project.id == Task.project_id)
                .where(Project.program_id == program_id, Task.name == name)
            )
        ).scalar_one()
        await update_task(session, user.id, task_id, {"duration": days}, None)


async def _summary(
    state: AppState, email: str, password: str | None, program_id: uuid.UUID
) -> DemoResult:
    async with state.sessions() as session:
        projects = (
            await session.execute(
                select(Project.id, Project.name)
                .where(Project.program_id == program_id, Project.is_deleted.is_(False))
                .order_by(Project.name)
            )
        ).all()
        ids = {name: pid for pid, name in projects}
        finishes = dict(
            (
                await session.execute(
                    select(Project.name, func.max(Task.early_finish))
                    .join(Task, Task.project_id == Project.id)
                    .where(Project.id.in_(ids.values()), Task.is_deleted.is_(False))
                    .group_by(Project.name)
                )
            ).all()
        )
        tasks = await session.scalar(
            select(func.count()).select_from(Task).where(Task.project_id.in_(ids.values()))
        )
        baselines_of = dict(
            (
                await session.execute(
                    select(Project.name, Baseline.id)
                    .join(Baseline, Baseline.project_id == Project.id)
                    .where(
                        Project.id.in_(ids.values()),
                        Baseline.is_active.is_(True),
                        Baseline.is_deleted.is_(False),
                    )
                )
            ).all()
        )
        links = await session.scalar(
            select(func.count())
            .select_from(Dependency)
            .where(Dependency.project_id.in_(ids.values()), Dependency.is_deleted.is_(False))
        )
    return DemoResult(
        email=email,
        password=password,
        program_id=program_id,
        project_ids=ids,
        finishes={name: finishes.get(name) for name in ids},
        baseline_ids=baselines_of,
        tasks=tasks or 0,
        links=links or 0,
    )
