"""The security audit log: sign-ins, credentials, roles and webhooks, who and from where."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SecurityAuditEntry(Base):
    """One security-relevant event (app/audit/log.py lists them).

    No foreign keys: an entry outlives the users, workspaces and tokens it names. `user_id`
    is the account the event is about (the one signing in, the member whose role changed),
    `actor_id` who caused it (null for an anonymous attempt), `workspace_id` where it
    happened (null for sign-ins, which belong to no workspace). Purged after
    TRUEPPM_AUDIT_RETENTION_DAYS by the retention coordinator.
    """

    __tablename__ = "security_audit_entry"
    __table_args__ = (
        Index("ix_security_audit_entry_workspace_at", "workspace_id", "at"),
        Index("ix_security_audit_entry_user_at", "user_id", "at"),
        Index("ix_security_audit_entry_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    workspace_id: Mapped[uuid.UUID | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
