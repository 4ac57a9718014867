"""Baseline use cases: capture, activate, deactivate, rename, delete.

Capturing copies each live task's computed schedule (early start/finish, duration, total
float) and the project finish (latest early finish) as they stand in the database — the last
recompute's output. Managing baselines needs the Project Manager role; reading needs Viewer.
Writes lock the project row, so two activations of one project serialize; the partial unique
index `uq_baseline_one_active` keeps one active baseline per project regardless.
"""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import require_project_role, visible_projects
from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from app.events import BaselinePayload, BoardEvent, EventType, publish_after_commit
from app.models import Baseline, BaselineTask, Task
from app.models.enums import Role
from app.state import UnitOfWork
from app.tasks.repository import lock_project
from app.versioning import soft_delete, versioned_update

MANAGE_ROLE = Role.PROJECT_MANAGER


def _announce(
    uow: UnitOfWork, baseline: Baseline, kind: EventType, action: str, actor: uuid.UUID
) -> None:
    payload = BaselinePayload(
        baseline_id=baseline.id,
        server_version=baseline.server_version,
        name=baseline.name,
        is_active=baseline.is_active,
        action=action,
    )
    publish_after_commit(uow, BoardEvent.make(baseline.project_id, kind, payload, actor))


def _clean_name(name: str | None) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationFailed.single("name", "must not be blank")
    if len(cleaned) > 200:
        raise ValidationFailed.single("name", "at most 200 characters")
    return cleaned


async def load_baseline(
    session: AsyncSession, user_id: uuid.UUID, baseline_id: uuid.UUID
) -> tuple[Baseline, Role]:
    """A live baseline the user may see and their role on its project, or NotFound."""
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(Baseline, visible.c.role)
        .join(visible, visible.c.project_id == Baseline.project_id)
        .where(Baseline.id == baseline_id, Baseline.is_deleted.is_(False))
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFoundError("baseline not found")
    return row[0], Role(row[1])


async def _managed(
    session: AsyncSession, user_id: uuid.UUID, baseline_id: uuid.UUID, expected: int | None
) -> Baseline:
    baseline, role = await load_baseline(session, user_id, baseline_id)
    if role < MANAGE_ROLE:
        raise ForbiddenError("this needs the Project Manager role on the project")
    await lock_project(session, baseline.project_id)
    if expected is not None and baseline.server_version != expected:
        raise ConflictError(
            f"baseline changed since version {expected}; reload and retry",
            baseline.server_version,
        )
    return baseline


async def _deactivate_others(
    session: AsyncSession, project_id: uuid.UUID, keep: uuid.UUID | None
) -> None:
    stmt = update(Baseline).where(Baseline.project_id == project_id, Baseline.is_active.is_(True))
    if keep is not None:
        stmt = stmt.where(Baseline.id != keep)
    await session.execute(
        stmt.values(is_active=False, server_version=Baseline.server_version + 1).execution_options(
            synchronize_session=False
        )
    )


async def capture_baseline(
    uow: UnitOfWork, user_id: uuid.UUID, project_id: uuid.UUID, name: str, set_active: bool
) -> Baseline:
    """Snapshot every live task's computed schedule under `name` (optionally as active)."""
    session = uow.session
    await require_project_role(session, user_id, project_id, MANAGE_ROLE)
    cleaned = _clean_name(name)
    await lock_project(session, project_id)
    tasks = list(
        (
            await session.execute(
                select(Task).where(Task.project_id == project_id, Task.is_deleted.is_(False))
            )
        ).scalars()
    )
    finishes = [t.early_finish for t in tasks if t.early_finish is not None]
    if set_active:
        await _deactivate_others(session, project_id, None)
    baseline = Baseline(
        project_id=project_id,
        name=cleaned,
        is_active=set_active,
        project_finish=max(finishes, default=None),
        task_count=len(tasks),
        captured_by=user_id,
    )
    session.add(baseline)
    await session.flush()
    if tasks:
        await session.execute(
            insert(BaselineTask),
            [
                {
                    "id": uuid.uuid4(),
                    "baseline_id": baseline.id,
                    "task_id": t.id,
                    "name": t.name,
                    "kind": t.kind,
                    "duration": t.duration,
                    "early_start": t.early_start,
                    "early_finish": t.early_finish,
                    "total_float": t.total_float,
                }
                for t in tasks
            ],
        )
    _announce(uow, baseline, EventType.BASELINE_CREATED, "captured", user_id)
    return baseline


async def set_active(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    baseline_id: uuid.UUID,
    active: bool,
    expected_version: int | None,
) -> Baseline:
    """Make the baseline the project's active one (deactivating the previous), or not."""
    session = uow.session
    baseline = await _managed(session, user_id, baseline_id, expected_version)
    if active:
        await _deactivate_others(session, baseline.project_id, baseline_id)
    updated = await versioned_update(
        session, Baseline, baseline_id, {"is_active": active}, label="baseline"
    )
    action = "activated" if active else "deactivated"
    _announce(uow, updated, EventType.BASELINE_UPDATED, action, user_id)
    return updated


async def rename_baseline(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    baseline_id: uuid.UUID,
    name: str,
    expected_version: int | None,
) -> Baseline:
    session = uow.session
    await _managed(session, user_id, baseline_id, expected_version)
    updated = await versioned_update(
        session, Baseline, baseline_id, {"name": _clean_name(name)}, label="baseline"
    )
    _announce(uow, updated, EventType.BASELINE_UPDATED, "renamed", user_id)
    return updated


async def delete_baseline(
    uow: UnitOfWork, user_id: uuid.UUID, baseline_id: uuid.UUID, expected_version: int | None
) -> Baseline:
    """Tombstone a baseline (it stops being active); its task rows stay with the tombstone."""
    session = uow.session
    await _managed(session, user_id, baseline_id, expected_version)
    await versioned_update(session, Baseline, baseline_id, {"is_active": False}, label="baseline")
    gone = await soft_delete(session, Baseline, baseline_id, label="baseline")
    _announce(uow, gone, EventType.BASELINE_DELETED, "deleted", user_id)
    return gone


async def baselines_of(session: AsyncSession, project_id: uuid.UUID) -> list[Baseline]:
    """A project's live baselines, newest first (the caller checked visibility)."""
    stmt = (
        select(Baseline)
        .where(Baseline.project_id == project_id, Baseline.is_deleted.is_(False))
        .order_by(Baseline.captured_at.desc(), Baseline.id)
    )
    return list((await session.execute(stmt)).scalars())
