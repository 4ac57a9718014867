"""A project's WBS order, computed once per version of its tasks and kept in the process.

`repository.wbs_order` computes outline numbers and sort keys in SQL with a window function
and a self-join over every task of the project: correct, but O(tasks) work in PostgreSQL on
every read (10 ms for 1,000 tasks, 116 ms for 10,000), and the first page of a task list
needs all of it. Here the same numbers come from the rows `(id, wbs_path, wbs_rank)` in
Python, and are kept per project keyed by the project's task *version*: the largest
`task.sync_seq` of the project, one index lookup (`ix_task_project_sync_seq`). Every write to
a task row renumbers it under the project's sync lock, in commit order (app/sync/ddl.py), so
a committed change always raises the version; any cached order for a lower version is
recomputed. The numbers are the SQL's exactly: siblings by (rank in C collation, id), the
outline from each live ancestor's position, the sort key the ranks joined by
`SORT_KEY_SEPARATOR`, and the order by (sort key, id).
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ScalarSelect

from app.lru import Lru
from app.models import Task
from app.tasks.wbs import SORT_KEY_SEPARATOR

_CACHED_PROJECTS = 256


@dataclass(frozen=True)
class Ordered:
    """The live tasks of a project in WBS order."""

    version: int
    ids: tuple[uuid.UUID, ...]
    keys: tuple[tuple[str, uuid.UUID], ...]  # (sort key, id) per position: the cursor order
    outline: dict[uuid.UUID, str]
    sort_key: dict[uuid.UUID, str]

    def after(self, key: tuple[str, uuid.UUID] | None) -> int:
        """The position of the first task ordered after `key` (0 without one)."""
        return 0 if key is None else bisect_right(self.keys, key)


def compute(rows: list[tuple[uuid.UUID, str, str]], version: int = 0) -> Ordered:
    """The order of live tasks given as `(id, wbs_path, wbs_rank)`."""
    by_path = {path: (tid, rank) for tid, path, rank in rows}
    siblings: dict[str, list[tuple[bytes, uuid.UUID, str]]] = defaultdict(list)
    for tid, path, rank in rows:
        parent = path.rpartition(".")[0]
        siblings[parent].append((rank.encode(), tid, path))
    position: dict[str, int] = {}
    for group in siblings.values():
        group.sort()
        for k, (_, _, path) in enumerate(group, start=1):
            position[path] = k
    outline, sort_key = {}, {}
    for tid, path, _rank in rows:
        labels = path.split(".")
        numbers, ranks = [], []
        for depth in range(1, len(labels) + 1):
            prefix = ".".join(labels[:depth])
            found = by_path.get(prefix)
            if found is not None:  # a deleted ancestor leaves its level out, as the SQL does
                numbers.append(str(position[prefix]))
                ranks.append(found[1])
        outline[tid] = ".".join(numbers)
        sort_key[tid] = SORT_KEY_SEPARATOR.join(ranks)
    keys = sorted(((sort_key[tid], tid) for tid, _, _ in rows), key=_c_collation)
    return Ordered(version, tuple(t for _, t in keys), tuple(keys), outline, sort_key)


def _c_collation(key: tuple[str, uuid.UUID]) -> tuple[bytes, uuid.UUID]:
    return key[0].encode(), key[1]


class WbsOrders:
    """Orders of recently read projects (bounded), shared by the process's requests."""

    def __init__(self, size: int = _CACHED_PROJECTS) -> None:
        self.known_orders: Lru[uuid.UUID, Ordered] = Lru(size)
        self.computed = 0  # orders computed from rows (tests count them)

    def known(self, project_id: uuid.UUID, version: int) -> Ordered | None:
        """The cached order of the project at `version`, if there is one."""
        known = self.known_orders.get(project_id)
        return known if known is not None and known.version == version else None

    def store(
        self, project_id: uuid.UUID, rows: list[tuple[uuid.UUID, str, str]], version: int
    ) -> Ordered:
        """The order of the project's live `(id, wbs_path, wbs_rank)` rows, kept."""
        ordered = compute(rows, version)
        self.computed += 1
        self.known_orders.put(project_id, ordered)
        return ordered

    async def of(self, session: AsyncSession, project_id: uuid.UUID, version: int) -> Ordered:
        """The project's order at `version` (see `version_of`): cached, or read and kept."""
        known = self.known(project_id, version)
        if known is not None:
            return known
        rows = (
            await session.execute(
                select(Task.id, Task.wbs_path, Task.wbs_rank).where(
                    Task.project_id == project_id, Task.is_deleted.is_(False)
                )
            )
        ).all()
        return self.store(project_id, [(r[0], r[1], r[2]) for r in rows], version)


def version_of(project_id: uuid.UUID) -> ScalarSelect[int]:
    """The project's task version as a scalar subquery: the largest `sync_seq` of its task
    rows, deleted ones included (a deletion renumbers its row too)."""
    return (
        select(func.coalesce(func.max(Task.sync_seq), 0))
        .where(Task.project_id == project_id)
        .scalar_subquery()
    )


ORDERS = WbsOrders()
