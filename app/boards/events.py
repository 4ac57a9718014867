"""Board events of columns and cards; queued on the unit of work, sent after commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.events import BoardEvent, EventType, publish_after_commit
from app.models import BoardColumn, Task
from app.state import UnitOfWork


@dataclass(frozen=True)
class CardMovedPayload:
    """card_moved: the card's new column and rank; the board re-sorts by `boardRank`."""

    task_id: uuid.UUID
    server_version: int
    column_id: uuid.UUID
    from_column_id: uuid.UUID | None
    board_rank: str


@dataclass(frozen=True)
class ColumnPayload:
    """column_created / column_updated / column_deleted."""

    column_id: uuid.UUID
    server_version: int
    name: str
    category: str
    wip_limit: int | None
    rank: str
    is_deleted: bool


def card_moved(
    uow: UnitOfWork, actor: uuid.UUID, task: Task, from_column: uuid.UUID | None
) -> None:
    assert task.column_id is not None
    assert task.board_rank is not None
    payload = CardMovedPayload(
        task.id, task.server_version, task.column_id, from_column, task.board_rank
    )
    event = BoardEvent.make(task.project_id, EventType.CARD_MOVED, payload, actor)
    publish_after_commit(uow, event)


def column_event(uow: UnitOfWork, actor: uuid.UUID, kind: EventType, column: BoardColumn) -> None:
    payload = ColumnPayload(
        column.id,
        column.server_version,
        column.name,
        column.category,
        column.wip_limit,
        column.rank,
        column.is_deleted,
    )
    publish_after_commit(uow, BoardEvent.make(column.project_id, kind, payload, actor))
