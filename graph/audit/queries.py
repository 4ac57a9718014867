"""The security audit log of a workspace, for its owners and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.audit.log import EVENTS, visible_entries
from app.authz import require_workspace_admin
from app.errors import AppError
from app.models.audit import SecurityAuditEntry as EntryModel
from app.tasks.repository import parse_id
from graph.context import Info


def _id(value: object | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="One security-relevant event (`auditEvents` lists the kinds).")
class SecurityAuditEntry:
    id: int = strawberry.field(description="Increasing: newer entries have larger ids.")
    at: datetime
    event: str
    actor_id: strawberry.ID | None = strawberry.field(
        description="Who caused it; null for an anonymous attempt."
    )
    user_id: strawberry.ID | None = strawberry.field(
        description="The account it is about (signing in, whose role changed)."
    )
    workspace_id: strawberry.ID | None = strawberry.field(
        description="Null for sign-ins and credentials, which belong to no workspace."
    )
    address: str | None = strawberry.field(description="The client address, when known.")
    details: JSON

    @classmethod
    def from_model(cls, row: EntryModel) -> SecurityAuditEntry:
        return cls(
            id=row.id,
            at=row.at,
            event=row.event,
            actor_id=_id(row.actor_id),
            user_id=_id(row.user_id),
            workspace_id=_id(row.workspace_id),
            address=row.address,
            details=JSON(row.details),
        )


@strawberry.type(description="A kind of security audit event.")
class AuditEventType:
    name: str
    description: str


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The workspace's security audit log, newest first (owners and admins): "
        "role and webhook changes in it, and the sign-ins and API tokens of its members. "
        "`beforeId` pages back; at most 200 per page. Empty for anyone else."
    )
    async def security_audit(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        events: list[str] | None = None,
        first: int = 50,
        before_id: int | None = None,
    ) -> list[SecurityAuditEntry]:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            try:
                workspace = parse_id(workspace_id, "workspace")
                await require_workspace_admin(session, user_id, workspace)
            except AppError:
                return []
            stmt: Any = visible_entries(workspace, events)
            if before_id is not None:
                stmt = stmt.where(EntryModel.id < before_id)
            stmt = stmt.order_by(EntryModel.id.desc()).limit(max(1, min(first, 200)))
            rows = (await session.execute(stmt)).scalars().all()
        return [SecurityAuditEntry.from_model(row) for row in rows]

    @strawberry.field(description="Every kind of security audit event.")
    def audit_events(self) -> list[AuditEventType]:
        return [AuditEventType(name=name, description=text) for name, text in EVENTS.items()]
