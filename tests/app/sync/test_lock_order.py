"""Writers that bulk-update synced rows take the project lock before any row lock.

The sync trigger locks a row's project only after PostgreSQL has locked the row. A writer
that locked a row (a sprint `FOR UPDATE`, a risk) and then updated other synced rows would
wait for the project while a project holder waits for its row: a deadlock. These tests hold
the project the way structural writers do and check the other writer queues on it instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select

from app.models import Project, Risk, Sprint, SprintCloseRequest, Task
from app.models.enums import Role
from app.risks import service as risks
from app.sprints import service as sprints
from app.sprints.closing import process_close
from app.state import AppState, unit_of_work
from app.tasks import service as tasks
from app.tasks.placement import Target
from app.tasks.repository import lock_project
from app.versioning import versioned_update
from tests.factories import make_project, make_user, make_workspace

_TOP = Target(None, None, None, parent_path=("p",), before_path=("b",), after_path=("a",))


async def _world(db: AppState) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    user = await make_user(db)
    workspace = await make_workspace(db, user)
    project = await make_project(db, workspace, members={user.id: Role.PROJECT_MANAGER})
    async with unit_of_work(db.sessions) as uow:
        task = await tasks.create_task(uow.session, user.id, project.id, {"name": "A"}, _TOP)
        sprint = await sprints.create_sprint(
            uow,
            user.id,
            project.id,
            {"name": "S1", "start_date": dt.date(2026, 2, 2), "end_date": dt.date(2026, 2, 13)},
        )
        return user.id, project.id, task.id, sprint.id


async def test_sprint_planning_queues_on_the_project_before_locking_the_sprint(
    db: AppState,
) -> None:
    user, project, task, sprint = await _world(db)
    async with db.sessions() as structural:
        await structural.begin()
        await lock_project(structural, project)

        async def plan() -> None:
            async with unit_of_work(db.sessions) as uow:
                await sprints.add_tasks(uow, user, sprint, [task])

        other = asyncio.create_task(plan())
        await asyncio.sleep(0.5)
        assert not other.done()
        # Before the fix the planner held the sprint row here and waited for the project.
        await asyncio.wait_for(versioned_update(structural, Sprint, sprint, {"name": "renamed"}), 5)
        await structural.commit()
    await asyncio.wait_for(other, 10)
    async with db.sessions() as session:
        stored_sprint = await session.get(Sprint, sprint)
        stored_task = await session.get(Task, task)
        assert stored_sprint is not None
        assert stored_task is not None
        assert stored_sprint.name == "renamed"
        assert stored_task.sprint_id == sprint


async def test_the_sprint_closing_job_takes_the_project_before_the_task_rows(
    db: AppState,
) -> None:
    user, project, task, sprint = await _world(db)
    async with unit_of_work(db.sessions) as uow:
        await sprints.add_tasks(uow, user, sprint, [task])
        await sprints.start_sprint(uow, user, sprint, None)
        await sprints.close_sprint(uow, user, sprint, None)
        request = await uow.session.scalar(
            select(SprintCloseRequest.id).where(SprintCloseRequest.sprint_id == sprint)
        )
    assert request is not None
    async with db.sessions() as structural:
        await structural.begin()
        await lock_project(structural, project)
        other = asyncio.create_task(process_close(db.sessions, request))
        await asyncio.sleep(0.5)
        assert not other.done()
        # Before the fix the job held the task row here and waited for the project.
        await asyncio.wait_for(versioned_update(structural, Task, task, {"name": "renamed"}), 5)
        await structural.commit()
    outcome = await asyncio.wait_for(other, 10)
    assert outcome.moved == [task]
    async with db.sessions() as session:
        stored = await session.get(Task, task)
        assert stored is not None
        assert (stored.name, stored.sprint_id) == ("renamed", None)  # no planned sprint: backlog


async def test_risk_linking_queues_on_the_project_before_locking_the_risk(db: AppState) -> None:
    user, project, task, _ = await _world(db)
    async with unit_of_work(db.sessions) as uow:
        risk = await risks.create_risk(uow.session, user, project, {"title": "Flood"})
        risk_id = risk.id
    async with db.sessions() as structural:
        await structural.begin()
        await lock_project(structural, project)

        async def link() -> None:
            async with unit_of_work(db.sessions) as uow:
                await risks.link_task(uow.session, user, risk_id, task)

        other = asyncio.create_task(link())
        await asyncio.sleep(0.5)
        assert not other.done()
        await asyncio.wait_for(versioned_update(structural, Risk, risk_id, {"title": "Flood!"}), 5)
        await structural.commit()
    await asyncio.wait_for(other, 10)
    async with db.sessions() as session:
        stored = await session.get(Risk, risk_id)
        assert stored is not None
        assert stored.title == "Flood!"
        linked = await risks.linked_task_ids(session, [risk_id])
        assert linked[risk_id] == [task]


async def test_a_structural_writer_does_not_wait_for_a_foreign_key_check(db: AppState) -> None:
    """`lock_project` and task row locks are `FOR NO KEY UPDATE`, so they never wait for the
    `FOR KEY SHARE` of a foreign-key check. Inserting a link from another project runs its
    checks on the predecessor task, then on the predecessor's project; a WBS move of that
    task in between used to hold the project `FOR UPDATE` and wait for the task: a deadlock."""
    user, project, task, _ = await _world(db)
    async with db.sessions() as linker:
        await linker.begin()
        await linker.execute(
            select(Task.id).where(Task.id == task).with_for_update(read=True, key_share=True)
        )

        async def move() -> None:
            async with unit_of_work(db.sessions) as uow:
                await tasks.move_task(uow.session, user, task, _TOP, None)

        other = asyncio.create_task(move())
        await asyncio.sleep(0.5)
        await asyncio.wait_for(
            linker.execute(
                select(Project.id)
                .where(Project.id == project)
                .with_for_update(read=True, key_share=True)
            ),
            5,
        )
        await linker.commit()
    await asyncio.wait_for(other, 10)
