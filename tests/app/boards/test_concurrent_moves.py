"""20 clients moving cards at once, each on its own database connection: the column order
stays consistent (no duplicate keys, no lost or doubled cards), and the order respects every
move's anchor."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.boards.cards import CardMove, move_card
from app.db import create_engine, session_factory
from app.events.publish import SESSION_INFO_KEY
from app.models import BoardColumn, Task
from app.state import AppState, unit_of_work
from app.tasks.placement import Target
from app.tasks.service import create_task
from tests.factories import make_project, make_user, make_workspace

CLIENTS = 20


@pytest.fixture
async def engine(db: AppState) -> AsyncIterator[AsyncEngine]:
    """A separate pool of 20 real connections (the app's pool is smaller)."""
    engine = create_engine(db.database_url, pool_size=CLIENTS)
    yield engine
    await engine.dispose()


def _sessions(engine: AsyncEngine, db: AppState) -> async_sessionmaker[AsyncSession]:
    sessions = session_factory(engine)
    sessions.configure(info={SESSION_INFO_KEY: db.events})
    return sessions


async def _setup(db: AppState, cards: int) -> tuple[uuid.UUID, dict[str, uuid.UUID], list]:  # type: ignore[type-arg]
    owner = await make_user(db)
    project = await make_project(db, await make_workspace(db, owner))
    ids = []
    for n in range(cards):
        async with unit_of_work(db.sessions) as uow:
            target = Target(None, None, None, ("p",), ("b",), ("a",))
            task = await create_task(uow.session, owner.id, project.id, {"name": f"c{n}"}, target)
            ids.append(task.id)
    async with db.sessions() as session:
        columns = (
            await session.execute(
                select(BoardColumn.name, BoardColumn.id).where(
                    BoardColumn.project_id == project.id
                )
            )
        ).all()
    return owner.id, {name: column_id for name, column_id in columns}, ids


async def _order(db: AppState, column_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Task.id, Task.board_rank)
            .where(Task.column_id == column_id, Task.is_deleted.is_(False))
            .order_by(Task.board_rank)
        )
        return [(row[0], row[1]) for row in rows.all()]


async def _run_all(
    sessions: async_sessionmaker[AsyncSession], user: uuid.UUID, moves: list[CardMove]
) -> None:
    start = asyncio.Event()

    async def client(move: CardMove) -> None:
        await start.wait()
        async with unit_of_work(sessions) as uow:
            await move_card(uow, user, move)

    runners = [asyncio.create_task(client(m)) for m in moves]
    await asyncio.sleep(0.05)
    start.set()
    await asyncio.gather(*runners)


async def test_twenty_clients_insert_after_the_same_card(db: AppState, engine: AsyncEngine) -> None:
    user, columns, cards = await _setup(db, CLIENTS + 1)
    anchor, movers = cards[0], cards[1:]
    sessions = _sessions(engine, db)
    await _run_all(sessions, user, [CardMove(anchor, columns["Done"])])
    # All twenty target the same gap (right after the anchor): without the column lock they
    # would compute the same key and collide.
    await _run_all(sessions, user, [CardMove(t, columns["Done"], after_id=anchor) for t in movers])
    done = await _order(db, columns["Done"])
    assert len(done) == CLIENTS + 1
    assert done[0][0] == anchor
    assert {t for t, _ in done} == set(cards)
    assert len({rank for _, rank in done}) == len(done)
    assert await _order(db, columns["To Do"]) == []


async def test_twenty_clients_shuffling_one_column_keep_a_consistent_order(
    db: AppState, engine: AsyncEngine
) -> None:
    user, columns, cards = await _setup(db, 30)
    sessions = _sessions(engine, db)
    rng = random.Random(20)
    movers = rng.sample(cards, CLIENTS)
    stay = [t for t in cards if t not in movers]  # anchors that do not move themselves
    targets = list(columns.values())
    moves = []
    for task in movers:
        column = rng.choice(targets)
        anchor = stay[0] if column == columns["To Do"] else None
        before = rng.random() < 0.5
        moves.append(
            CardMove(
                task,
                column,
                before_id=anchor if before else None,
                after_id=None if before else anchor,
            )
        )
    await _run_all(sessions, user, moves)
    seen: list[uuid.UUID] = []
    for column in targets:
        order = await _order(db, column)
        assert len({rank for _, rank in order}) == len(order), "duplicate position"
        assert [r for _, r in order] == sorted(r for _, r in order)
        seen.extend(t for t, _ in order)
    assert sorted(seen) == sorted(cards), "a card was lost or doubled"
    final = {t: c for c in targets for t, _ in await _order(db, c)}
    for move in moves:
        assert final[move.task_id] == move.column_id
    todo = [t for t, _ in await _order(db, columns["To Do"])]
    for move in moves:
        if move.before_id is not None:
            assert todo.index(move.task_id) < todo.index(move.before_id)
        if move.after_id is not None:
            assert todo.index(move.task_id) > todo.index(move.after_id)
