"""Labels: create (Team Member), rename/recolor and delete (Project Manager), and attach to or
detach from tasks (Team Member).

A label on a task is a versioned link row (`TaskLabel`), synced to offline clients like a risk
link: detaching tombstones it, deleting a label tombstones its links, re-attaching creates a
new row. The task row itself does not change, so labelling a task never makes someone's
offline edit of that task a sync conflict.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role
from app.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    NotFoundError,
    ValidationFailed,
)
from app.events import BoardEvent, EventType, publish_after_commit
from app.labels.events import LabelPayload, TaskLabelsPayload
from app.models import Label, Task, TaskLabel
from app.models.enums import Role
from app.state import UnitOfWork
from app.sync.locks import lock_sync_project
from app.tasks.repository import load_task
from app.versioning import soft_delete, versioned_update

DEFAULT_COLOR = "#6b7280"
_COLOR = re.compile(r"^#[0-9a-f]{6}$")


async def _check(
    session: AsyncSession,
    project_id: uuid.UUID,
    values: dict[str, Any],
    exclude: uuid.UUID | None = None,
) -> None:
    problems = []
    if "name" in values:
        name = (values["name"] or "").strip()
        values["name"] = name
        if not name:
            problems.append(FieldProblem(("input", "name"), "must not be blank"))
        elif len(name) > 60:
            problems.append(FieldProblem(("input", "name"), "must be at most 60 characters"))
        else:
            clash = select(Label.id).where(
                Label.project_id == project_id,
                Label.is_deleted.is_(False),
                func.lower(Label.name) == name.lower(),
            )
            if exclude is not None:
                clash = clash.where(Label.id != exclude)
            if (await session.execute(clash.limit(1))).first() is not None:
                problems.append(FieldProblem(("input", "name"), "a label with this name exists"))
    if "color" in values:
        color = (values["color"] or "").lower()
        values["color"] = color
        if not _COLOR.match(color):
            problems.append(FieldProblem(("input", "color"), "must be #rrggbb"))
    if problems:
        raise ValidationFailed(problems)


def _event(uow: UnitOfWork, actor: uuid.UUID, kind: EventType, label: Label) -> None:
    payload = LabelPayload(
        label.id, label.server_version, label.name, label.color, label.is_deleted
    )
    publish_after_commit(uow, BoardEvent.make(label.project_id, kind, payload, actor))


async def load_label(
    session: AsyncSession, user_id: uuid.UUID, label_id: uuid.UUID, minimum: Role
) -> Label:
    """A live label of a project the caller sees with at least `minimum`, else NotFound."""
    label = (
        await session.execute(
            select(Label).where(Label.id == label_id, Label.is_deleted.is_(False))
        )
    ).scalar_one_or_none()
    if label is None:
        raise NotFoundError("label not found")
    try:
        await require_project_role(session, user_id, label.project_id, minimum)
    except NotFoundError:
        raise NotFoundError("label not found") from None
    return label


async def create_label(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    values: dict[str, Any],
    *,
    label_id: uuid.UUID | None = None,
) -> Label:
    """A new label (Team Member); `label_id` is the id an offline client chose (sync push)."""
    session = uow.session
    await require_project_role(session, user_id, project_id, Role.TEAM_MEMBER)
    values.setdefault("color", DEFAULT_COLOR)
    await _check(session, project_id, values)
    label = Label(id=label_id or uuid.uuid4(), project_id=project_id, **values)
    session.add(label)
    await session.flush()
    _event(uow, user_id, EventType.LABEL_CREATED, label)
    return label


async def update_label(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    label_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Label:
    session = uow.session
    label = await load_label(session, user_id, label_id, Role.PROJECT_MANAGER)
    await _check(session, label.project_id, values, exclude=label_id)
    updated = await versioned_update(
        session, Label, label_id, values, expected_version=expected_version, label="label"
    )
    _event(uow, user_id, EventType.LABEL_UPDATED, updated)
    return updated


async def delete_label(
    uow: UnitOfWork, user_id: uuid.UUID, label_id: uuid.UUID, expected_version: int | None
) -> Label:
    """Tombstone a label and its links to tasks (offline clients receive both tombstones)."""
    session = uow.session
    await load_label(session, user_id, label_id, Role.PROJECT_MANAGER)
    gone = await soft_delete(
        session, Label, label_id, expected_version=expected_version, label="label"
    )
    # soft_delete locked the project first, so this bulk update keeps the lock order.
    await session.execute(
        update(TaskLabel)
        .where(TaskLabel.label_id == label_id, TaskLabel.is_deleted.is_(False))
        .values(
            is_deleted=True,
            deleted_version=TaskLabel.server_version + 1,
            server_version=TaskLabel.server_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    _event(uow, user_id, EventType.LABEL_DELETED, gone)
    return gone


async def _task_and_label(
    session: AsyncSession, user_id: uuid.UUID, task_id: uuid.UUID, label_id: uuid.UUID
) -> Task:
    task, role = await load_task(session, user_id, task_id)
    if role < Role.TEAM_MEMBER:
        raise ForbiddenError("this needs the Team Member role on the project")
    found = await session.execute(
        select(Label.id).where(
            Label.id == label_id, Label.project_id == task.project_id, Label.is_deleted.is_(False)
        )
    )
    if found.scalar_one_or_none() is None:
        raise ValidationFailed([FieldProblem(("labelId",), "no such label in this project")])
    return task


async def label_ids(session: AsyncSession, task_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = (
        select(TaskLabel.label_id)
        .join(Label, Label.id == TaskLabel.label_id)
        .where(TaskLabel.task_id == task_id, TaskLabel.is_deleted.is_(False))
        .order_by(func.lower(Label.name), Label.id)
    )
    return list((await session.execute(stmt)).scalars())


async def _live_link(
    session: AsyncSession, task_id: uuid.UUID, label_id: uuid.UUID
) -> uuid.UUID | None:
    stmt = select(TaskLabel.id).where(
        TaskLabel.task_id == task_id,
        TaskLabel.label_id == label_id,
        TaskLabel.is_deleted.is_(False),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


class LabelAlreadyOnTask(ConflictError):
    def __init__(self) -> None:
        super().__init__("the task already carries this label")


async def set_task_label(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    label_id: uuid.UUID,
    *,
    on: bool,
    link_id: uuid.UUID | None = None,
) -> Task:
    """Attach (`on`) or detach a label; a real change emits `task_labels_changed` with the
    task's full label list. Idempotent, except that a sync push creating link row `link_id`
    for a pair that is already linked gets `LabelAlreadyOnTask`: silently keeping only the
    server's row would leave the client holding a row the server never stored."""
    session = uow.session
    task = await _task_and_label(session, user_id, task_id, label_id)
    # The project before any link row (the sync trigger's lock order); it also serializes
    # attaches of one pair, so the live-pair check below cannot race.
    await lock_sync_project(session, task.project_id)
    live = await _live_link(session, task_id, label_id)
    if on:
        if live is not None:
            if link_id is not None:
                raise LabelAlreadyOnTask()
            return task
        row_id = link_id or uuid.uuid4()
        session.add(
            TaskLabel(id=row_id, project_id=task.project_id, task_id=task_id, label_id=label_id)
        )
        await session.flush()
    else:
        if live is None:
            return task
        await soft_delete(session, TaskLabel, live, label="task label")
    payload = TaskLabelsPayload(task_id, task.server_version, await label_ids(session, task_id))
    event = BoardEvent.make(task.project_id, EventType.TASK_LABELS_CHANGED, payload, user_id)
    publish_after_commit(uow, event)
    return task


async def labels_of_tasks(
    session: AsyncSession, task_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Label]]:
    """Live labels of each task, by name (one query for any number of tasks)."""
    stmt = (
        select(TaskLabel.task_id, Label)
        .join(Label, Label.id == TaskLabel.label_id)
        .where(
            TaskLabel.task_id.in_(task_ids),
            TaskLabel.is_deleted.is_(False),
            Label.is_deleted.is_(False),
        )
        .order_by(func.lower(Label.name), Label.id)
    )
    grouped: dict[uuid.UUID, list[Label]] = {t: [] for t in task_ids}
    for task_id, label in (await session.execute(stmt)).all():
        grouped[task_id].append(label)
    return grouped
