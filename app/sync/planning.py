"""Registry entries of the planning and collaboration tables (sprints, baselines, risks and
their task links, comments; the board's tables are in boards.py), with the service calls a
push goes through and the board events those calls publish after the push commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from app.baselines import service as baselines
from app.comments import events as comment_events
from app.comments import service as comments
from app.errors import ValidationFailed
from app.events.types import EventType
from app.models import Comment, Risk, RiskTask
from app.models.baseline import Baseline
from app.models.sprint import Sprint
from app.risks import service as risks
from app.risks.events import announce as announce_risk
from app.sprints import service as sprints
from app.state import UnitOfWork
from app.sync.registry import Appliers, SyncedTable, register, required


async def _create_sprint(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    # The service builds the row from the values, so the client's id travels with them.
    await sprints.create_sprint(uow, user, project, {**v, "id": row_id})


async def _update_sprint(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    await sprints.update_sprint(uow, user, row_id, v, None)


async def _delete_sprint(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await sprints.delete_sprint(uow, user, row_id, None)


register(
    SyncedTable(
        name="sprints",
        model=Sprint,
        columns=(
            "project_id",
            *sprints.EDITABLE,
            "state",
            "started_at",
            "closed_at",
            "committed_points",
            "completed_points",
        ),
        writable=frozenset(sprints.EDITABLE),
        # State changes are actions (startSprint/closeSprint over GraphQL), not field edits.
        computed=frozenset(
            {"state", "started_at", "closed_at", "committed_points", "completed_points"}
        ),
        appliers=Appliers(_create_sprint, _update_sprint, _delete_sprint),
        order=25,
    )
)


async def _rename_baseline(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    if "name" in v:
        await baselines.rename_baseline(uow, user, row_id, v["name"], None)


async def _delete_baseline(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    await baselines.delete_baseline(uow, user, row_id, None)


register(
    SyncedTable(
        name="baselines",
        model=Baseline,
        columns=(
            "project_id",
            "name",
            "is_active",
            "project_finish",
            "task_count",
            "captured_by",
            "captured_at",
        ),
        writable=frozenset({"name"}),
        # Capturing and activating are actions (GraphQL), not field edits; the per-task
        # snapshot rows are read through baselineComparison, not synced.
        computed=frozenset(
            {"is_active", "project_finish", "task_count", "captured_by", "captured_at"}
        ),
        appliers=Appliers(create=None, update=_rename_baseline, delete=_delete_baseline),
        order=50,
    )
)


def _plain_risk_values(v: dict[str, Any]) -> dict[str, Any]:
    return {k: value for k, value in v.items() if k != "id"}


async def _create_risk(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    risk = await risks.create_risk(uow.session, user, project, {**v, "id": row_id})
    announce_risk(uow, EventType.RISK_CREATED, risk, user, _plain_risk_values(v))


async def _update_risk(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    risk = await risks.update_risk(uow.session, user, row_id, v, None)
    announce_risk(uow, EventType.RISK_UPDATED, risk, user, v)


async def _delete_risk(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    risk = await risks.delete_risk(uow.session, user, row_id, None)
    announce_risk(uow, EventType.RISK_DELETED, risk, user)


_RISK_FIELDS = (
    "title",
    "description",
    "probability",
    "impact_days",
    "impact_cost",
    "status",
    "owner_id",
    "response",
    "trigger",
)

register(
    SyncedTable(
        name="risks",
        model=Risk,
        columns=("project_id", *_RISK_FIELDS),
        writable=frozenset(_RISK_FIELDS),
        appliers=Appliers(_create_risk, _update_risk, _delete_risk),
        order=60,
    )
)


async def _link_risk(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    risk_id, task_id = required("risk_tasks", v, "risk_id", "task_id")
    risk, linked = await risks.link_task(uow.session, user, risk_id, task_id, link_id=row_id)
    if risk.project_id != project:
        raise ValidationFailed.single("risk_id", "the risk is in another project")
    announce_risk(uow, EventType.RISK_UPDATED, risk, user, {"task_ids": [str(t) for t in linked]})


async def _unlink_risk(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    pair = (
        await uow.session.execute(
            select(RiskTask.risk_id, RiskTask.task_id).where(RiskTask.id == row_id)
        )
    ).one()
    risk, linked = await risks.unlink_task(uow.session, user, pair.risk_id, pair.task_id)
    announce_risk(uow, EventType.RISK_UPDATED, risk, user, {"task_ids": [str(t) for t in linked]})


register(
    SyncedTable(
        name="risk_tasks",
        model=RiskTask,
        columns=("project_id", "risk_id", "task_id"),
        # A link is created or deleted, never edited (relinking is a new row).
        writable=frozenset({"risk_id", "task_id"}),
        create_only=frozenset({"risk_id", "task_id"}),
        appliers=Appliers(create=_link_risk, update=None, delete=_unlink_risk),
        order=62,
    )
)


async def _create_comment(
    uow: UnitOfWork, user: uuid.UUID, project: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    (task_id,) = required("comments", v, "task_id")
    comment = await comments.create_comment(
        uow.session,
        user,
        task_id,
        v.get("body") or "",
        v.get("format") or "plain",
        comment_id=row_id,
    )
    if comment.project_id != project:
        raise ValidationFailed.single("task_id", "the task is in another project")
    comment_events.announce(uow, EventType.COMMENT_CREATED, comment, user)


async def _update_comment(
    uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID, v: dict[str, Any]
) -> None:
    comment = await comments.update_comment(
        uow.session, user, row_id, v.get("body"), v.get("format"), None
    )
    comment_events.announce(uow, EventType.COMMENT_UPDATED, comment, user)


async def _delete_comment(uow: UnitOfWork, user: uuid.UUID, row_id: uuid.UUID) -> None:
    comment = await comments.delete_comment(uow.session, user, row_id, None)
    comment_events.announce(uow, EventType.COMMENT_DELETED, comment, user)


register(
    SyncedTable(
        name="comments",
        model=Comment,
        columns=("project_id", "task_id", "author_id", "body", "format", "body_html"),
        writable=frozenset({"task_id", "body", "format"}),
        create_only=frozenset({"task_id"}),
        # The author is the pushing user; the HTML is the server's sanitized rendering.
        computed=frozenset({"author_id", "body_html"}),
        appliers=Appliers(_create_comment, _update_comment, _delete_comment),
        order=60,
    )
)
