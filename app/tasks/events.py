"""Board events of the task domain, queued on the caller's unit of work.

Services call these after their writes succeeded (flushed, not committed); each event goes out
only once the transaction commits, so a rolled-back mutation announces nothing. Payloads carry
the fields that changed (new values) so a board can patch its card without a reload.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.events import (
    BoardEvent,
    DependencyPayload,
    EventType,
    TaskMovedPayload,
    TaskPayload,
    publish_after_commit,
)
from app.models import Dependency, Task
from app.state import UnitOfWork
from app.tasks import wbs
from app.tasks.repository import children_of


def _queue(session: AsyncSession, event: BoardEvent) -> None:
    publish_after_commit(UnitOfWork.of(session), event)


def changed_fields(before: Mapping[str, Any], after: Task) -> dict[str, Any]:
    """Fields of `before` whose value differs on `after` (new values)."""
    return {
        name: getattr(after, name) for name, old in before.items() if getattr(after, name) != old
    }


def task_created(
    session: AsyncSession, actor: uuid.UUID, task: Task, fields: Iterable[str]
) -> None:
    """`task_created` with the given fields plus where the task sits in the WBS."""
    changes = {name: getattr(task, name) for name in fields}
    changes["parent_id"] = wbs.parent_id(task.wbs_path)
    changes["wbs_rank"] = task.wbs_rank
    payload = TaskPayload(task.id, task.server_version, changes)
    _queue(session, BoardEvent.make(task.project_id, EventType.TASK_CREATED, payload, actor))


def task_updated(
    session: AsyncSession, actor: uuid.UUID, task: Task, changes: Mapping[str, Any]
) -> None:
    """`task_updated` with the fields whose value changed (none: no event)."""
    if not changes:
        return
    payload = TaskPayload(task.id, task.server_version, dict(changes))
    _queue(session, BoardEvent.make(task.project_id, EventType.TASK_UPDATED, payload, actor))


async def task_moved(session: AsyncSession, actor: uuid.UUID, task: Task) -> None:
    """`task_moved`: the new parent and the 0-based position among the live siblings."""
    parent = wbs.parent_path(task.wbs_path)
    rank = Task.wbs_rank.collate("C")
    # The same order as the WBS listing: rank (byte order), then id.
    before = select(func.count()).where(
        children_of(task.project_id, parent),
        or_(rank < task.wbs_rank, and_(rank == task.wbs_rank, Task.id < task.id)),
    )
    position = (await session.execute(before)).scalar_one()
    payload = TaskMovedPayload(
        task.id, task.server_version, wbs.parent_id(task.wbs_path), int(position)
    )
    _queue(session, BoardEvent.make(task.project_id, EventType.TASK_MOVED, payload, actor))


def task_deleted(
    session: AsyncSession,
    actor: uuid.UUID,
    project_id: uuid.UUID,
    tombstones: Iterable[tuple[uuid.UUID, int]],
) -> None:
    """One `task_deleted` per tombstoned task `(id, server_version)`."""
    for task_id, version in tombstones:
        payload = TaskPayload(task_id, version, {"is_deleted": True})
        _queue(session, BoardEvent.make(project_id, EventType.TASK_DELETED, payload, actor))


def dependency_event(
    session: AsyncSession, actor: uuid.UUID, kind: EventType, link: Dependency
) -> None:
    """`dependency_created` / `dependency_deleted` for `link`."""
    payload = DependencyPayload(
        dependency_id=link.id,
        predecessor_id=link.predecessor_id,
        successor_id=link.successor_id,
        kind=link.type,
        lag_days=float(link.lag),
        lag_unit=link.lag_unit,
    )
    _queue(session, BoardEvent.make(link.project_id, kind, payload, actor))
