"""Running imports in tests: accept a file for a project, process it, recompute."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.interchange.service import ImportOutcome, process_import, request_import
from app.models import ImportRequest, Task
from app.scheduling.recompute import recompute
from app.state import AppState, unit_of_work

MAX_BYTES = 50 * 1024 * 1024


async def accept(
    state: AppState, user: uuid.UUID, project: uuid.UUID, name: str, data: bytes
) -> uuid.UUID:
    async with unit_of_work(state.sessions) as uow:
        accepted = await request_import(uow.session, user, project, name, data, max_bytes=MAX_BYTES)
    return accepted.request.id


async def run_import(
    state: AppState, user: uuid.UUID, project: uuid.UUID, name: str, data: bytes
) -> ImportOutcome:
    """Accept, process and (when it worked) recompute, as the relay and worker would."""
    import_id = await accept(state, user, project, name, data)
    outcome = await process_import(state.sessions, import_id, state.events)
    if outcome.state == "DONE":
        await recompute(state.sessions, project)
    return outcome


async def import_row(state: AppState, import_id: uuid.UUID) -> ImportRequest:
    async with state.sessions() as session:
        row = await session.get(ImportRequest, import_id)
        assert row is not None
        return row


async def live_tasks(state: AppState, project: uuid.UUID) -> list[Task]:
    async with state.sessions() as session:
        rows = await session.execute(
            select(Task)
            .where(Task.project_id == project, Task.is_deleted.is_(False))
            .order_by(Task.wbs_path)
        )
        return list(rows.scalars())
