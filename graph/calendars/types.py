"""GraphQL types of the calendar domain."""

from __future__ import annotations

from datetime import date

import strawberry

from app.models import Calendar as CalendarModel
from app.models import CalendarException as ExceptionModel


@strawberry.type(description="A dated exception: a holiday range or extra working days.")
class CalendarException:
    name: str
    start_date: date
    end_date: date
    is_working: bool


@strawberry.type
class Calendar:
    id: strawberry.ID
    project_id: strawberry.ID
    name: str
    working_weekdays: int = strawberry.field(
        description="Bitmask of working weekdays: bit 0 = Monday ... bit 6 = Sunday."
    )
    server_version: int
    exceptions: list[CalendarException]

    @classmethod
    def from_model(cls, calendar: CalendarModel, exceptions: list[ExceptionModel]) -> Calendar:
        return cls(
            id=strawberry.ID(str(calendar.id)),
            project_id=strawberry.ID(str(calendar.project_id)),
            name=calendar.name,
            working_weekdays=calendar.working_weekdays,
            server_version=calendar.server_version,
            exceptions=[
                CalendarException(
                    name=e.name,
                    start_date=e.start_date,
                    end_date=e.end_date,
                    is_working=e.is_working,
                )
                for e in exceptions
            ],
        )


@strawberry.input
class CalendarExceptionInput:
    start_date: date
    end_date: date
    is_working: bool = False
    name: str = ""


@strawberry.input
class CreateCalendarInput:
    project_id: strawberry.ID
    name: str
    working_weekdays: int = 0b0011111
    exceptions: list[CalendarExceptionInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateCalendarInput:
    name: str | None = None
    working_weekdays: int | None = None
    exceptions: list[CalendarExceptionInput] | None = strawberry.field(
        default=None, description="When given, replaces all exceptions."
    )


@strawberry.type
class CalendarPayload:
    calendar: Calendar


@strawberry.type
class DeleteCalendarPayload:
    deleted_id: strawberry.ID
    server_version: int
