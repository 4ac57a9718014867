"""GraphQL types of the workspace domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import strawberry
from sqlalchemy import select

from app.models import User as UserModel
from app.models import Workspace as WorkspaceModel
from app.models import WorkspaceMember as WorkspaceMemberModel
from app.models.enums import WorkspaceRole
from graph.auth.types import User
from graph.context import Info
from graph.workspaces.common import WorkspaceRoleEnum, group, loader


@strawberry.type
class WorkspaceMember:
    user: User
    role: WorkspaceRoleEnum  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, member: WorkspaceMemberModel, user: UserModel) -> WorkspaceMember:
        return cls(
            user=User.from_model(user),
            role=WorkspaceRole(member.role),
            created_at=member.created_at,
        )


@strawberry.type(description="The tenant boundary: users, programs and projects live in one.")
class Workspace:
    id: strawberry.ID
    name: str
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, workspace: WorkspaceModel) -> Workspace:
        return cls(
            id=strawberry.ID(str(workspace.id)),
            name=workspace.name,
            server_version=workspace.server_version,
            is_deleted=workspace.is_deleted,
            created_at=workspace.created_at,
            updated_at=workspace.updated_at,
        )

    @strawberry.field(description="Everyone in the workspace, by join date.")
    async def members(self, info: Info) -> list[WorkspaceMember]:
        async def load(keys: Sequence[uuid.UUID]) -> list[list[WorkspaceMember]]:
            stmt = (
                select(WorkspaceMemberModel, UserModel)
                .join(UserModel, UserModel.id == WorkspaceMemberModel.user_id)
                .where(WorkspaceMemberModel.workspace_id.in_(keys))
                .order_by(WorkspaceMemberModel.created_at, UserModel.email)
            )
            async with info.context.session() as session:
                rows = (await session.execute(stmt)).all()
            return group([(m.workspace_id, WorkspaceMember.from_row(m, u)) for m, u in rows], keys)

        members: list[WorkspaceMember] = await loader(info, "workspace_members", load).load(
            uuid.UUID(self.id)
        )
        return members

    @strawberry.field(description="Your role in this workspace.")
    async def my_role(self, info: Info) -> WorkspaceRoleEnum | None:  # type: ignore[valid-type]
        user_id = info.context.require_user()

        async def load(keys: Sequence[uuid.UUID]) -> list[WorkspaceRole | None]:
            stmt = select(WorkspaceMemberModel.workspace_id, WorkspaceMemberModel.role).where(
                WorkspaceMemberModel.workspace_id.in_(keys),
                WorkspaceMemberModel.user_id == user_id,
            )
            async with info.context.session() as session:
                roles = {key: value for key, value in (await session.execute(stmt)).all()}
            return [WorkspaceRole(roles[k]) if k in roles else None for k in keys]

        role: WorkspaceRole | None = await loader(info, "workspace_my_role", load).load(
            uuid.UUID(self.id)
        )
        return role


@strawberry.type
class WorkspacePayload:
    workspace: Workspace


@strawberry.type
class WorkspaceMemberPayload:
    member: WorkspaceMember
