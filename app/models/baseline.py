"""Baselines: named snapshots of a project's computed schedule, one of them active."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned


class Baseline(Versioned, Base):
    """A captured schedule. At most one live baseline per project is active (partial unique
    index), the one drift is measured against."""

    __tablename__ = "baseline"
    __table_args__ = (
        Index(
            "uq_baseline_one_active",
            "project_id",
            unique=True,
            postgresql_where=text("is_active AND NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=False, server_default="false")
    project_finish: Mapped[date | None] = mapped_column(Date)
    task_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    captured_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    captured_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


class BaselineTask(Base):
    """One task as it stood when the baseline was captured (its computed dates and float)."""

    __tablename__ = "baseline_task"
    __table_args__ = (UniqueConstraint("baseline_id", "task_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    baseline_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("baseline.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int] = mapped_column(Integer)
    early_start: Mapped[date | None] = mapped_column(Date)
    early_finish: Mapped[date | None] = mapped_column(Date)
    total_float: Mapped[int | None] = mapped_column(Integer)
