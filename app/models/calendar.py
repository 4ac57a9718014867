"""Working calendars: a working-week bitmask plus dated exceptions."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned

STANDARD_WEEK = 0b0011111  # bit 0 = Monday ... bit 6 = Sunday


class Calendar(Versioned, Base):
    __tablename__ = "calendar"
    __table_args__ = (
        CheckConstraint("working_weekdays BETWEEN 1 AND 127", name="working_weekdays_range"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    working_weekdays: Mapped[int] = mapped_column(
        SmallInteger, default=STANDARD_WEEK, server_default=str(STANDARD_WEEK)
    )


class CalendarException(Base):
    """A dated exception: a non-working range (holiday) or an extra working range."""

    __tablename__ = "calendar_exception"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="ordered_range"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    calendar_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendar.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    is_working: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
