"""Queries of the risk register: a project's risks (filtered, paginated) and one risk."""

from __future__ import annotations

import uuid

import strawberry

from app.models import Risk as RiskModel
from app.models.enums import RiskStatus
from app.risks.repository import RiskFilter, project_risks, visible_risks
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.risks.types import Risk
from graph.tasks.inputs import ref


def _uuid(raw: strawberry.ID) -> uuid.UUID:
    """A client id; a malformed one matches nothing (the nil UUID is never a row's id)."""
    return ref(raw) or uuid.UUID(int=0)


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="A project's live risks, oldest first. Filters combine: any of "
        "`status`, owned by `ownerId`, linked to `taskId`."
    )
    async def risks(
        self,
        info: Info,
        project_id: strawberry.ID,
        status: list[RiskStatus] | None = None,
        owner_id: strawberry.ID | None = None,
        task_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Risk]:
        user_id = info.context.require_user()
        where = RiskFilter(
            statuses=[RiskStatus(s).value for s in status or ()],
            owner_id=ref(owner_id),
            task_id=ref(task_id),
        )
        stmt = project_risks(user_id, _uuid(project_id), where)
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                [RiskModel.created_at.expression, RiskModel.id.expression],
                Risk.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="One live risk, or null when absent or not visible.")
    async def risk(self, info: Info, id: strawberry.ID) -> Risk | None:
        user_id = info.context.require_user()
        async with info.context.session() as session:
            stmt = visible_risks(user_id).where(RiskModel.id == _uuid(id))
            row = (await session.execute(stmt)).one_or_none()
        return Risk.from_model(row[0]) if row else None
