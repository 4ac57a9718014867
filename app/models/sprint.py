"""Sprints, the sprint-close outbox and the log of sprint scope/completion changes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned

SPRINT_STATES = ("planned", "active", "closed")


class Sprint(Versioned, Base):
    """A time box of a project. At most one sprint per project is `active`: the partial unique
    index below enforces it in the database, so two concurrent starts cannot both win."""

    __tablename__ = "sprint"
    __table_args__ = (
        CheckConstraint("state IN ('planned', 'active', 'closed')", name="state"),
        CheckConstraint("end_date >= start_date", name="ordered_dates"),
        Index(
            "uq_sprint_one_active",
            "project_id",
            unique=True,
            postgresql_where=text("state = 'active' AND NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(String(4000), default="", server_default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="planned", server_default="planned")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Snapshots taken in the start / close transactions (velocity reads these).
    committed_points: Mapped[int | None] = mapped_column(Integer)
    completed_points: Mapped[int | None] = mapped_column(Integer)


class SprintCloseRequest(Base):
    """Outbox row written in the transaction that closes a sprint; a job then carries the
    sprint's unfinished tasks over (to the next planned sprint, else the backlog)."""

    __tablename__ = "sprint_close_request"
    __table_args__ = (
        Index(
            "ix_sprint_close_request_pending", "sprint_id", postgresql_where=text("done_at IS NULL")
        ),
        Index(
            "ix_sprint_close_request_done_at",
            "done_at",
            postgresql_where=text("done_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    sprint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sprint.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    target_sprint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL")
    )
    moved_tasks: Mapped[int | None] = mapped_column(Integer)


class SprintTaskLog(Base):
    """One row per change of a task's sprint membership, story points, done-ness or liveness,
    written by a database trigger on `task` (so every write path — GraphQL, sync, board moves,
    jobs — is recorded). Burndown replays it; rows are never updated."""

    __tablename__ = "sprint_task_log"
    __table_args__ = (Index("ix_sprint_task_log_task_at", "task_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    sprint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean)
    live: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
