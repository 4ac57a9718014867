"""Resource and assignment events on the board streams, published only after the commit.

A resource belongs to the whole workspace, so its events go to every live project of it (a
board shows the people of the pool); an assignment's go to its project.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from app.events import publish_after_commit
from app.events.types import AssignmentPayload, BoardEvent, EventType, ResourcePayload
from app.models import Assignment, Resource
from app.state import UnitOfWork


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def announce_resource(
    uow: UnitOfWork,
    type: EventType,
    resource: Resource,
    actor_id: uuid.UUID,
    project_ids: Sequence[uuid.UUID],
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Queue a resource_created/updated/deleted event for each project of the workspace."""
    payload = ResourcePayload(
        resource_id=resource.id,
        server_version=resource.server_version,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    for project_id in project_ids:
        publish_after_commit(uow, BoardEvent.make(project_id, type, payload, actor_id))


def announce_assignment(
    uow: UnitOfWork, type: EventType, assignment: Assignment, work: float, actor_id: uuid.UUID
) -> None:
    payload = AssignmentPayload(
        assignment_id=assignment.id,
        task_id=assignment.task_id,
        resource_id=assignment.resource_id,
        server_version=assignment.server_version,
        units=assignment.units,
        work=work,
    )
    publish_after_commit(uow, BoardEvent.make(assignment.project_id, type, payload, actor_id))
