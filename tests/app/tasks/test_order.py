"""The WBS order computed in Python (app/tasks/order.py) is the SQL's (`wbs_order`) exactly —
random trees with deleted tasks, deleted ancestors and ranks of any bytes, checked against
PostgreSQL — and the cached order follows every write to the project's tasks."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import select, update

from app.models import Task
from app.state import AppState
from app.tasks.order import ORDERS, WbsOrders, compute, version_of
from app.tasks.repository import outlines, wbs_order
from tests.graph.tasks.factories import make_world

# Ranks from the rank alphabet and beyond it (C collation compares bytes).
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!-._~"


async def _random_tree(db: AppState, project_id: uuid.UUID, rng: random.Random) -> None:
    paths: list[str] = []
    async with db.sessions() as session, session.begin():
        for _ in range(rng.randint(5, 60)):
            tid = uuid.uuid4()
            parent = rng.choice(paths) if paths and rng.random() < 0.7 else None
            path = f"{parent}.t{tid.hex}" if parent else f"t{tid.hex}"
            rank = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
            session.add(
                Task(
                    id=tid, project_id=project_id, wbs_path=path, wbs_rank=rank, name=path[-6:],
                    is_deleted=rng.random() < 0.15, deleted_version=1,
                )
            )  # fmt: skip
            paths.append(path)


async def test_python_order_is_the_sql_order(db: AppState) -> None:
    world = await make_world(db)
    for seed in range(12):
        project = world.project.id if seed == 0 else (await make_world(db)).project.id
        await _random_tree(db, project, random.Random(seed))
        async with db.sessions() as session:
            sql = await outlines(session, [project])
            sub = wbs_order(Task.project_id == project).subquery()
            order = list(await session.scalars(select(sub.c.id).order_by(sub.c.sort_key, sub.c.id)))
            rows = (
                await session.execute(
                    select(Task.id, Task.wbs_path, Task.wbs_rank).where(
                        Task.project_id == project, Task.is_deleted.is_(False)
                    )
                )
            ).all()
        mine = compute([(r[0], r[1], r[2]) for r in rows])
        assert list(mine.ids) == order, seed
        assert mine.outline == {tid: o.number for tid, o in sql.items()}, seed
        assert mine.sort_key == {tid: o.sort_key for tid, o in sql.items()}, seed


async def test_the_cached_order_follows_every_write(db: AppState) -> None:
    world = await make_world(db)
    project = world.project.id
    await _random_tree(db, project, random.Random(99))
    orders = WbsOrders()

    async def read() -> tuple[int, tuple[uuid.UUID, ...]]:
        async with db.sessions() as session:
            version = int(await session.scalar(select(version_of(project))) or 0)
            return version, (await orders.of(session, project, version)).ids

    first_version, first = await read()
    assert orders.computed == 1
    assert await read() == (first_version, first)
    assert orders.computed == 1  # unchanged tasks: from the cache
    # Deleting a task that is not the latest written one still moves the version on.
    victim = first[0]
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Task).where(Task.id == victim).values(is_deleted=True, deleted_version=2)
        )
    version, ids = await read()
    assert version > first_version
    assert orders.computed == 2
    assert victim not in ids
    assert list(ids) == [t for t in first if t != victim]
    # The process-wide cache is bounded.
    assert ORDERS.known_orders.maxsize >= 1
