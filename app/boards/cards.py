"""Moving a card: the board's `moveTask(taskId, columnId, beforeId/afterId)`.

One row changes (the task's column, key and version); see `app.boards.placement` for why
concurrent moves cannot produce duplicate or lost positions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boards import events
from app.boards.placement import card_rank, claim_card_rank, wanted_rank
from app.errors import ConflictError, FieldProblem, ForbiddenError, NotFoundError, ValidationFailed
from app.models import BoardColumn, Task
from app.models.enums import Role, TaskKind
from app.state import UnitOfWork
from app.tasks.repository import load_task, lock_project
from app.versioning import versioned_update


@dataclass(frozen=True)
class CardMove:
    task_id: uuid.UUID
    column_id: uuid.UUID
    before_id: uuid.UUID | None = None
    after_id: uuid.UUID | None = None
    expected_version: int | None = None
    # An order key chosen by an offline client (sync push) instead of an anchor: used as is
    # unless another card of the column holds it (`placement.claim_rank`).
    rank: str | None = None


async def _anchor(
    session: AsyncSession, move: CardMove, project_id: uuid.UUID
) -> tuple[Task | None, bool]:
    if move.before_id is not None and move.after_id is not None:
        raise ValidationFailed([FieldProblem(("afterId",), "give beforeId or afterId")])
    anchor_id = move.before_id or move.after_id
    if anchor_id is None:
        return None, False
    anchor = (
        await session.execute(
            select(Task).where(
                Task.id == anchor_id,
                Task.project_id == project_id,
                Task.column_id == move.column_id,
                Task.is_deleted.is_(False),
            )
        )
    ).scalar_one_or_none()
    name = "beforeId" if move.before_id else "afterId"
    if anchor is None or anchor.id == move.task_id:
        raise ValidationFailed([FieldProblem((name,), "is not another card of that column")])
    return anchor, move.before_id is not None


async def move_card(uow: UnitOfWork, user_id: uuid.UUID, move: CardMove) -> Task:
    """Put a task in `column_id`, last or just before/after a card there (Team Member)."""
    session = uow.session
    task, role = await load_task(session, user_id, move.task_id)
    if role < Role.TEAM_MEMBER:
        raise ForbiddenError("this needs the Team Member role on the project")
    # Lock order project -> column -> task, as everywhere, all `FOR NO KEY UPDATE` (see
    # app.boards.placement): the sync trigger takes the project on the task UPDATE anyway, so
    # taking it first avoids a column/project deadlock.
    await lock_project(session, task.project_id)
    column = (
        await session.execute(
            select(BoardColumn.id)
            .where(
                BoardColumn.id == move.column_id,
                BoardColumn.project_id == task.project_id,
                BoardColumn.is_deleted.is_(False),
            )
            .with_for_update(key_share=True)  # serializes every move into this column
        )
    ).scalar_one_or_none()
    if column is None:
        raise ValidationFailed([FieldProblem(("columnId",), "no such column on this board")])
    # Re-read under the task's row lock: a concurrent move of the same card committed first.
    try:
        task, _ = await load_task(session, user_id, move.task_id, for_update=True)
    except NotFoundError:
        raise NotFoundError("task not found") from None
    if move.expected_version is not None and task.server_version != move.expected_version:
        raise ConflictError(
            f"task changed since version {move.expected_version}; reload and retry",
            task.server_version,
        )
    if task.kind == TaskKind.SUMMARY.value:
        raise ValidationFailed([FieldProblem(("taskId",), "summary tasks are not board cards")])
    if move.rank is not None:
        wanted = wanted_rank(move.rank, ("boardRank",))
        rank = await claim_card_rank(session, move.column_id, task.id, wanted)
    else:
        anchor, before = await _anchor(session, move, task.project_id)
        rank = await card_rank(session, move.column_id, task.id, anchor, before=before)
    from_column = task.column_id
    moved = await versioned_update(
        session, Task, task.id, {"column_id": move.column_id, "board_rank": rank}, label="task"
    )
    events.card_moved(uow, user_id, moved, from_column)
    return moved
