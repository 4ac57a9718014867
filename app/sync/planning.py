"""Registry entries of the planning tables (sprints, baselines; board columns, labels, risks and
comments join here as they land), with the service calls a push goes through."""

from __future__ import annotations

import uuid
from typing import Any

from app.baselines import service as baselines
from app.models.baseline import Baseline
from app.models.sprint import Sprint
from app.sprints import service as sprints
from app.state import UnitOfWork
from app.sync.registry import Appliers, SyncedTable, register


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
