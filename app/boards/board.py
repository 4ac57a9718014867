"""The board read: a project's columns with their ordered cards, filtered.

Three statements whatever the number of cards: the caller's role, the columns with their
unfiltered card counts (for WIP limits), and the filtered cards in (column, key) order.
Summary tasks are not cards: their progress is their children's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Table, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.authz import project_role
from app.errors import NotFoundError
from app.models import BoardColumn, Task, TaskLabel
from app.models.enums import TaskKind


@dataclass(frozen=True)
class BoardFilter:
    """Cards must match every given criterion; within a list, any value matches."""

    assignee_ids: tuple[uuid.UUID, ...] = ()
    label_ids: tuple[uuid.UUID, ...] = ()
    sprint_ids: tuple[uuid.UUID, ...] = ()
    critical_only: bool = False


@dataclass
class Lane:
    column: BoardColumn
    card_count: int
    cards: list[Row[Any]] = field(default_factory=list)  # plain rows of the task table

    @property
    def wip_exceeded(self) -> bool:
        limit = self.column.wip_limit
        return limit is not None and self.card_count > limit


def _card_filter(project_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [
        Task.project_id == project_id,
        Task.is_deleted.is_(False),
        Task.kind != TaskKind.SUMMARY.value,
        Task.column_id.is_not(None),
    ]


async def load_board(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, wanted: BoardFilter
) -> list[Lane] | None:
    """The lanes of a visible project's board in column order, or None when not visible."""
    try:
        await project_role(session, user_id, project_id)
    except NotFoundError:
        return None
    counts = (
        select(Task.column_id, func.count().label("n"))
        .where(*_card_filter(project_id))
        .group_by(Task.column_id)
        .subquery()
    )
    columns = await session.execute(
        select(BoardColumn, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.column_id == BoardColumn.id)
        .where(BoardColumn.project_id == project_id, BoardColumn.is_deleted.is_(False))
        .order_by(BoardColumn.rank)
    )
    lanes = {column.id: Lane(column, int(n)) for column, n in columns.all()}
    where = _card_filter(project_id)
    if wanted.assignee_ids:
        where.append(Task.assignee_id.in_(wanted.assignee_ids))
    if wanted.label_ids:
        where.append(
            exists().where(
                TaskLabel.task_id == Task.id,
                TaskLabel.label_id.in_(wanted.label_ids),
                TaskLabel.is_deleted.is_(False),
            )
        )
    if wanted.sprint_ids:
        where.append(Task.sprint_id.in_(wanted.sprint_ids))
    if wanted.critical_only:
        where.append(Task.is_critical.is_(True))
    # Plain rows, not ORM objects: a board of 1,000 cards is a hot read, and each row reads
    # like a `Task` (same attribute names) without an identity map to fill.
    table = Task.__table__
    assert isinstance(table, Table)
    cards = await session.execute(
        select(table).where(*where).order_by(table.c.board_rank, table.c.id)
    )
    for card in cards.all():
        lane = lanes.get(card.column_id) if card.column_id else None
        if lane is not None:
            lane.cards.append(card)
    return list(lanes.values())
