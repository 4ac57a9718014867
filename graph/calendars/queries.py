"""Calendar queries; visibility is joined into each statement."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy import select

from app.authz import visible_projects
from app.calendars.service import exceptions_of
from app.models import Calendar as CalendarModel
from graph.calendars.types import Calendar
from graph.context import Info


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.UUID(int=0)


@strawberry.type
class CalendarQuery:
    @strawberry.field(description="A project's live calendars with their exceptions.")
    async def calendars(self, info: Info, project_id: strawberry.ID) -> list[Calendar]:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(CalendarModel)
            .join(visible, visible.c.project_id == CalendarModel.project_id)
            .where(
                CalendarModel.project_id == _uuid(project_id), CalendarModel.is_deleted.is_(False)
            )
            .order_by(CalendarModel.name, CalendarModel.id)
        )
        async with info.context.session() as session:
            calendars = list((await session.execute(stmt)).scalars())
            exceptions = await exceptions_of(session, [c.id for c in calendars])
        return [Calendar.from_model(c, exceptions[c.id]) for c in calendars]

    @strawberry.field(description="One live calendar, or null.")
    async def calendar(self, info: Info, id: strawberry.ID) -> Calendar | None:
        user_id = info.context.require_user()
        visible = visible_projects(user_id).subquery()
        stmt = (
            select(CalendarModel)
            .join(visible, visible.c.project_id == CalendarModel.project_id)
            .where(CalendarModel.id == _uuid(id), CalendarModel.is_deleted.is_(False))
        )
        async with info.context.session() as session:
            calendar = (await session.execute(stmt)).scalar_one_or_none()
            if calendar is None:
                return None
            exceptions = await exceptions_of(session, [calendar.id])
        return Calendar.from_model(calendar, exceptions[calendar.id])
