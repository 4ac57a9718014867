"""Board columns and labels of a project, and the task-label association."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned

RANK = String(64, collation="C")
"""Fractional order keys (app/ranks.py) compare byte-wise."""


class BoardColumn(Versioned, Base):
    """A board column: a name, a workflow category, an optional WIP limit and an order key."""

    __tablename__ = "board_column"
    __table_args__ = (
        CheckConstraint("category IN ('todo', 'in_progress', 'done')", name="category"),
        CheckConstraint("wip_limit IS NULL OR wip_limit > 0", name="wip_limit_positive"),
        Index(
            "uq_board_column_live_rank",
            "project_id",
            "rank",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    wip_limit: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[str] = mapped_column(RANK)


class Label(Versioned, Base):
    """A per-project label (name and `#rrggbb` color) that tasks can carry."""

    __tablename__ = "label"
    __table_args__ = (
        CheckConstraint("color ~ '^#[0-9a-f]{6}$'", name="color_hex"),
        Index(
            "uq_label_live_name",
            "project_id",
            func.lower(text("name")),
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7))


class TaskLabel(Versioned, Base):
    """A label on a task. Versioned like a risk link, so offline clients sync it as a row of
    its own: detaching tombstones the row, re-attaching creates a new one."""

    __tablename__ = "task_label"
    __table_args__ = (
        Index(
            "uq_task_label_live_pair",
            "task_id",
            "label_id",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("label.id", ondelete="CASCADE"), index=True
    )
