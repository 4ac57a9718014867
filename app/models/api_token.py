"""Personal API tokens for integrations and the mobile sync, and their audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ApiToken(Base):
    """A long-lived bearer credential of one user: `tppm_<prefix>_<secret>`.

    Only the SHA-256 of the whole token is stored; `prefix` is public (it is shown in lists and
    used to find the row). A token may be limited to one project or one program and may be
    read-only; it always acts as its owner, narrowed by those limits (app/auth/principal.py).
    Revoked tokens are kept (revoked_at) so lists and the audit log stay meaningful.
    """

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("project_id IS NULL OR program_id IS NULL", name="one_scope"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE")
    )
    program_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE")
    )
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiTokenAuditEntry(Base):
    """One mint or revoke of an API token: who, when, which token, what it could reach.

    Compliance evidence, kept forever: no retention purge touches this table, and it has no
    foreign keys so entries outlive the tokens, users and projects they name.
    """

    __tablename__ = "api_token_audit_entry"
    __table_args__ = (CheckConstraint("event IN ('mint', 'revoke')", name="event"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event: Mapped[str] = mapped_column(String(10))
    token_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    actor_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    program_id: Mapped[uuid.UUID | None]
    read_only: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str | None] = mapped_column(String(100))
