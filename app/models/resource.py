"""The resource pool of a workspace and the assignments of its resources to tasks."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned

_KINDS = "kind IN ('work', 'material', 'cost')"


class Resource(Versioned, Base):
    """Someone or something that does work (a person, a crew, a machine), is consumed
    (material) or costs money (cost). Shared by every project of the workspace: a person busy
    in one project is busy for all, which is why the pool is the workspace's.

    Availability is `max_units` (1.0 = one full-time person) changed from each date of
    `availability` on (`[{"start": "2027-03-01", "units": 0.5}, ...]`, sorted by date); it works
    on the working days of `calendar_id` (a project calendar; none: Monday to Friday) less
    `days_off` (`[{"start": ..., "end": ...}]`, inclusive ranges). Rates are per hour of work;
    `cost_per_use` is charged once per assignment."""

    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint(_KINDS, name="kind"),
        CheckConstraint("max_units >= 0", name="max_units_nonnegative"),
        CheckConstraint(
            "standard_rate >= 0 AND overtime_rate >= 0 AND cost_per_use >= 0",
            name="costs_nonnegative",
        ),
        # The access path of a pull (a project's pull reads its workspace's pool).
        Index("ix_resource_workspace_sync_seq", "workspace_id", "sync_seq"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="work", server_default="work")
    initials: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # The unit a material is counted in (t, m3, bags); empty for work and cost resources.
    material_label: Mapped[str] = mapped_column(String(30), default="", server_default="")
    max_units: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    availability: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calendar.id", ondelete="SET NULL")
    )
    days_off: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    standard_rate: Mapped[Decimal] = mapped_column(
        Numeric(16, 2), default=Decimal(0), server_default="0"
    )
    overtime_rate: Mapped[Decimal] = mapped_column(
        Numeric(16, 2), default=Decimal(0), server_default="0"
    )
    cost_per_use: Mapped[Decimal] = mapped_column(
        Numeric(16, 2), default=Decimal(0), server_default="0"
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Groups and skills ("design", "electrician"): plain strings, searched as a set.
    labels: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")


class Assignment(Versioned, Base):
    """A resource works on a task at `units` (0.5 = half of one full-time person). `work`
    (hours) is given, or NULL: the task's duration x units x 8 hours. A cost resource's
    assignment carries its `cost` instead. At most one live assignment per task and
    resource; unassigning tombstones the row (offline clients learn of it)."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("work IS NULL OR work >= 0", name="work_nonnegative"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_nonnegative"),
        Index(
            "uq_assignment_live_pair",
            "task_id",
            "resource_id",
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
    resource_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    units: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    work: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
