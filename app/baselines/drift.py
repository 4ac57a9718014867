"""Baseline drift: after a recompute, did the project finish slip past the active baseline?

Called by `app.scheduling.recompute` inside its transaction (one indexed query); the event
itself goes out with the run's announcement, after the commit. It fires when the new finish
is after the baseline's and later than the finish before this run — a new or further slip —
not on every recompute while the project stays late.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.baselines.workdays import WorkingDays
from app.events.types import BaselineDriftPayload
from app.models import Baseline


async def detect_drift(
    session: AsyncSession,
    project_id: uuid.UUID,
    previous_finish: date | None,
    new_finish: date | None,
    calendar: engine.Calendar,
) -> BaselineDriftPayload | None:
    if new_finish is None or (previous_finish is not None and new_finish <= previous_finish):
        return None
    active = (
        await session.execute(
            select(Baseline).where(
                Baseline.project_id == project_id,
                Baseline.is_active.is_(True),
                Baseline.is_deleted.is_(False),
            )
        )
    ).scalar_one_or_none()
    if active is None or active.project_finish is None or new_finish <= active.project_finish:
        return None
    return BaselineDriftPayload(
        baseline_id=active.id,
        baseline_name=active.name,
        baseline_finish=active.project_finish,
        project_finish=new_finish,
        previous_finish=previous_finish,
        variance_working_days=WorkingDays(calendar).between(active.project_finish, new_finish),
    )
