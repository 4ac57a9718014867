"""Rows for scheduling tests, written directly (the GraphQL path is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import uuid

from app.models import Dependency, Project, Task
from app.scheduling.outbox import request_schedule
from app.state import AppState, unit_of_work


async def add_tasks(
    state: AppState, project: Project, specs: dict[str, tuple[str, int]]
) -> dict[str, uuid.UUID]:
    """`specs` maps a name to (kind, duration); returns name → id."""
    ids = {}
    async with unit_of_work(state.sessions) as uow:
        for name, (kind, duration) in specs.items():
            task_id = uuid.uuid4()
            uow.session.add(
                Task(
                    id=task_id,
                    project_id=project.id,
                    wbs_path="t" + task_id.hex,
                    name=name,
                    kind=kind,
                    duration=duration,
                )
            )
            ids[name] = task_id
    return ids


async def link(
    state: AppState,
    project: Project,
    pairs: list[tuple[uuid.UUID, uuid.UUID]],
    request: bool = True,
) -> None:
    async with unit_of_work(state.sessions) as uow:
        for predecessor, successor in pairs:
            uow.session.add(
                Dependency(
                    project_id=project.id, predecessor_id=predecessor, successor_id=successor
                )
            )
        if request:
            await request_schedule(uow.session, project.id, "test")


START = dt.date(2026, 1, 5)  # a Monday
