"""The risk register of a project and the links from risks to the tasks they threaten."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned


class Risk(Versioned, Base):
    """A discrete risk event: with `probability` it delays its linked tasks by `impact_days`
    working days and costs `impact_cost`. Open and mitigating risks feed the forecast."""

    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 1", name="probability_range"),
        CheckConstraint("impact_days >= 0", name="impact_days_nonnegative"),
        CheckConstraint("impact_cost >= 0", name="impact_cost_nonnegative"),
        CheckConstraint("status IN ('open', 'mitigating', 'closed')", name="status"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    probability: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    impact_days: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    impact_cost: Mapped[Decimal] = mapped_column(
        Numeric(16, 2), default=Decimal(0), server_default="0"
    )
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    response: Mapped[str] = mapped_column(Text, default="", server_default="")
    trigger: Mapped[str] = mapped_column(Text, default="", server_default="")


class RiskTask(Versioned, Base):
    """A risk threatens a task. Versioned like a dependency link: unlinking tombstones the row
    (offline clients learn of it), relinking creates a new one."""

    __tablename__ = "risk_task"
    __table_args__ = (
        Index(
            "uq_risk_task_live_pair",
            "risk_id",
            "task_id",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    risk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("risk.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
