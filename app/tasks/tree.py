"""WBS tree reads: a whole project, a subtree, the children or the ancestors of a task.

Each read costs a fixed number of statements, whatever the size of the tree. A subtree, the
children or the ancestors are ONE statement: the rows, the caller's visibility and every
row's outline number (from `wbs_order`'s window function) together, already in WBS order.
The whole project's tree reads the visibility, the order (from the process's cache,
`app.tasks.order`, recomputed only when the project's tasks changed) and the rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.authz import visible_projects
from app.errors import NotFoundError
from app.models import Task
from app.tasks.order import ORDERS, version_of
from app.tasks.repository import children_of, load_task, ltree, wbs_order


@dataclass(frozen=True)
class Node:
    """A task with its outline number ("1.2.3")."""

    task: Task | Row[Any]  # an ORM object, or a plain row of the task table (project_tree)
    outline: str


def _ordered(
    user_id: uuid.UUID, project_id: uuid.UUID, *where: ColumnElement[bool]
) -> Select[Task, str]:
    order = wbs_order(Task.project_id == project_id).subquery()
    visible = visible_projects(user_id).subquery()
    return (
        select(Task, order.c.outline)
        .join(visible, visible.c.project_id == Task.project_id)
        .join(order, order.c.id == Task.id)
        .where(Task.project_id == project_id, Task.is_deleted.is_(False), *where)
        .order_by(order.c.sort_key, Task.id)
    )


async def _run(session: AsyncSession, stmt: Select[Task, str]) -> list[Node]:
    return [Node(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def project_tree(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID
) -> list[Node]:
    """Every live task of a visible project, depth-first in rank order (empty if invisible).

    The whole tree is the hot read (a 10,000-task WBS), so it is one statement returning
    plain rows, not ORM objects (each `Node.task` reads like a `Task`: same attribute names,
    no identity map to fill), with the project's task version beside them; the order comes
    from the process's cache at that version (`app.tasks.order`), or from these same rows."""
    table = Task.__table__
    assert isinstance(table, Table)
    visible = visible_projects(user_id).subquery()
    stmt = select(table, version_of(project_id).label("tree_version")).where(
        table.c.project_id == project_id,
        table.c.is_deleted.is_(False),
        select(visible.c.project_id).where(visible.c.project_id == project_id).exists(),
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return []
    version = int(rows[0].tree_version)
    fields = rows[0]._fields  # by position: a Row's attribute access costs on 10,000 rows
    at, path, rank = fields.index("id"), fields.index("wbs_path"), fields.index("wbs_rank")
    ordered = ORDERS.known(project_id, version) or ORDERS.store(
        project_id, [(row[at], row[path], row[rank]) for row in rows], version
    )
    found = {row[at]: row for row in rows}
    return [Node(found[tid], ordered.outline[tid]) for tid in ordered.ids if tid in found]


async def children(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, parent: Task | None
) -> list[Node]:
    """The direct children of `parent` (None = the top level), in rank order."""
    where = children_of(project_id, parent.wbs_path if parent else None)
    return await _run(session, _ordered(user_id, project_id, where))


async def subtree(session: AsyncSession, user_id: uuid.UUID, root: Task) -> list[Node]:
    """`root` and all its live descendants, depth-first in rank order."""
    where = Task.wbs_path.op("<@")(ltree(root.wbs_path))
    return await _run(session, _ordered(user_id, root.project_id, where))


async def ancestors(session: AsyncSession, user_id: uuid.UUID, task: Task) -> list[Node]:
    """The ancestors of `task`, top level first (the task itself excluded)."""
    where = (
        Task.wbs_path.op("@>")(ltree(task.wbs_path)),
        func.nlevel(Task.wbs_path) < func.nlevel(ltree(task.wbs_path)),
    )
    return await _run(session, _ordered(user_id, task.project_id, *where))


async def visible_task(
    session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID
) -> Task | None:
    """A live task the caller may see, or None."""
    try:
        task, _ = await load_task(session, user_id, task_id)
    except NotFoundError:
        return None
    return task
