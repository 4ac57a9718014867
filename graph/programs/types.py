"""GraphQL types of the program domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial

import strawberry
from sqlalchemy import select

from app.authz import program_role_column
from app.models import Program as ProgramModel
from app.models import ProgramMember as ProgramMemberModel
from app.models import User as UserModel
from app.models.enums import Role
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
