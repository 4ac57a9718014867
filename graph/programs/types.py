"""GraphQL types of the program domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

import strawberry
from sqlalchemy import select

from app.authz import program_role_column
from app.models import Program as ProgramModel
from app.models import ProgramMember as ProgramMemberModel
from app.models import User as UserModel
from app.models.enums import Role
from app.programs import schedule
from graph.context import Info
from graph.workspaces.common import Member, RoleEnum, group, loader


async def _load_members(info: Info, keys: Sequence[uuid.UUID]) -> list[list[Member]]:
    stmt = (
        select(ProgramMemberModel, UserModel)
        .join(UserModel, UserModel.id == ProgramMemberModel.user_id)
        .where(ProgramMemberModel.program_id.in_(keys))
        .order_by(ProgramMemberModel.role.desc(), UserModel.email)
    )
    async with info.context.session() as session:
        rows = (await session.execute(stmt)).all()
    return group([(m.program_id, Member.from_row(m.role, m.created_at, u)) for m, u in rows], keys)


async def _load_roles(info: Info, keys: Sequence[uuid.UUID]) -> list[Role | None]:
    user_id = info.context.require_user()
    stmt = select(ProgramModel.id, program_role_column(user_id)).where(ProgramModel.id.in_(keys))
    async with info.context.session() as session:
        roles = {key: value for key, value in (await session.execute(stmt)).all()}
    return [None if roles.get(k) is None else Role(roles[k]) for k in keys]


@strawberry.type(
    description="An optional grouping of projects; a program role applies to each of its "
    "projects unless a project role overrides it. Every workspace member sees the programs."
)
class Program:
    id: strawberry.ID
    workspace_id: strawberry.ID
    name: str
    description: str
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, program: ProgramModel) -> Program:
        return cls(
            id=strawberry.ID(str(program.id)),
            workspace_id=strawberry.ID(str(program.workspace_id)),
            name=program.name,
            description=program.description,
            server_version=program.server_version,
            is_deleted=program.is_deleted,
            created_at=program.created_at,
            updated_at=program.updated_at,
        )

    @strawberry.field(
        description="Your program role (workspace owners/admins: PROJECT_ADMIN); null if none."
    )
    async def my_role(self, info: Info) -> RoleEnum | None:  # type: ignore[valid-type]
        role: Role | None = await loader(info, "program_my_role", partial(_load_roles, info)).load(
            uuid.UUID(self.id)
        )
        return role

    @strawberry.field(description="Explicit program members, highest role first.")
    async def members(self, info: Info) -> list[Member]:
        members: list[Member] = await loader(
            info, "program_members", partial(_load_members, info)
        ).load(uuid.UUID(self.id))
        return members


@strawberry.type
class ProgramPayload:
    program: Program


@strawberry.type
class ProgramMemberPayload:
    program_id: strawberry.ID
    member: Member


@strawberry.type(description="One project of a program schedule.")
class ProjectFinish:
    project_id: strawberry.ID
    name: str
    start_date: date
    finish: date | None = strawberry.field(
        description="Latest early finish of the project's tasks; null without tasks."
    )
    task_count: int
    schedule_pending: bool = strawberry.field(
        description="A recompute is requested and not done yet: stored task dates may lag."
    )


@strawberry.type(description="A task on the program's critical path.")
class CriticalPathStep:
    task_id: strawberry.ID
    project_id: strawberry.ID
    name: str
    early_start: date
    early_finish: date


@strawberry.type(description="The program's projects rolled up, computed on current inputs.")
class ProgramSchedule:
    program_id: strawberry.ID
    finish: date | None = strawberry.field(description="The latest project finish.")
    projects: list[ProjectFinish] = strawberry.field(description="Ordered by name.")
    critical_path: list[CriticalPathStep] = strawberry.field(
        description="From the first task to the program finish, through cross-project links."
    )
    cross_project_links: int

    @classmethod
    def from_result(cls, result: schedule.ProgramSchedule) -> ProgramSchedule:
        return cls(
            program_id=strawberry.ID(str(result.program_id)),
            finish=result.finish,
            projects=[
                ProjectFinish(
                    project_id=strawberry.ID(str(p.project_id)),
                    name=p.name,
                    start_date=p.start,
                    finish=p.finish,
                    task_count=p.task_count,
                    schedule_pending=p.schedule_pending,
                )
                for p in result.projects
            ],
            critical_path=[
                CriticalPathStep(
                    task_id=strawberry.ID(str(s.task_id)),
                    project_id=strawberry.ID(str(s.project_id)),
                    name=s.name,
                    early_start=s.early_start,
                    early_finish=s.early_finish,
                )
                for s in result.critical_path
            ],
            cross_project_links=result.cross_project_links,
        )
