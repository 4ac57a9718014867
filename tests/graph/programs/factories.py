"""Two projects in one program, for cross-project tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from app.models import Program, Project, ScheduleRequest, User, Workspace
from app.models.enums import Role
from app.scheduling.announce import announce
from app.scheduling.runner import InProcessRunner
from app.state import AppState
from tests.factories import make_project, make_user, make_workspace
from tests.graph.workspaces.factories import make_program


@dataclass(frozen=True)
class ProgramWorld:
    owner: User
    workspace: Workspace
    program: Program
    a: Project
    b: Project


async def put_in_program(state: AppState, program: Program, *projects: Project) -> None:
    async with state.sessions() as session, session.begin():
        await session.execute(
            update(Project)
            .where(Project.id.in_([p.id for p in projects]))
            .values(program_id=program.id)
        )


async def make_program_world(
    state: AppState, members: dict[uuid.UUID, Role] | None = None
) -> ProgramWorld:
    """A workspace owner, a program with `members`, and projects A and B in it."""
    owner = await make_user(state)
    workspace = await make_workspace(state, owner)
    program = await make_program(state, workspace, members=members)
    a = await make_project(state, workspace)
    b = await make_project(state, workspace)
    await put_in_program(state, program, a, b)
    return ProgramWorld(owner, workspace, program, a, b)


@pytest.fixture
async def runner(db: AppState) -> AsyncIterator[InProcessRunner]:
    scheduler = InProcessRunner(
        db.sessions, sweep_every=30, on_outcome=lambda outcome: announce(outcome, db.events)
    )
    scheduler.start()
    db.uow_context["schedule_poke"] = scheduler.poke
    yield scheduler
    db.uow_context.pop("schedule_poke")
    await scheduler.stop()


async def settle(runner: InProcessRunner, state: AppState) -> None:
    """Wait until no schedule request is pending and every run (including the downstream
    runs they caused) is over."""
    for _ in range(100):
        await asyncio.sleep(0.1)  # the poke runs after commit; let the relay claim and queue
        await asyncio.wait_for(runner.idle.wait(), timeout=10)
        async with state.sessions() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(ScheduleRequest)
                .where(ScheduleRequest.done_at.is_(None))
            )
        if not pending and runner.idle.is_set():
            return
    raise AssertionError("schedule requests did not drain")
