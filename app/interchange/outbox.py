"""The relay's side of the import outbox: claim PENDING imports (and DISPATCHED ones whose
worker vanished) and hand each to a dispatcher once.

Claiming sets DISPATCHED, the time and one more attempt in the claiming transaction; if the
dispatch fails (the queue is down) the transaction rolls back and the rows stay as they were.
`FOR UPDATE SKIP LOCKED` keeps two relays from claiming one row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ImportRequest
from app.state import unit_of_work

Dispatch = Callable[[uuid.UUID], Awaitable[None]]


async def relay_imports(
    sessions: async_sessionmaker[AsyncSession],
    dispatch: Dispatch,
    *,
    reclaim_after: timedelta = timedelta(minutes=5),
    limit: int = 100,
) -> list[uuid.UUID]:
    """Dispatch every claimable import; return their ids."""
    async with unit_of_work(sessions) as uow:
        stale = func.now() - reclaim_after
        claimable = or_(
            ImportRequest.state == "PENDING",
            and_(ImportRequest.state == "DISPATCHED", ImportRequest.dispatched_at < stale),
        )
        ids = list(
            (
                await uow.session.execute(
                    select(ImportRequest.id)
                    .where(ImportRequest.ended_at.is_(None), claimable)
                    .order_by(ImportRequest.created_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        for ident in ids:
            await dispatch(ident)
        if ids:
            await uow.session.execute(
                update(ImportRequest)
                .where(ImportRequest.id.in_(ids))
                .values(
                    state="DISPATCHED",
                    dispatched_at=func.now(),
                    attempts=ImportRequest.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
    return ids
