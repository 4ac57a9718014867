"""20 clients moving cards at once, each on its own database connection: the column order
stays consistent (no duplicate keys, no lost or doubled cards), and the order respects every
move's anchor; moves mixed with edits, new cards and links of the same cards never deadlock."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.boards.cards import CardMove, move_card
from app.db import create_engine, session_factory
from app.events.publish import SESSION_INFO_KEY
from app.models import BoardColumn, Dependency, SprintTaskLog, Task
from app.sprints import service as sprints
from app.state import AppState, UnitOfWork, unit_of_work
from app.tasks.dependencies import create_dependency
from app.tasks.placement import Target
from app.tasks.service import create_task, update_task
from tests.factories import make_project, make_user, make_workspace
from tests.graph.programs.factories import put_in_program
from tests.graph.workspaces.factories import make_program

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
                select(BoardColumn.name, BoardColumn.id).where(BoardColumn.project_id == project.id)
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


async def _program_pair(db: AppState) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(owner, project Q holding the cards, project P in the same program) for cross-project
    links from Q's cards into P."""
    owner = await make_user(db)
    workspace = await make_workspace(db, owner)
    program = await make_program(db, workspace)
    q = await make_project(db, workspace)
    p = await make_project(db, workspace)
    await put_in_program(db, program, q, p)
    return owner.id, q.id, p.id


async def test_moves_edits_and_links_on_one_project_never_deadlock(
    db: AppState, engine: AsyncEngine
) -> None:
    """Rounds of twenty clients at once on one project: card moves (some into Done, which
    also logs the sprint burndown), field edits of the same cards (`versioned_update`), new
    cards (`lock_column` on the first column) and cross-project links from those cards (whose
    foreign-key checks lock the card and then its project). Every client must succeed: a
    deadlock would abort one with 40P01."""
    user, q, p = await _program_pair(db)
    sessions = _sessions(engine, db)
    top = Target(None, None, None, ("p",), ("b",), ("a",))
    cards, targets = [], []
    async with unit_of_work(db.sessions) as uow:
        for n in range(8):
            cards.append((await create_task(uow.session, user, q, {"name": f"c{n}"}, top)).id)
            targets.append((await create_task(uow.session, user, p, {"name": f"t{n}"}, top)).id)
        columns = {
            name: column_id
            for name, column_id in (
                await uow.session.execute(
                    select(BoardColumn.name, BoardColumn.id).where(BoardColumn.project_id == q)
                )
            ).all()
        }
    async with unit_of_work(db.sessions) as uow:
        dates = {"start_date": dt.date(2026, 1, 5), "end_date": dt.date(2026, 1, 16)}
        sprint = await sprints.create_sprint(uow, user, q, {"name": "S", **dates})
        await sprints.add_tasks(uow, user, sprint.id, cards)
        await sprints.start_sprint(uow, user, sprint.id, None)
    rng = random.Random(5)
    names = list(columns)
    final_column: dict[uuid.UUID, uuid.UUID] = {}
    for round_ in range(4):
        work: list[Callable[[UnitOfWork], Awaitable[object]]] = []
        for n, card in enumerate(cards):
            column = columns[names[(n + round_) % len(names)]]
            final_column[card] = column
            work.append(partial(_move, user, CardMove(card, column)))
            changes = {"name": f"c{n}-{round_}", "story_points": round_ + n}
            work.append(partial(_edit, user, card, changes))
        for n in range(2):
            work.append(partial(_new_card, user, q, f"new-{round_}-{n}", top))
        pairs = rng.sample([(c, t) for c in cards for t in targets], 2)
        work.extend(partial(_link, user, c, t) for c, t in pairs)
        failures = await _all_at_once(sessions, work)
        assert failures == [], failures
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Task.id, Task.name, Task.column_id).where(Task.id.in_(cards))
            )
        ).all()
        links = await session.scalar(
            select(func.count())
            .select_from(Dependency)
            .where(Dependency.predecessor_project_id == q)
        )
        logged = (
            await session.execute(
                select(SprintTaskLog.task_id, SprintTaskLog.done)
                .where(SprintTaskLog.task_id.in_(cards))
                .order_by(SprintTaskLog.id)
            )
        ).all()
    assert {row.id: row.column_id for row in rows} == final_column
    # The burndown log's last word on each card agrees with the column it ended in.
    last_logged = {task_id: done for task_id, done in logged}
    assert last_logged == {c: final_column[c] == columns["Done"] for c in cards}
    assert sorted(row.name for row in rows) == sorted(f"c{n}-3" for n in range(8))
    assert links == 8
    for column in columns.values():
        order = await _order(db, column)
        assert len({rank for _, rank in order}) == len(order)


async def _all_at_once(
    sessions: async_sessionmaker[AsyncSession],
    work: list[Callable[[UnitOfWork], Awaitable[object]]],
) -> list[BaseException]:
    """Run each piece of work in its own transaction, all released together; the failures."""
    start = asyncio.Event()

    async def client(piece: Callable[[UnitOfWork], Awaitable[object]]) -> None:
        await start.wait()
        async with unit_of_work(sessions) as uow:
            await piece(uow)

    runners = [asyncio.create_task(client(piece)) for piece in work]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*runners, return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


async def _move(user: uuid.UUID, move: CardMove, uow: UnitOfWork) -> object:
    return await move_card(uow, user, move)


async def _edit(
    user: uuid.UUID, task: uuid.UUID, changes: dict[str, object], uow: UnitOfWork
) -> object:
    return await update_task(uow.session, user, task, dict(changes), None)


async def _new_card(
    user: uuid.UUID, project: uuid.UUID, name: str, top: Target, uow: UnitOfWork
) -> object:
    return await create_task(uow.session, user, project, {"name": name}, top)


async def _link(user: uuid.UUID, pred: uuid.UUID, succ: uuid.UUID, uow: UnitOfWork) -> object:
    return await create_dependency(uow.session, user, pred, succ, {})
