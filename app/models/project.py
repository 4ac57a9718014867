"""Programs, projects and their role memberships."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamped, Versioned

_ROLE_CHECK = "role IN (1, 100, 200, 300, 400)"


class Program(Versioned, Base):
    """An optional grouping of related projects under one program manager."""

    __tablename__ = "program"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000), default="", server_default="")


class Project(Versioned, Base):
    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("scheduling_rules IN ('trueppm', 'ms_project')", name="scheduling_rules"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("program.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(4000), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="planning", server_default="planning")
    start_date: Mapped[date] = mapped_column(Date)
    status_date: Mapped[date | None] = mapped_column(Date)
    default_calendar_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calendar.id", ondelete="SET NULL", use_alter=True)
    )
    # Which date rules the engine applies (app.models.enums.SchedulingRules).
    scheduling_rules: Mapped[str] = mapped_column(
        String(12), default="trueppm", server_default="trueppm"
    )
    # Level resources on every recompute (Microsoft Project's automatic leveling).
    level_automatically: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )


class ProjectMember(Timestamped, Base):
    __tablename__ = "project_member"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint(_ROLE_CHECK, name="role_level"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[int] = mapped_column(SmallInteger)


class ProgramMember(Timestamped, Base):
    """A program role applies to every project of the program unless the project overrides it."""

    __tablename__ = "program_member"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id"),
        CheckConstraint(_ROLE_CHECK, name="role_level"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    program_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[int] = mapped_column(SmallInteger)
