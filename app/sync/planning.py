"""Registry entries of the planning tables (sprints; board columns, labels, risks and comments
join here as they land), with the service calls a push goes through."""

from __future__ import annotations

import uuid
from typing import Any

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
