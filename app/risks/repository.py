"""Risk queries: visibility-filtered loads, filtered lists and the links to tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import visible_projects
from app.errors import NotFoundError
from app.models import Risk, RiskTask, Task
from app.models.enums import Role


def visible_risks(user_id: uuid.UUID) -> Select[Risk, int]:
    """Live risks of live projects the user may see, with the user's role."""
    visible = visible_projects(user_id).subquery()
    return (
        select(Risk, visible.c.role)
        .join(visible, visible.c.project_id == Risk.project_id)
        .where(Risk.is_deleted.is_(False))
    )


async def load_risk(
    session: AsyncSession, user_id: uuid.UUID, risk_id: uuid.UUID
) -> tuple[Risk, Role]:
    """A live, visible risk and the caller's role on its project, or NotFound."""
    row = (await session.execute(visible_risks(user_id).where(Risk.id == risk_id))).one_or_none()
    if row is None:
        raise NotFoundError("risk not found")
    return row[0], Role(row[1])


@dataclass(frozen=True)
class RiskFilter:
    """List filters; every given one must match (an empty `statuses` means any status)."""

    statuses: Sequence[str] = ()
    owner_id: uuid.UUID | None = None
    task_id: uuid.UUID | None = None


def project_risks(user_id: uuid.UUID, project_id: uuid.UUID, where: RiskFilter) -> Select[Risk]:
    """The statement listing a project's visible risks (ordering is the caller's)."""
    visible = visible_projects(user_id).subquery()
    stmt = (
        select(Risk)
        .join(visible, visible.c.project_id == Risk.project_id)
        .where(Risk.project_id == project_id, Risk.is_deleted.is_(False))
    )
    if where.statuses:
        stmt = stmt.where(Risk.status.in_(list(where.statuses)))
    if where.owner_id is not None:
        stmt = stmt.where(Risk.owner_id == where.owner_id)
    if where.task_id is not None:
        linked = select(RiskTask.risk_id).where(
            RiskTask.task_id == where.task_id, RiskTask.is_deleted.is_(False)
        )
        stmt = stmt.where(Risk.id.in_(linked))
    return stmt


async def linked_task_ids(
    session: AsyncSession, risk_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Live links to live tasks, per risk (one query for any number of risks), oldest first."""
    result: dict[uuid.UUID, list[uuid.UUID]] = {risk_id: [] for risk_id in risk_ids}
    if not risk_ids:
        return result
    stmt = (
        select(RiskTask.risk_id, RiskTask.task_id)
        .join(Task, Task.id == RiskTask.task_id)
        .where(
            RiskTask.risk_id.in_(list(risk_ids)),
            RiskTask.is_deleted.is_(False),
            Task.is_deleted.is_(False),
        )
        .order_by(RiskTask.created_at, RiskTask.id)
    )
    for risk_id, task_id in (await session.execute(stmt)).all():
        result[risk_id].append(task_id)
    return result
