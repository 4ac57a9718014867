"""The log of retention purge runs (`app.retention.coordinator`): one row per run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

PURGE_STATES = ("running", "ok", "partial", "failed")


class RetentionPurgeRun(Base):
    """A purge run: when, how long, its outcome and, per table, what it deleted.

    `tables` maps each table's step name to `{"deleted": n, "ok": bool, "error": str|null,
    "ms": n}`, written after every step, so even a run whose process died shows how far it
    got. The partial unique index admits one real (not dry) run `running` at a time: the
    single-flight guard, enforced by the database rather than by the callers."""

    __tablename__ = "retention_purge_run"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'ok', 'partial', 'failed')", name="state"),
        Index("ix_retention_purge_run_started_at", "started_at"),
        Index(
            "uq_retention_purge_run_one_running",
            "state",
            unique=True,
            postgresql_where=text("state = 'running' AND NOT dry_run"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Renewed after every step; a `running` row silent for RETENTION_PURGE_INFLIGHT_SECONDS
    # is abandoned (its process died) and no longer blocks a new run.
    heartbeat_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="running", server_default="running")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    trigger: Mapped[str] = mapped_column(String(20))
    tables: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    deleted: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
