"""Versioned writes: `server_version` is bumped inside the UPDATE statement itself.

No read-modify-write: the database increments the counter atomically, so fifty concurrent
updates of one row leave it at version 51. When the client sends the version it last saw,
the same statement checks it and a stale write becomes a `ConflictError`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.errors import ConflictError, NotFoundError
from app.models.base import Versioned
from app.sync.locks import lock_project_of

M = TypeVar("M", bound=Versioned)


async def versioned_update(
    session: AsyncSession,
    model: type[M],
    row_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    where: tuple[ColumnElement[bool], ...] = (),
    label: str = "object",
) -> M:
    """Apply `values` and bump the version atomically; return the updated row."""
    # The project first, then the row: the same order as lock_project() writers, so the
    # sync trigger's project lock never comes after a row lock another writer waits on.
    await lock_project_of(session, model, row_id)
    stmt = (
        update(model)
        .where(model.id == row_id, model.is_deleted.is_(False), *where)
        .values(**values, server_version=model.server_version + 1)
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    if expected_version is not None:
        stmt = stmt.where(model.server_version == expected_version)
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is not None:
        return row
    current = (
        await session.execute(
            select(model.server_version).where(
                model.id == row_id, model.is_deleted.is_(False), *where
            )
        )
    ).scalar_one_or_none()
    if current is None:
        raise NotFoundError(f"{label} not found")
    raise ConflictError(
        f"{label} changed since version {expected_version}; reload and retry", current
    )


async def soft_delete(
    session: AsyncSession,
    model: type[M],
    row_id: uuid.UUID,
    *,
    expected_version: int | None = None,
    where: tuple[ColumnElement[bool], ...] = (),
    label: str = "object",
) -> M:
    """Tombstone a row: `is_deleted`, with `deleted_version` = the new server_version."""
    return await versioned_update(
        session,
        model,
        row_id,
        {"is_deleted": True, "deleted_version": model.server_version + 1},
        expected_version=expected_version,
        where=where,
        label=label,
    )
