"""Writing and reading the security audit log.

`record` adds an entry inside the caller's transaction, so it commits (or rolls back) with
the change it describes; `record_now` commits one on its own, for what has no transaction
to ride in — a refused sign-in, whose own transaction rolls back. Workspace owners and admins
read their workspace's entries and the sign-in events of its members (`visible_entries`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.events.types import to_jsonable
from app.models import WorkspaceMember
from app.models.audit import SecurityAuditEntry

EVENTS: Mapping[str, str] = {
    "login.succeeded": "A sign-in succeeded (with a password, or through single sign-on).",
    "login.failed": "A sign-in was refused (wrong password, unknown or disabled account).",
    "login.throttled": "A sign-in was refused because the account or address is locked.",
    "logout": "A login session ended.",
    "sso.linked": "An account was linked to its identity at a single sign-on provider.",
    "sso.account_created": "A first single sign-on made an account (just-in-time).",
    "user.disabled": "Staff disabled an account (its logins and open WebSockets ended).",
    "user.enabled": "Staff enabled a disabled account again.",
    "token.minted": "An API token was created.",
    "token.revoked": "An API token was revoked.",
    "member.added": "Someone was given a role (workspace, program or project).",
    "member.role_changed": "Someone's role changed.",
    "member.removed": "Someone's role was taken away.",
    "webhook.created": "A webhook endpoint was added.",
    "webhook.updated": "A webhook endpoint's URL, events or state changed.",
    "webhook.deleted": "A webhook endpoint was deleted.",
    "webhook.secret_rotated": "A webhook endpoint's signing secret was replaced.",
}


def _entry(
    event: str,
    actor_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    workspace_id: uuid.UUID | None,
    address: str | None,
    details: Mapping[str, Any] | None,
) -> SecurityAuditEntry:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    return SecurityAuditEntry(
        event=event,
        actor_id=actor_id,
        user_id=user_id,
        workspace_id=workspace_id,
        address=(address or None) and address[:64],
        details=to_jsonable(dict(details or {})),
    )


def record(
    session: AsyncSession,
    event: str,
    *,
    actor_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    address: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """An entry in the caller's transaction."""
    session.add(_entry(event, actor_id, user_id, workspace_id, address, details))


async def record_now(
    sessions: async_sessionmaker[AsyncSession],
    event: str,
    *,
    actor_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    address: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """An entry committed at once, in a transaction of its own."""
    async with sessions() as session, session.begin():
        session.add(_entry(event, actor_id, user_id, workspace_id, address, details))


def visible_entries(
    workspace_id: uuid.UUID, events: Sequence[str] | None = None
) -> Select[SecurityAuditEntry]:
    """The workspace's entries, and the sign-in and credential events (no workspace) of the
    people who are its members now."""
    members = select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == workspace_id)
    stmt = select(SecurityAuditEntry).where(
        or_(
            SecurityAuditEntry.workspace_id == workspace_id,
            SecurityAuditEntry.workspace_id.is_(None) & SecurityAuditEntry.user_id.in_(members),
        )
    )
    if events:
        stmt = stmt.where(SecurityAuditEntry.event.in_(list(events)))
    return stmt
