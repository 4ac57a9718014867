"""Query of object change history."""

from __future__ import annotations

import uuid

import strawberry
from graphql import GraphQLError

from app.errors import ValidationFailed
from app.history.service import object_history
from app.models import HistoryEntry as HistoryModel
from graph.context import Info
from graph.history.types import HistoryEntry
from graph.pagination import Connection, paginate
from graph.tasks.inputs import ref


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description="Recorded changes of one object, oldest first. `objectType` is the synced "
        "table name (task, dependency, project, program, calendar, risk, risk_task, comment, "
        "...). Readable by anyone with a role on the object's project (or program); otherwise "
        "the page is empty."
    )
    async def history(
        self,
        info: Info,
        object_type: str,
        object_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[HistoryEntry]:
        user_id = info.context.require_user()
        object_uuid = ref(object_id) or uuid.UUID(int=0)
        async with info.context.session() as session:
            try:
                stmt = await object_history(session, user_id, object_type, object_uuid)
            except ValidationFailed as exc:
                raise GraphQLError(exc.message, extensions={"code": "BAD_USER_INPUT"}) from None
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [HistoryModel.id.expression],
                HistoryEntry.from_model,
                first=first,
                after=after,
            )
