"""Recording schedule requests: the transactional outbox of every date-moving write.

Services call `request_schedule` with their session (they never commit); the row commits or
rolls back with the change itself. The unit of work then pokes this process's relay once,
after the commit, so the recompute starts at once rather than at the next sweep.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.batching import current_batch
from app.models import ScheduleRequest

REQUESTED = "trueppm.schedule_requested"

# Task fields whose change can move a date (work fields like the name cannot).
SCHEDULE_FIELDS = frozenset(
    {
        "kind",
        "duration",
        "calendar_id",
        "constraint_type",
        "constraint_date",
        "deadline",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "priority",  # orders leveling (projects that level automatically)
    }
)


async def request_schedule(session: AsyncSession, project_id: uuid.UUID, reason: str) -> None:
    """Record that `project_id` needs a recompute, inside the caller's transaction (a bulk
    write collects it, and records one per project at its end: app/bulk.py)."""
    batch = current_batch(session.info)
    if batch is not None:
        batch.scheduled.append((project_id, reason))
        return
    session.add(ScheduleRequest(project_id=project_id, reason=reason[:60]))
    await session.flush()
    session.info[REQUESTED] = True


async def pending_request_ids(session: AsyncSession, project_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(ScheduleRequest.id).where(
        ScheduleRequest.project_id == project_id, ScheduleRequest.done_at.is_(None)
    )
    return list((await session.execute(stmt)).scalars())
