"""Recording schedule requests: the transactional outbox of every date-moving write."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ScheduleRequest
from app.state import UnitOfWork

# Set by the process hosting a relay (the API's in-process runner, a worker): called after a
# commit that recorded requests, so they are dispatched at once instead of at the next sweep.
Poke = Callable[[], Awaitable[None]]


async def request_schedule(uow: UnitOfWork, project_id: uuid.UUID, reason: str) -> None:
    """Record that `project_id` needs a recompute, inside the caller's transaction."""
    uow.session.add(ScheduleRequest(project_id=project_id, reason=reason[:60]))
    await uow.session.flush()
    poke: Poke | None = uow.context.get("schedule_poke")
    if poke is not None and not uow.context.get("schedule_poke_registered"):
        uow.context["schedule_poke_registered"] = True
        uow.after_commit(poke)


async def pending_request_ids(session: AsyncSession, project_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(ScheduleRequest.id).where(
        ScheduleRequest.project_id == project_id, ScheduleRequest.done_at.is_(None)
    )
    return list((await session.execute(stmt)).scalars())
