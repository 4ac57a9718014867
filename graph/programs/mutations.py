"""Mutations of the program domain: create, update, soft delete and members."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.models.enums import Role
from app.programs import service
from app.state import UnitOfWork
from app.workspaces import roles
from graph.context import Info
from graph.errors import Conflict, Forbidden, NotFound, ValidationError, run_mutation
from graph.programs.types import Program, ProgramMemberPayload, ProgramPayload
from graph.workspaces.common import (
    RemoveMemberPayload,
    RoleEnum,
    id_argument,
    member_from,
    require_id,
)

ProgramResult = Annotated[
    ProgramPayload | NotFound | Forbidden | ValidationError | Conflict,
    strawberry.union("ProgramResult"),
]
ProgramMemberResult = Annotated[
    ProgramMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("ProgramMemberResult"),
]
RemoveProgramMemberResult = Annotated[
    RemoveMemberPayload | NotFound | Forbidden | ValidationError,
    strawberry.union("RemoveProgramMemberResult"),
]


@strawberry.type
class ProgramMutation:
    @strawberry.mutation(
        description="Create a program (any workspace member; you become its Project Admin)."
    )
    async def create_program(
        self, info: Info, workspace_id: strawberry.ID, name: str, description: str = ""
    ) -> ProgramResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProgramPayload:
            program = await service.create_program(
                uow.session, user_id, require_id(workspace_id, "workspace"), name, description
            )
            return ProgramPayload(program=Program.from_model(program))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename or redescribe a program (Project Manager on it).")
    async def update_program(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        description: str | None = None,
        server_version: int | None = None,
    ) -> ProgramResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProgramPayload:
            program = await service.update_program(
                uow.session, user_id, require_id(id, "program"), name, description, server_version
            )
            return ProgramPayload(program=Program.from_model(program))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Soft-delete a program without live projects (Project Admin on it)."
    )
    async def delete_program(
        self, info: Info, id: strawberry.ID, server_version: int | None = None
    ) -> ProgramResult:
        user_id = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProgramPayload:
            program = await service.delete_program(
                uow.session, user_id, require_id(id, "program"), server_version
            )
            return ProgramPayload(program=Program.from_model(program))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Give an existing account a program role by email or userId (same rules "
        "as addProjectMember)."
    )
    async def add_program_member(
        self,
        info: Info,
        program_id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
        email: str | None = None,
        user_id: strawberry.ID | None = None,
    ) -> ProgramMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProgramMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(program_id, "program")
            )
            target = id_argument(user_id, "userId")
            found = await roles.add_member(uow.session, scope, Role(role), email, target)
            return ProgramMemberPayload(program_id=program_id, member=member_from(found))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a member's program role.")
    async def change_program_member_role(
        self,
        info: Info,
        program_id: strawberry.ID,
        user_id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
    ) -> ProgramMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> ProgramMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(program_id, "program")
            )
            found = await roles.change_role(
                uow.session, scope, require_id(user_id, "program member"), Role(role)
            )
            return ProgramMemberPayload(program_id=program_id, member=member_from(found))

        return await run_mutation(info, work)  # type: ignore[return-value]

    @strawberry.mutation(description="Remove a member's program role.")
    async def remove_program_member(
        self, info: Info, program_id: strawberry.ID, user_id: strawberry.ID
    ) -> RemoveProgramMemberResult:
        actor = info.context.require_user()

        async def work(uow: UnitOfWork) -> RemoveMemberPayload:
            scope = await service.member_scope(
                uow.session, actor, require_id(program_id, "program")
            )
            await roles.remove_member(uow.session, scope, require_id(user_id, "program member"))
            return RemoveMemberPayload(removed_user_id=user_id)

        return await run_mutation(info, work)  # type: ignore[return-value]
