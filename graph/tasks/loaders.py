"""Per-request DataLoaders of the task domain (a list of N tasks costs a constant number of
queries). Each batch opens its own short session; the loaders live in `Context.loaders`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from app.models import Dependency
from app.tasks.repository import Outline
from app.tasks.repository import outlines as load_outlines
from graph.context import Context, Info

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    info: Info, name: str, batch: Callable[[Context, list[K]], Awaitable[Sequence[V]]]
) -> DataLoader[K, V]:
    cache: dict[str, Any] = info.context.loaders
    if name not in cache:
        context = info.context

        async def load(keys: list[K]) -> Sequence[V]:
            return await batch(context, keys)

        cache[name] = DataLoader(load_fn=load)
    loader: DataLoader[K, V] = cache[name]
    return loader


async def _outlines(
    context: Context, project_ids: list[uuid.UUID]
) -> list[dict[uuid.UUID, Outline]]:
    async with context.session() as session:
        found = await load_outlines(session, project_ids)
    by_project: dict[uuid.UUID, dict[uuid.UUID, Outline]] = {p: {} for p in project_ids}
    for task_id, outline in found.items():
        by_project[outline.project_id][task_id] = outline
    return [by_project[p] for p in project_ids]


async def _links(
    context: Context, task_ids: list[uuid.UUID], *, into: bool
) -> list[list[Dependency]]:
    column = Dependency.successor_id if into else Dependency.predecessor_id
    stmt = (
        select(Dependency)
        .where(column.in_(task_ids), Dependency.is_deleted.is_(False))
        .order_by(Dependency.created_at, Dependency.id)
    )
    async with context.session() as session:
        rows = list((await session.execute(stmt)).scalars())
    grouped: dict[uuid.UUID, list[Dependency]] = {t: [] for t in task_ids}
    for link in rows:
        grouped[link.successor_id if into else link.predecessor_id].append(link)
    return [grouped[t] for t in task_ids]


async def _links_into(context: Context, keys: list[uuid.UUID]) -> list[list[Dependency]]:
    return await _links(context, keys, into=True)


async def _links_out(context: Context, keys: list[uuid.UUID]) -> list[list[Dependency]]:
    return await _links(context, keys, into=False)


def outlines(info: Info) -> DataLoader[uuid.UUID, dict[uuid.UUID, Outline]]:
    """Project id -> {task id -> outline number and sort key}."""
    return _loader(info, "tasks.outlines", _outlines)


def links_into(info: Info) -> DataLoader[uuid.UUID, list[Dependency]]:
    """Task id -> its live predecessor links."""
    return _loader(info, "tasks.links_into", _links_into)


def links_out_of(info: Info) -> DataLoader[uuid.UUID, list[Dependency]]:
    """Task id -> its live successor links."""
    return _loader(info, "tasks.links_out_of", _links_out)
