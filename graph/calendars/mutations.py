"""Calendar mutations (Project Manager): create, update, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from app.calendars import service
from app.calendars.service import ExceptionInput
from app.models import Calendar as CalendarModel
from app.state import UnitOfWork
from app.tasks.repository import parse_id
from graph.calendars.types import (
    Calendar,
    CalendarExceptionInput,
    CalendarPayload,
    CreateCalendarInput,
    DeleteCalendarPayload,
    UpdateCalendarInput,
)
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation

CalendarResult = Annotated[
    CalendarPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("CalendarResult"),
]
DeleteCalendarResult = Annotated[
    DeleteCalendarPayload | NotFound | Forbidden | Conflict,
    strawberry.union("DeleteCalendarResult"),
]


def _exceptions(items: list[CalendarExceptionInput] | None) -> list[ExceptionInput] | None:
    if items is None:
        return None
    return [ExceptionInput(e.start_date, e.end_date, e.is_working, e.name) for e in items]


async def _payload(uow: UnitOfWork, calendar_id: uuid.UUID) -> CalendarPayload:
    calendar = await uow.session.get(CalendarModel, calendar_id)
    assert calendar is not None
    exceptions = await service.exceptions_of(uow.session, [calendar.id])
    return CalendarPayload(calendar=Calendar.from_model(calendar, exceptions[calendar.id]))


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(description="Create a project calendar (Project Manager).")
    async def create_calendar(self, info: Info, input: CreateCalendarInput) -> CalendarResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CalendarPayload:
            calendar = await service.create_calendar(
                uow.session,
                user_id,
                parse_id(input.project_id, "project"),
                input.name,
                input.working_weekdays,
                _exceptions(input.exceptions) or [],
            )
            return await _payload(uow, calendar.id)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename, change the week or replace the exceptions (PM).")
    async def update_calendar(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateCalendarInput,
        server_version: int | None = None,
    ) -> CalendarResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> CalendarPayload:
            calendar = await service.update_calendar(
                uow.session,
                user_id,
                parse_id(id, "calendar"),
                input.name,
                input.working_weekdays,
                _exceptions(input.exceptions),
                server_version,
            )
            return await _payload(uow, calendar.id)

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Soft-delete an unused calendar (Project Manager).")
    async def delete_calendar(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> DeleteCalendarResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> DeleteCalendarPayload:
            calendar = await service.delete_calendar(
                uow.session, user_id, parse_id(id, "calendar"), server_version
            )
            return DeleteCalendarPayload(
                deleted_id=strawberry.ID(str(calendar.id)), server_version=calendar.server_version
            )

        return await run_mutation(info, work)  # type: ignore[return-value]
