"""Change history of synced rows, written by a database trigger (see app/history/ddl.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class HistoryEntry(Base):
    """One INSERT/UPDATE/DELETE of one row. `changes` maps each changed column to
    `{"old": ..., "new": ...}` (JSON values). No foreign keys: history outlives its objects
    and actors, and is bounded by the `HISTORY_RETENTION_DAYS` purge instead."""

    __tablename__ = "history_entry"
    __table_args__ = (
        CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'purge')", name="action"
        ),
        Index("ix_history_entry_object", "table_name", "object_id", "id"),
        Index("ix_history_entry_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(63))
    object_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(10))
    server_version: Mapped[int | None] = mapped_column(BigInteger)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
