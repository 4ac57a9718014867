"""Mutations of the workspace domain: create, rename, add and remove members."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.models.enums import WorkspaceRole
from app.state import UnitOfWork
from app.workspaces import service
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.workspaces.common import RemoveMemberPayload, WorkspaceRoleEnum, require_id
from graph.workspaces.types import (
    Workspace,
    WorkspaceMember,
    WorkspaceMemberPayload,
    WorkspacePayload,
)

WorkspaceResult = Annotated[
    WorkspacePayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("WorkspaceResult"),
]
WorkspaceMemberResult = Annotated[
    WorkspaceMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("WorkspaceMemberResult"),
]
RemoveWorkspaceMemberResult = Annotated[
    RemoveMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("RemoveWorkspaceMemberResult"),
]


@strawberry.type
class WorkspaceMutation:
    @strawberry.mutation(description="Create a workspace; you become its owner.")
    async def create_workspace(self, info: Info, name: str) -> WorkspaceResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WorkspacePayload:
            workspace = await service.create_workspace(uow.session, user_id, name)
            return WorkspacePayload(workspace=Workspace.from_model(workspace))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename a workspace (owner or admin).")
    async def update_workspace(
        self, info: Info, id: strawberry.ID, name: str, server_version: int | None = None
    ) -> WorkspaceResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WorkspacePayload:
            workspace = await service.update_workspace(
                uow.session, user_id, require_id(id, "workspace"), name, server_version
            )
            return WorkspacePayload(workspace=Workspace.from_model(workspace))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Add an existing account to the workspace (owner or admin; only an owner "
        "may grant OWNER)."
    )
    async def add_workspace_member(
        self,
        info: Info,
        workspace_id: strawberry.ID,
        email: str,
        role: WorkspaceRoleEnum = WorkspaceRole.MEMBER,  # type: ignore[valid-type]
    ) -> WorkspaceMemberResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> WorkspaceMemberPayload:
            member, user = await service.add_member(
                uow.session, user_id, require_id(workspace_id, "workspace"), email, role
            )
            return WorkspaceMemberPayload(member=WorkspaceMember.from_row(member, user))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Remove someone from the workspace with all their project and program "
        "roles in it (owner or admin; the last owner cannot be removed)."
    )
    async def remove_workspace_member(
        self, info: Info, workspace_id: strawberry.ID, user_id: strawberry.ID
    ) -> RemoveWorkspaceMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> RemoveMemberPayload:
            await service.remove_member(
                uow.session,
                actor,
                require_id(workspace_id, "workspace"),
                require_id(user_id, "member"),
            )
            return RemoveMemberPayload(removed_user_id=user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]
