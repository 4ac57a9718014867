"""Deleting many old rows without one huge transaction.

`delete_in_batches` deletes the rows of a table matching a condition a batch at a time, each
batch in its own short transaction (ordered by primary key, so a batch touches a bounded,
index-ordered set of rows and never holds locks for long). A dry run counts instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

BATCH_SIZE = 5_000


async def delete_in_batches(
    sessions: async_sessionmaker[AsyncSession],
    model: Any,
    *conditions: ColumnElement[bool],
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Delete (or with `dry_run` count) the rows of `model` matching every condition; returns
    how many went (or would go). `model` must have an `id` primary key."""
    if dry_run:
        async with sessions() as session:
            stmt = select(func.count()).select_from(model).where(*conditions)
            return int((await session.execute(stmt)).scalar_one())
    deleted = 0
    while True:
        async with sessions() as session, session.begin():
            batch = select(model.id).where(*conditions).order_by(model.id).limit(batch_size)
            result = await session.execute(
                delete(model).where(model.id.in_(batch)).returning(model.id)
            )
            count = len(result.all())
        deleted += count
        if count < batch_size:
            return deleted


async def purge_before(
    sessions: async_sessionmaker[AsyncSession],
    model: Any,
    column: Any,
    days: int,
    *conditions: ColumnElement[bool],
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete (or count) the rows of `model` whose `column` is more than `days` ago and
    that match every condition: the shape of most retention steps."""
    if days < 1:
        raise ValueError("a retention window must be at least one day")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    return await delete_in_batches(
        sessions, model, *conditions, column.is_not(None), column < cutoff, dry_run=dry_run
    )
