"""Where a card or column goes: order keys from neighbours, under a row lock.

A card move locks its *destination column* row before reading the neighbours, so moves into
one column are serialized and each computes its key from committed neighbours: no two live
cards of a column can get the same key (a unique index also guards it). Leaving a column
needs no lock, since removing a card never changes the others' order.

Lock order everywhere: project row, then column row, then task row, so no deadlock cycle;
`lock_column` takes the column's project itself, so no caller can get the order wrong. (The
sync trigger, app/sync/ddl.py, also takes the project row on every task write, so today
writers of one project are serialized as a whole; the column lock keeps the key invariant
independent of that.) Every one of these locks is `FOR NO KEY UPDATE`: it serializes the
writers just as well as `FOR UPDATE`, and unlike it never waits for the `FOR KEY SHARE`
locks of foreign-key checks, so an insert referencing a card (a link, a comment) cannot
join a wait cycle with a move (tests/app/boards/test_lock_order.py).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app import ranks
from app.errors import FieldProblem, ValidationFailed
from app.models import BoardColumn, Task
from app.sync.locks import lock_project_of


async def lock_column(session: AsyncSession, column_id: uuid.UUID) -> None:
    """Lock the column's project, then the column (a no-op for a lock already held)."""
    await lock_project_of(session, BoardColumn, column_id)
    await session.execute(
        select(BoardColumn.id).where(BoardColumn.id == column_id).with_for_update(key_share=True)
    )


def rank_among(
    siblings: list[tuple[uuid.UUID, str]],
    before_id: uuid.UUID | None,
    after_id: uuid.UUID | None,
    path: tuple[str, ...] = ("input",),
) -> str:
    """A key placing an item among `siblings` (id, key in order): last, or by an anchor."""
    if before_id is not None and after_id is not None:
        raise ValidationFailed([FieldProblem((*path, "afterId"), "give beforeId or afterId")])
    anchor = before_id or after_id
    if anchor is None:
        return ranks.key_between(siblings[-1][1] if siblings else None, None)
    ids = [i for i, _ in siblings]
    if anchor not in ids:
        name = "beforeId" if before_id else "afterId"
        raise ValidationFailed([FieldProblem((*path, name), "is not another item here")])
    at = ids.index(anchor)
    if before_id is not None:
        low = siblings[at - 1][1] if at > 0 else None
        return ranks.key_between(low, siblings[at][1])
    high = siblings[at + 1][1] if at + 1 < len(siblings) else None
    return ranks.key_between(siblings[at][1], high)


def wanted_rank(key: str, path: tuple[str, ...]) -> str:
    """A client-chosen order key (offline sync), if well formed and short enough to store."""
    try:
        ranks.validate(key)
    except ranks.RankError as error:
        raise ValidationFailed([FieldProblem(path, str(error))]) from None
    if len(key) > 64:
        raise ValidationFailed([FieldProblem(path, "must be at most 64 characters")])
    return key


def claim_rank(taken: list[str], key: str) -> str:
    """`key` itself when no sibling holds it, else a key just after it (before the next one).

    Offline clients compute keys between the neighbours they saw; honouring them exactly keeps
    the order of several items placed in one push, where re-deriving each from anchors would
    compare the client's keys with keys the server has just made up."""
    if key not in taken:
        return key
    higher = [k for k in taken if k > key]
    return ranks.key_between(key, min(higher) if higher else None)


async def claim_card_rank(
    session: AsyncSession, column_id: uuid.UUID, moving: uuid.UUID, key: str
) -> str:
    """`claim_rank` among the live cards of a column (whose row must be locked)."""
    cards = _live_cards(column_id, moving)
    clash = select(Task.id).where(*cards, Task.board_rank == key).limit(1)
    if (await session.execute(clash)).first() is None:
        return key
    high = select(func.min(Task.board_rank)).where(*cards, Task.board_rank > key)
    return ranks.key_between(key, (await session.execute(high)).scalar_one_or_none())


def _live_cards(column_id: uuid.UUID, moving: uuid.UUID | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Task.column_id == column_id, Task.is_deleted.is_(False)]
    if moving is not None:
        where.append(Task.id != moving)
    return where


async def card_rank(
    session: AsyncSession,
    column_id: uuid.UUID,
    moving: uuid.UUID | None,
    anchor: Task | None,
    *,
    before: bool,
) -> str:
    """The key for a card going last in the column, or just before/after `anchor` (already
    checked to be a live card of the column). The column row must be locked."""
    cards = _live_cards(column_id, moving)
    if anchor is None:
        last = select(func.max(Task.board_rank)).where(*cards)
        return ranks.key_between((await session.execute(last)).scalar_one_or_none(), None)
    assert anchor.board_rank is not None
    if before:
        low = select(func.max(Task.board_rank)).where(*cards, Task.board_rank < anchor.board_rank)
        return ranks.key_between(
            (await session.execute(low)).scalar_one_or_none(), anchor.board_rank
        )
    high = select(func.min(Task.board_rank)).where(*cards, Task.board_rank > anchor.board_rank)
    return ranks.key_between(anchor.board_rank, (await session.execute(high)).scalar_one_or_none())


async def first_column(session: AsyncSession, project_id: uuid.UUID) -> uuid.UUID | None:
    """The leftmost live column of a project (where new cards go), or None."""
    stmt = (
        select(BoardColumn.id)
        .where(BoardColumn.project_id == project_id, BoardColumn.is_deleted.is_(False))
        .order_by(BoardColumn.rank)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def new_card_slot(
    session: AsyncSession, project_id: uuid.UUID
) -> tuple[uuid.UUID | None, str | None]:
    """(column, key) for a task about to be created: the bottom of the project's first
    column, or (None, None) without columns. Set on the INSERT itself, so creating a task
    is one write (history records a single creation)."""
    column_id = await first_column(session, project_id)
    if column_id is None:
        return None, None
    await lock_column(session, column_id)
    return column_id, await card_rank(session, column_id, None, None, before=False)


async def append_cards(
    session: AsyncSession, column_id: uuid.UUID, task_ids: list[uuid.UUID]
) -> None:
    """Move `task_ids` (in order) to the end of `column_id`, bumping their versions."""
    await lock_column(session, column_id)
    last = select(func.max(Task.board_rank)).where(*_live_cards(column_id, None))
    keys = ranks.keys_after((await session.execute(last)).scalar_one_or_none(), len(task_ids))
    # Core (not ORM) executemany: one prepared UPDATE run once per card.
    table = Task.__table__
    assert isinstance(table, Table)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("task_id"))
        .values(
            column_id=column_id,
            board_rank=bindparam("rank"),
            server_version=table.c.server_version + 1,
        )
    )
    await session.execute(
        stmt, [{"task_id": t, "rank": k} for t, k in zip(task_ids, keys, strict=True)]
    )
