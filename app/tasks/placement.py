"""Where a task goes in the WBS: its parent and its rank among the new siblings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app import ranks
from app.errors import FieldProblem, ValidationFailed
from app.models import Task
from app.models.enums import TaskKind
from app.tasks import wbs
from app.tasks.repository import last_sibling_rank, ltree, sibling_ranks


@dataclass(frozen=True)
class Slot:
    parent: Task | None
    rank: str

    @property
    def parent_path(self) -> str | None:
        return self.parent.wbs_path if self.parent else None


@dataclass(frozen=True)
class Target:
    """The client's wish: a parent (None = top level) or a sibling to stand before/after."""

    parent_id: uuid.UUID | None
    before_id: uuid.UUID | None
    after_id: uuid.UUID | None
    # Error paths for each of the three (e.g. ("input", "parentId")).
    parent_path: tuple[str, ...]
    before_path: tuple[str, ...]
    after_path: tuple[str, ...]


async def _live_task(
    session: AsyncSession, project_id: uuid.UUID, task_id: uuid.UUID
) -> Task | None:
    stmt = select(Task).where(
        Task.id == task_id, Task.project_id == project_id, Task.is_deleted.is_(False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def resolve_slot(
    session: AsyncSession, project_id: uuid.UUID, moving: uuid.UUID, target: Target
) -> Slot:
    """Find the parent and compute a rank; the project row must already be locked."""
    if target.before_id and target.after_id:
        raise ValidationFailed([FieldProblem(target.after_path, "give beforeId or afterId")])
    anchor_id = target.before_id or target.after_id
    anchor_path = target.before_path if target.before_id else target.after_path
    parent_id = target.parent_id
    anchor = None
    if anchor_id is not None:
        anchor = await _live_task(session, project_id, anchor_id)
        if anchor is None or anchor.id == moving:
            raise ValidationFailed([FieldProblem(anchor_path, "is not another task here")])
        anchor_parent = wbs.parent_id(anchor.wbs_path)
        if parent_id is not None and parent_id != anchor_parent:
            raise ValidationFailed([FieldProblem(anchor_path, "is not a child of that parent")])
        parent_id = anchor_parent
    parent = None
    if parent_id is not None:
        parent = await _live_task(session, project_id, parent_id)
        if parent is None:
            raise ValidationFailed([FieldProblem(target.parent_path, "no such task here")])
    parent_path = parent.wbs_path if parent else None
    if anchor is None:  # appended: only the last sibling's rank matters
        last = await last_sibling_rank(session, project_id, parent_path, exclude=moving)
        return Slot(parent, ranks.key_between(last, None))
    siblings = await sibling_ranks(session, project_id, parent_path, exclude=moving)
    return Slot(parent, _rank_for(siblings, anchor, before=target.before_id is not None))


def _rank_for(siblings: list[tuple[uuid.UUID, str]], anchor: Task | None, *, before: bool) -> str:
    if anchor is None:
        return ranks.key_between(siblings[-1][1] if siblings else None, None)
    index = [task_id for task_id, _ in siblings].index(anchor.id)
    if before:
        low = siblings[index - 1][1] if index > 0 else None
        return ranks.key_between(low, anchor.wbs_rank)
    high = siblings[index + 1][1] if index + 1 < len(siblings) else None
    return ranks.key_between(anchor.wbs_rank, high)


async def promote_to_summary(session: AsyncSession, parent: Task | None) -> None:
    """A task that receives children becomes a summary, as in MS Project."""
    if parent is None or parent.kind == TaskKind.SUMMARY.value:
        return
    await session.execute(
        update(Task)
        .where(Task.id == parent.id)
        .values(kind=TaskKind.SUMMARY.value, server_version=Task.server_version + 1)
    )


async def demote_if_childless(
    session: AsyncSession, project_id: uuid.UUID, parent_path: str | None
) -> None:
    """A summary whose last child left becomes a plain task again, as in MS Project."""
    if parent_path is None:
        return
    child = aliased(Task)
    has_child = exists().where(
        child.project_id == project_id,
        child.is_deleted.is_(False),
        child.wbs_path.op("<@")(Task.wbs_path),
        child.id != Task.id,
    )
    await session.execute(
        update(Task)
        .where(
            and_(
                Task.project_id == project_id,
                Task.wbs_path == ltree(parent_path),
                Task.kind == TaskKind.SUMMARY.value,
                Task.is_deleted.is_(False),
                ~has_child,
            )
        )
        .values(kind=TaskKind.TASK.value, server_version=Task.server_version + 1)
    )
