"""WBS tasks and the dependency links between them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Ltree, Versioned

_KINDS = "kind IN ('task', 'milestone', 'summary')"
_CONSTRAINTS = "constraint_type IN ('ASAP','ALAP','SNET','SNLT','FNET','FNLT','MSO','MFO')"


class Task(Versioned, Base):
    """A WBS node. Inputs are edited by people; the `early_*`/`late_*`/float fields are the
    engine's output and are only ever written by the scheduler."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(_KINDS, name="kind"),
        CheckConstraint(_CONSTRAINTS, name="constraint_type"),
        CheckConstraint("duration >= 0", name="duration_nonnegative"),
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100", name="percent_range"),
        CheckConstraint("priority BETWEEN 0 AND 1000", name="priority_range"),
        Index("ix_task_wbs_path_gist", "wbs_path", postgresql_using="gist"),
        Index("uq_task_project_wbs_path", "project_id", "wbs_path", unique=True),
        # A live card's position is unique in its column (app/ranks.py keys).
        Index(
            "uq_task_live_board_rank",
            "column_id",
            "board_rank",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    wbs_path: Mapped[str] = mapped_column(Ltree)
    # Order among siblings: an app/ranks.py key, byte-ordered.
    wbs_rank: Mapped[str] = mapped_column(
        String(64, collation="C"), default="a0", server_default="a0"
    )
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(20000), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(20), default="task", server_default="task")
    duration: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calendar.id", ondelete="SET NULL")
    )
    constraint_type: Mapped[str] = mapped_column(String(4), default="ASAP", server_default="ASAP")
    constraint_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    percent_complete: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Leveling priority as in Microsoft Project: 0..1000, 500 normal, 1000 never delayed.
    priority: Mapped[int] = mapped_column(Integer, default=500, server_default="500")
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_finish: Mapped[date | None] = mapped_column(Date)
    optimistic_duration: Mapped[float | None] = mapped_column(Float)
    most_likely_duration: Mapped[float | None] = mapped_column(Float)
    pessimistic_duration: Mapped[float | None] = mapped_column(Float)
    story_points: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Planned into a sprint (NULL = the backlog). Changed only by the sprint services.
    sprint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), index=True
    )
    # Board position: the column and a fractional key (app/ranks.py), byte-ordered.
    column_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("board_column.id", ondelete="SET NULL")
    )
    board_rank: Mapped[str | None] = mapped_column(String(64, collation="C"))
    # Engine output (read-only for clients).
    early_start: Mapped[date | None] = mapped_column(Date)
    early_finish: Mapped[date | None] = mapped_column(Date)
    late_start: Mapped[date | None] = mapped_column(Date)
    late_finish: Mapped[date | None] = mapped_column(Date)
    total_float: Mapped[int | None] = mapped_column(Integer)
    free_float: Mapped[int | None] = mapped_column(Integer)
    is_critical: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Written by resource leveling (app/resources/leveling.py): the start floor its delay
    # became, and the delay in working days from where logic alone puts the task.
    leveled_start: Mapped[date | None] = mapped_column(Date)
    leveling_delay: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Dependency(Versioned, Base):
    """A link `predecessor -> successor`. `project_id` is the successor's project: the project
    whose schedule the link constrains, whose members edit it and whose sync stream carries it.
    `predecessor_project_id` is set only for a cross-project link (both projects in one
    program) and names the predecessor's project; it is NULL for a link inside one project."""

    __tablename__ = "dependency"
    __table_args__ = (
        CheckConstraint("predecessor_id <> successor_id", name="no_self_link"),
        CheckConstraint("type IN ('FS', 'SS', 'FF', 'SF')", name="type"),
        CheckConstraint("lag_unit IN ('working_days', 'elapsed_days')", name="lag_unit"),
        CheckConstraint(
            "predecessor_project_id IS NULL OR predecessor_project_id <> project_id",
            name="cross_project",
        ),
        Index(
            "ix_dependency_cross_project",
            "predecessor_project_id",
            postgresql_where=text("predecessor_project_id IS NOT NULL AND NOT is_deleted"),
        ),
        Index(
            "uq_dependency_live_pair",
            "predecessor_id",
            "successor_id",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    predecessor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    successor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    predecessor_project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(2), default="FS", server_default="FS")
    lag: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lag_unit: Mapped[str] = mapped_column(
        String(20), default="working_days", server_default="working_days"
    )
