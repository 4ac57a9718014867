"""Risk use cases: create, update, delete, link to and unlink from tasks; forecast events.

Services flush and never commit. Every write needs the Project Manager role: risks change
the Monte Carlo forecast the way schedule fields change the CPM dates.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

import scheduler as engine
from app.authz import require_project_role
from app.errors import ForbiddenError, NotFoundError, ValidationFailed
from app.models import Risk, RiskTask, Task
from app.models.enums import Role
from app.risks import validation
from app.risks.errors import AlreadyLinked
from app.risks.repository import linked_task_ids, load_risk
from app.sync.locks import lock_sync_project
from app.versioning import soft_delete, versioned_update
from app.webhooks.outbox import record as record_webhook

# Statuses whose risks can still happen, so they enter the forecast. A risk being mitigated
# has not been retired: its probability and impact (which the PM lowers as mitigation works)
# still apply. Only a closed risk is out.
FORECAST_STATUSES = ("open", "mitigating")


def _require_manager(role: Role) -> None:
    if role < Role.PROJECT_MANAGER:
        raise ForbiddenError("this needs the Project Manager role on the project")


async def create_risk(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, values: dict[str, Any]
) -> Risk:
    """Add a risk to a project's register (Project Manager)."""
    await require_project_role(session, user_id, project_id, Role.PROJECT_MANAGER)
    validation.check_values(values, creating=True)
    if values.get("owner_id") is not None:
        await validation.check_owner(session, project_id, values["owner_id"])
    risk = Risk(project_id=project_id, **values)
    session.add(risk)
    await session.flush()
    return risk


async def update_risk(
    session: AsyncSession,
    user_id: uuid.UUID,
    risk_id: uuid.UUID,
    values: dict[str, Any],
    expected_version: int | None,
) -> Risk:
    """Change fields; `expected_version` turns a stale edit into a ConflictError."""
    risk, role = await load_risk(session, user_id, risk_id)
    _require_manager(role)
    validation.check_values(values, creating=False)
    if values.get("owner_id") is not None:
        await validation.check_owner(session, risk.project_id, values["owner_id"])
    before = _exposure(risk)
    updated = await versioned_update(
        session, Risk, risk_id, values, expected_version=expected_version, label="risk"
    )
    after = _exposure(updated)
    if updated.status != "closed" and any(a > b for a, b in zip(after, before, strict=True)):
        record_webhook(
            session,
            "risk.escalated",
            {
                "risk_id": updated.id,
                "server_version": updated.server_version,
                "probability": updated.probability,
                "impact_days": updated.impact_days,
                "impact_cost": updated.impact_cost,
                "expected_delay_days": after[0],
                "previous_expected_delay_days": before[0],
            },
            project_id=updated.project_id,
            actor_id=user_id,
        )
    return updated


def _exposure(risk: Risk) -> tuple[float, float]:
    """Expected delay and expected cost: probability times each impact."""
    return risk.probability * risk.impact_days, risk.probability * float(risk.impact_cost)


async def delete_risk(
    session: AsyncSession, user_id: uuid.UUID, risk_id: uuid.UUID, expected_version: int | None
) -> Risk:
    """Tombstone a risk and its live task links."""
    _, role = await load_risk(session, user_id, risk_id)
    _require_manager(role)
    risk = await soft_delete(
        session, Risk, risk_id, expected_version=expected_version, label="risk"
    )
    await session.execute(
        update(RiskTask)
        .where(RiskTask.risk_id == risk_id, RiskTask.is_deleted.is_(False))
        .values(
            is_deleted=True,
            deleted_version=RiskTask.server_version + 1,
            server_version=RiskTask.server_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return risk


async def _live_task_of(session: AsyncSession, project_id: uuid.UUID, task_id: uuid.UUID) -> Task:
    stmt = select(Task).where(
        Task.id == task_id, Task.project_id == project_id, Task.is_deleted.is_(False)
    )
    task = (await session.execute(stmt)).scalar_one_or_none()
    if task is None:
        raise ValidationFailed.single("taskId", "no such task in the risk's project")
    return task


async def link_task(
    session: AsyncSession,
    user_id: uuid.UUID,
    risk_id: uuid.UUID,
    task_id: uuid.UUID,
    *,
    link_id: uuid.UUID | None = None,
) -> tuple[Risk, list[uuid.UUID]]:
    """Link a risk to a task of its project; returns the risk and its linked task ids.
    `link_id` is the link row's id when the client chose it (offline sync)."""
    risk, role = await load_risk(session, user_id, risk_id)
    _require_manager(role)
    await _live_task_of(session, risk.project_id, task_id)
    # Serialise link changes of one risk, so two concurrent links of one pair cannot both
    # pass the check below (the partial unique index would then fail one with a 500). The
    # project first: the link's sync trigger takes it, and taking it after the risk row would
    # deadlock against a writer holding the project and updating the risk.
    await lock_sync_project(session, risk.project_id)
    await session.execute(select(Risk.id).where(Risk.id == risk_id).with_for_update())
    existing = await session.execute(
        select(RiskTask.id).where(
            RiskTask.risk_id == risk_id, RiskTask.task_id == task_id, RiskTask.is_deleted.is_(False)
        )
    )
    if existing.first() is not None:
        raise AlreadyLinked()
    link = RiskTask(project_id=risk.project_id, risk_id=risk_id, task_id=task_id)
    if link_id is not None:
        link.id = link_id
    session.add(link)
    await session.flush()
    return risk, (await linked_task_ids(session, [risk_id]))[risk_id]


async def unlink_task(
    session: AsyncSession, user_id: uuid.UUID, risk_id: uuid.UUID, task_id: uuid.UUID
) -> tuple[Risk, list[uuid.UUID]]:
    """Remove a risk's link to a task (tombstoned for offline clients)."""
    risk, role = await load_risk(session, user_id, risk_id)
    _require_manager(role)
    link_id = (
        await session.execute(
            select(RiskTask.id).where(
                RiskTask.risk_id == risk_id,
                RiskTask.task_id == task_id,
                RiskTask.is_deleted.is_(False),
            )
        )
    ).scalar_one_or_none()
    if link_id is None:
        raise NotFoundError("this risk is not linked to that task")
    await soft_delete(session, RiskTask, link_id, label="risk link")
    return risk, (await linked_task_ids(session, [risk_id]))[risk_id]


async def open_risk_events(session: AsyncSession, project_id: uuid.UUID) -> list[engine.RiskEvent]:
    """The project's risks that can still happen, as the engine's discrete risk events.

    Each open or mitigating risk with at least one live linked task becomes one event: with
    its probability, every linked task takes `impact_days` more working days. A risk linked to
    no task has nowhere to land in the network and is left out (it still shows in the
    register). Order is stable (creation, then id) so a seeded forecast is reproducible.
    """
    stmt = (
        select(Risk.id, Risk.probability, Risk.impact_days)
        .where(
            Risk.project_id == project_id,
            Risk.is_deleted.is_(False),
            Risk.status.in_(FORECAST_STATUSES),
        )
        .order_by(Risk.created_at, Risk.id)
    )
    risks = (await session.execute(stmt)).all()
    links = await linked_task_ids(session, [row[0] for row in risks])
    return [
        engine.RiskEvent(
            id=str(risk_id),
            probability=float(probability),
            impact=float(impact),
            task_ids=tuple(str(t) for t in links[risk_id]),
        )
        for risk_id, probability, impact in risks
        if links[risk_id]
    ]
