"""Board columns: defaults for a new project, create, update (incl. re-order), delete.

Column structure changes lock the project row, like WBS edits, so two concurrent column
inserts never compute the same order key. Services flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import ranks
from app.authz import require_project_role
from app.boards import events
from app.boards.placement import (
    append_cards,
    claim_rank,
    lock_column,
    rank_among,
    wanted_rank,
)
from app.errors import FieldProblem, NotFoundError, ValidationFailed
from app.events import EventType
from app.models import BoardColumn, Task
from app.models.enums import ColumnCategory, Role
from app.state import UnitOfWork
from app.tasks.repository import lock_project
from app.versioning import soft_delete, versioned_update

CATEGORIES = tuple(c.value for c in ColumnCategory)
DEFAULT_COLUMNS = (("To Do", "todo"), ("In Progress", "in_progress"), ("Done", "done"))
"""A new project's columns (the peer's workflow states "To Do", "In Progress", plus Done)."""


async def create_default_columns(session: AsyncSession, project_id: uuid.UUID) -> None:
    """The default columns of a brand-new project (no event: nobody watches it yet)."""
    keys = ranks.keys_after(None, len(DEFAULT_COLUMNS))
    for (name, category), rank in zip(DEFAULT_COLUMNS, keys, strict=True):
        session.add(BoardColumn(project_id=project_id, name=name, category=category, rank=rank))
    await session.flush()


def _problems(values: Mapping[str, Any]) -> list[FieldProblem]:
    problems = []
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            problems.append(FieldProblem(("input", "name"), "must not be blank"))
        elif len(name) > 100:
            problems.append(FieldProblem(("input", "name"), "must be at most 100 characters"))
    if "category" in values and values["category"] not in CATEGORIES:
        problems.append(FieldProblem(("input", "category"), "must be TODO, IN_PROGRESS or DONE"))
    limit = values.get("wip_limit")
    if limit is not None and limit < 1:
        problems.append(FieldProblem(("input", "wipLimit"), "must be at least 1 (or null)"))
    return problems


async def _check(
    session: AsyncSession,
    project_id: uuid.UUID,
    values: dict[str, Any],
    exclude: uuid.UUID | None = None,
) -> None:
    problems = _problems(values)
    if "name" in values and not problems:
        values["name"] = values["name"].strip()
        clash = select(BoardColumn.id).where(
            BoardColumn.project_id == project_id,
            BoardColumn.is_deleted.is_(False),
            func.lower(BoardColumn.name) == values["name"].lower(),
        )
        if exclude is not None:
            clash = clash.where(BoardColumn.id != exclude)
        if (await session.execute(clash.limit(1))).first() is not None:
            problems.append(FieldProblem(("input", "name"), "a column with this name exists"))
    if problems:
        raise ValidationFailed(problems)


async def _column_ranks(
    session: AsyncSession, project_id: uuid.UUID, exclude: uuid.UUID | None
) -> list[tuple[uuid.UUID, str]]:
    stmt = (
        select(BoardColumn.id, BoardColumn.rank)
        .where(BoardColumn.project_id == project_id, BoardColumn.is_deleted.is_(False))
        .order_by(BoardColumn.rank)
    )
    if exclude is not None:
        stmt = stmt.where(BoardColumn.id != exclude)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def load_column(
    session: AsyncSession, user_id: uuid.UUID, column_id: uuid.UUID, minimum: Role
) -> BoardColumn:
    """A live column whose project the caller may see with at least `minimum`."""
    column = (
        await session.execute(
            select(BoardColumn).where(
                BoardColumn.id == column_id, BoardColumn.is_deleted.is_(False)
            )
        )
    ).scalar_one_or_none()
    if column is None:
        raise NotFoundError("column not found")
    try:
        await require_project_role(session, user_id, column.project_id, minimum)
    except NotFoundError:
        raise NotFoundError("column not found") from None
    return column


def _placed(
    siblings: list[tuple[uuid.UUID, str]],
    before_id: uuid.UUID | None,
    after_id: uuid.UUID | None,
    rank: str | None,
) -> str:
    """The order key: by anchor (GraphQL) or the client's own key (sync push)."""
    if rank is None:
        return rank_among(siblings, before_id, after_id)
    return claim_rank([key for _, key in siblings], wanted_rank(rank, ("input", "rank")))


async def create_column(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    values: dict[str, Any],
    before_id: uuid.UUID | None,
    after_id: uuid.UUID | None,
    *,
    column_id: uuid.UUID | None = None,
    rank: str | None = None,
) -> BoardColumn:
    """A new column, last or just before/after another one (Project Manager). An offline
    client (sync push) chooses the id and may give its own order key `rank` instead."""
    session = uow.session
    await require_project_role(session, user_id, project_id, Role.PROJECT_MANAGER)
    await _check(session, project_id, values)
    await lock_project(session, project_id)
    siblings = await _column_ranks(session, project_id, None)
    column = BoardColumn(
        id=column_id or uuid.uuid4(),
        project_id=project_id,
        rank=_placed(siblings, before_id, after_id, rank),
        **values,
    )
    session.add(column)
    await session.flush()
    events.column_event(uow, user_id, EventType.COLUMN_CREATED, column)
    return column


async def update_column(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    column_id: uuid.UUID,
    values: dict[str, Any],
    before_id: uuid.UUID | None,
    after_id: uuid.UUID | None,
    expected_version: int | None,
    *,
    rank: str | None = None,
) -> BoardColumn:
    """Rename, re-categorize, set/clear the WIP limit and/or re-order (Project Manager), by
    anchor or (sync push) by the client's own order key `rank`."""
    session = uow.session
    column = await load_column(session, user_id, column_id, Role.PROJECT_MANAGER)
    await _check(session, column.project_id, values, exclude=column_id)
    if before_id is not None or after_id is not None or rank is not None:
        await lock_project(session, column.project_id)
        others = await _column_ranks(session, column.project_id, column_id)
        values["rank"] = _placed(others, before_id, after_id, rank)
    updated = await versioned_update(
        session, BoardColumn, column_id, values, expected_version=expected_version, label="column"
    )
    events.column_event(uow, user_id, EventType.COLUMN_UPDATED, updated)
    return updated


async def delete_column(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    column_id: uuid.UUID,
    move_cards_to: uuid.UUID | None,
    expected_version: int | None,
) -> tuple[BoardColumn, list[uuid.UUID]]:
    """Tombstone a column (Project Manager). Its cards go to the end of `move_cards_to`, which
    is required while it holds any; the last column of a project cannot be deleted."""
    session = uow.session
    column = await load_column(session, user_id, column_id, Role.PROJECT_MANAGER)
    await lock_project(session, column.project_id)
    await lock_column(session, column_id)  # no card moves in while we empty it
    others = await _column_ranks(session, column.project_id, column_id)
    if not others:
        raise ValidationFailed.single("id", "a board needs at least one column")
    cards = list(
        (
            await session.execute(
                select(Task.id)
                .where(Task.column_id == column_id, Task.is_deleted.is_(False))
                .order_by(Task.board_rank)
            )
        ).scalars()
    )
    if cards:
        if move_cards_to is None or move_cards_to not in {i for i, _ in others}:
            raise ValidationFailed.single(
                "moveCardsTo", f"the column holds {len(cards)} cards: name another column"
            )
        await append_cards(session, move_cards_to, cards)
    gone = await soft_delete(
        session, BoardColumn, column_id, expected_version=expected_version, label="column"
    )
    events.column_event(uow, user_id, EventType.COLUMN_DELETED, gone)
    return gone, cards
