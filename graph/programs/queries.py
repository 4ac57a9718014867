"""Queries of the program domain: programs exist only for members of their workspace."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.authz import program_scope_clause
from app.errors import ForbiddenError, NotFoundError
from app.models import Program as ProgramModel
from app.models import WorkspaceMember
from app.programs import schedule
from graph.context import Info
from graph.pagination import Connection, paginate
from graph.programs.types import Program, ProgramSchedule
from graph.workspaces.common import parse_id


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="Live programs of one of your workspaces, oldest first.")
    async def programs(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Program]:
        user_id = info.context.require_user()
        parsed = parse_id(workspace_id)
        stmt = (
            select(ProgramModel)
            .join(WorkspaceMember, WorkspaceMember.workspace_id == ProgramModel.workspace_id)
            .where(
                WorkspaceMember.user_id == user_id,
                ProgramModel.workspace_id == parsed,
                ProgramModel.is_deleted.is_(False),
                program_scope_clause(user_id),
            )
        )
        keys = (ProgramModel.created_at.expression, ProgramModel.id.expression)
        async with info.context.session() as session:
            return await paginate(
                session,
                info.context.settings,
                stmt,
                keys,
                Program.from_model,
                first=first,
                after=after,
            )

    @strawberry.field(description="A live program of one of your workspaces; null otherwise.")
    async def program(self, info: Info, id: strawberry.ID) -> Program | None:
        user_id = info.context.require_user()
        program_id = parse_id(id)
        if program_id is None:
            return None
        stmt = (
            select(ProgramModel)
            .join(WorkspaceMember, WorkspaceMember.workspace_id == ProgramModel.workspace_id)
            .where(
                WorkspaceMember.user_id == user_id,
                ProgramModel.id == program_id,
                ProgramModel.is_deleted.is_(False),
                program_scope_clause(user_id),
            )
        )
        async with info.context.session() as session:
            found = (await session.execute(stmt)).scalar_one_or_none()
        return None if found is None else Program.from_model(found)

    @strawberry.field(
        description="The program schedule: per-project finish, program finish and the critical "
        "path across projects. Needs a role on the program (or workspace owner/admin); null "
        "otherwise."
    )
    async def program_schedule(
        self, info: Info, program_id: strawberry.ID
    ) -> ProgramSchedule | None:
        user_id = info.context.require_user()
        parsed = parse_id(program_id)
        if parsed is None:
            return None
        async with info.context.session() as session:
            try:
                result = await schedule.program_schedule(session, user_id, parsed)
            except (NotFoundError, ForbiddenError):
                return None
        return ProgramSchedule.from_result(result)
